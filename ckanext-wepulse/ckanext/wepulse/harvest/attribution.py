"""Who published a harvested dataset, and so which organization it belongs to.

A harvest source belongs to one authority, but an aggregator (data.gov.be, a
regional portal) lists the datasets of many publishers. The source's
``attribution`` option says what becomes of them:

- ``publishers`` (the default): each dataset goes to the organization of the
  publisher its record names. That is one of the portal's authorities when one is
  known by the publisher's identifier (its enterprise number, an IRI) or, failing
  that, by its name in any language ("Ville de Bruxelles", "Stad Brussel" and REFNIS's
  "Bruxelles" are one); a publisher that is none of them is kept as who it is, an
  organization of type "other public body" made on the way. A record that names no
  publisher goes to the source's owner.
- ``owner``: every dataset goes to the source's owner (a municipality's own portal,
  say, whose organizations are its departments).
- ``own``: only the datasets of the portal's own authorities are harvested; a record
  of another publisher is skipped (status "skipped", counted apart from errors).

A new policy applies to each record when it next changes at its source, or to all at
once with ``ckan wepulse harvest run SOURCE --force``.

A publisher found by its name has its identifier recorded on its organization, so the
next harvest finds it by identifier. A publisher the record names without a name is
given its organization's names: DCAT-AP requires one, and the organization is who it is.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.wepulse.authorities import slugify
from ckanext.wepulse.authorities.identity import (
    authority_name_keys,
    enterprise_number,
    identifier,
    identifier_key,
    publisher_name_keys,
)
from ckanext.wepulse.multilingual import parse_translated
from ckanext.wepulse.seeding import site_context

__all__ = [
    "OTHER_PUBLIC_BODY",
    "POLICIES",
    "SKIPPED",
    "Attribution",
    "Directory",
    "attribution_policy",
]

log = logging.getLogger(__name__)

POLICIES = ("publishers", "owner", "own")
#: The harvest object status of a record the policy leaves out.
SKIPPED = "skipped"
OTHER_PUBLIC_BODY = "other_public_body"
#: The authority fields a publisher is recognised by (scheming keeps them as extras).
_FIELDS = ("title_translated", "authority_type", "identifiers", "publisher_uri")
#: Languages an organization's names are kept in (those of the dataset schema).
_LANGUAGES = ("fr", "nl", "de", "en")
_NAME_LENGTH = 90


def attribution_policy(config: dict[str, Any]) -> str:
    """The source's ``attribution`` option (``publishers`` when not given)."""
    policy = config.get("attribution", POLICIES[0])
    if policy not in POLICIES:
        raise ValueError(
            f'"attribution" is one of {", ".join(POLICIES)} (see the harvesting docs), '
            f"got {policy!r}"
        )
    return policy


@dataclass
class Organization:
    """What a harvest knows of one of the portal's organizations."""

    id: str
    name: str
    title: str
    authority_type: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # by language
    identifiers: list[str] = field(default_factory=list)
    publisher_uri: str | None = None

    @property
    def enterprise_numbers(self) -> set[str]:
        return {number for number in map(enterprise_number, self.identifiers) if number}


class Directory:
    """The portal's organizations by identifier and by name, read in one query."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self._by_identifier: dict[str, str] = {}
        self._by_name: dict[tuple[str | None, str], set[str]] = defaultdict(set)
        for organization in _organizations():
            self.add(organization)

    def add(self, organization: Organization) -> None:
        self.organizations[organization.id] = organization
        for value in [*organization.identifiers, organization.publisher_uri]:
            self.add_identifier(organization, value)
        for name in {organization.title, *organization.names.values()}:
            for key in authority_name_keys(name, organization.authority_type):
                self._by_name[key].add(organization.id)

    def add_identifier(self, organization: Organization, value: str | None) -> None:
        key = identifier_key(value)
        if key:
            self._by_identifier.setdefault(key, organization.id)

    def find(self, publisher: dict[str, Any]) -> tuple[Organization | None, bool]:
        """(the publisher's organization or None, whether it was found by name)."""
        key = identifier_key(publisher.get("uri"))
        if key in self._by_identifier:
            return self.organizations[self._by_identifier[key]], False
        number = enterprise_number(publisher.get("uri"))
        found = {
            organization_id
            for name in publisher_names(publisher)
            for name_key in publisher_name_keys(name)
            for organization_id in self._by_name.get(name_key, ())
            # Another enterprise number is another entity, whatever its name.
            if not (number and self.organizations[organization_id].enterprise_numbers - {number})
        }
        if len(found) > 1:
            log.warning("publisher %.200r matches several organizations by name", publisher)
        if len(found) != 1:
            return None, False
        return self.organizations[found.pop()], True


class NotAttributed(Exception):
    """The source's policy leaves this record out (the message says whose it is)."""


class Attribution:
    """Which organization each record of one harvest goes to, by the source's policy."""

    def __init__(self, source: Any) -> None:
        self.owner_org = model.Package.get(source.id).owner_org
        self.policy = attribution_policy(json.loads(source.config or "{}"))
        self._directory: Directory | None = None

    @property
    def directory(self) -> Directory:
        if self._directory is None:  # only a harvest whose records name publishers needs it
            self._directory = Directory()
        return self._directory

    def attributed(self, mapped: list[tuple[Any, dict]], writer: Any) -> list[tuple[Any, dict]]:
        """The records to write, each dataset with its ``owner_org`` set; the writer
        logs the others: skipped by the policy, or failed alone."""
        kept = []
        for record, dataset in mapped:
            try:
                dataset["owner_org"] = self.owner_of(dataset)
                self.name_creators(dataset)
            except NotAttributed as reason:
                self._skip(record, str(reason), writer)
                continue
            except Exception as error:  # one record's publisher must not stop the job
                model.Session.rollback()
                self._directory = None  # what it held may have been rolled back
                log.exception("attribution of %s failed", record.guid)
                writer.log(record.guid, "errored", error=f"cannot attribute this record: {error!r}")
                continue
            kept.append((record, dataset))
        return kept

    def owner_of(self, dataset: dict[str, Any]) -> str | None:
        """The organization id the dataset goes to; its publisher is completed on the way
        (named after its organization when the record gives no name)."""
        publisher = _publisher(dataset)
        if publisher is None:
            return self.owner_org
        organization = self._known(publisher)
        if organization is None and self.policy == "publishers":
            organization = self._made(publisher)
        if organization is not None:
            _complete(publisher, organization)
        elif not publisher_names(publisher):
            # A bare IRI no organization here has: the dataset's publisher is then its
            # owner's authority (the profile names it), rather than a nameless agent.
            dataset["publisher"] = [p for p in dataset["publisher"] if p is not publisher]
        if self.policy == "owner":
            return self.owner_org
        if self.policy == "own" and (
            organization is None or organization.authority_type == OTHER_PUBLIC_BODY
        ):
            who = organization.title if organization else _described(publisher)
            raise NotAttributed(
                f"not harvested: published by {who}, which is not one of the portal's "
                'authorities (this source\'s "attribution" is "own")'
            )
        return organization.id  # type: ignore[union-attr] - made when not found

    def name_creators(self, dataset: dict[str, Any]) -> None:
        """A creator the record gives by IRI alone is named after the organization that
        IRI identifies, else, for an enterprise number, as the CBE writes it."""
        creators = dataset.get("creator")
        for creator in creators if isinstance(creators, list) else []:
            if not isinstance(creator, dict) or not creator.get("uri"):
                continue
            if publisher_names(creator):
                continue
            organization, _by_name = self.directory.find(creator)
            if organization is not None:
                _complete(creator, organization)
            elif names := _placeholder_names(identifier(creator["uri"])):
                creator["name_translated"], creator["name"] = names, _first(names)

    # -- organizations ----------------------------------------------------------

    def _known(self, publisher: dict[str, Any]) -> Organization | None:
        organization, by_name = self.directory.find(publisher)
        if organization is None:
            return None
        iri = identifier(publisher.get("uri"))
        if by_name and iri:
            self._record(organization, iri)
        elif (
            organization.authority_type == OTHER_PUBLIC_BODY
            and organization.names == _placeholder_names(iri)
            and _kept_names(publisher)
        ):
            self._rename(organization, publisher)
        return organization

    def _record(self, organization: Organization, iri: str) -> None:
        """A publisher found by name: its identifier, for the next harvest."""
        organization.identifiers.append(iri)
        tk.get_action("organization_patch")(
            site_context(), {"id": organization.id, "identifiers": organization.identifiers}
        )
        self.directory.add_identifier(organization, iri)
        log.info("organization %s is also %s", organization.name, iri)

    def _rename(self, organization: Organization, publisher: dict[str, Any]) -> None:
        """An organization made for a nameless publisher, now that its source names it."""
        names = _kept_names(publisher)
        title = _first(names)
        tk.get_action("organization_patch")(
            site_context(), {"id": organization.id, "title": title, "title_translated": names}
        )
        organization.title, organization.names = title, names
        self.directory.add(organization)

    def _made(self, publisher: dict[str, Any]) -> Organization:
        """An "other public body" for a publisher that is none of the portal's authorities."""
        iri = identifier(publisher.get("uri"))
        names = _kept_names(publisher) or _placeholder_names(iri)
        title = _first(names) or publisher.get("name") or iri or ""
        data = {
            "name": _free_name(title),
            "title": title,
            "title_translated": names,
            "authority_type": OTHER_PUBLIC_BODY,
            "identifiers": [iri] if iri else [],
            "publisher_uri": iri or "",
        }
        made = tk.get_action("organization_create")(site_context(), data)
        organization = Organization(
            id=made["id"],
            name=made["name"],
            title=title,
            authority_type=OTHER_PUBLIC_BODY,
            names=names,
            identifiers=data["identifiers"],
            publisher_uri=iri,
        )
        self.directory.add(organization)
        log.info("made organization %s for publisher %.200r", organization.name, publisher)
        return organization

    def _skip(self, record: Any, reason: str, writer: Any) -> None:
        """A record the policy leaves out: "skipped" in the job's statistics, not an
        error (the source did nothing wrong); its dataset, if an earlier policy let
        one in, is withdrawn."""
        known = writer.known.get(record.guid)
        if known is not None and known.state == "active":
            writer.withdraw({record.guid})
        writer.summary.skipped += 1
        writer.log(record.guid, SKIPPED)
        log.info("%s %s", record.guid, reason)


def publisher_names(publisher: dict[str, Any]) -> list[str]:
    """Every name the source gives the publisher, in any language."""
    names = [publisher.get("name"), *parse_translated(publisher.get("name_translated")).values()]
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def _publisher(dataset: dict[str, Any]) -> dict[str, Any] | None:
    """The first publisher the record names (by an IRI or a name), if any."""
    publishers = dataset.get("publisher")
    for publisher in publishers if isinstance(publishers, list) else []:
        if isinstance(publisher, dict) and (publisher.get("uri") or publisher_names(publisher)):
            return publisher
    return None


def _complete(publisher: dict[str, Any], organization: Organization) -> None:
    """A publisher given without a name or an IRI has its organization's."""
    if not publisher_names(publisher):
        publisher["name_translated"] = dict(organization.names)
        publisher["name"] = _first(organization.names) or organization.title
    if not publisher.get("uri") and organization.publisher_uri:
        publisher["uri"] = organization.publisher_uri


def _kept_names(publisher: dict[str, Any]) -> dict[str, str]:
    """The publisher's names in the portal's languages, for its organization."""
    names = parse_translated(publisher.get("name_translated"))
    kept = {lang: names[lang].strip() for lang in _LANGUAGES if str(names.get(lang, "")).strip()}
    if not kept and publisher_names(publisher):
        return {tk.config.get("ckan.locale_default"): publisher_names(publisher)[0]}
    return kept


def _placeholder_names(iri: str | None) -> dict[str, str]:
    """What a publisher known only by its enterprise number is called meanwhile:
    that number, as the CBE writes it (nothing else is known of it)."""
    digits = enterprise_number(iri)
    if not digits:
        return {}
    number = f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return {
        "fr": f"Entreprise n° {number}",
        "nl": f"Onderneming nr. {number}",
        "de": f"Unternehmen Nr. {number}",
        "en": f"Enterprise no. {number}",
    }


def _described(publisher: dict[str, Any]) -> str:
    names = publisher_names(publisher)
    return repr(names[0]) if names else f"<{publisher.get('uri')}>"


def _first(names: dict[str, str]) -> str:
    return next((names[lang] for lang in _LANGUAGES if names.get(lang)), "")


def _free_name(title: str) -> str:
    """A URL name for a new organization that no group has (deleted ones included)."""
    base = slugify(title)[:_NAME_LENGTH].strip("-") or "organization"
    candidates = [base] + [f"{base}-{n}" for n in range(2, 50)]
    taken = {
        name
        for (name,) in model.Session.query(model.Group.name).filter(
            model.Group.name.in_(candidates)
        )
    }
    return next((c for c in candidates if c not in taken), f"{base}-{len(taken) + 1}")


def _organizations() -> Iterable[Organization]:
    """The active organizations with the fields a publisher is recognised by."""
    extra = model.GroupExtra
    rows = (
        model.Session.query(
            model.Group.id, model.Group.name, model.Group.title, extra.key, extra.value
        )
        .outerjoin(
            extra,
            sa.and_(
                extra.group_id == model.Group.id, extra.state == "active", extra.key.in_(_FIELDS)
            ),
        )
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.name)
    )
    found: dict[str, Organization] = {}
    for group_id, name, title, key, value in rows:
        organization = found.setdefault(group_id, Organization(group_id, name, title or name))
        if key == "title_translated":
            organization.names = {
                lang: text for lang, text in parse_translated(value).items() if text
            }
        elif key == "authority_type":
            organization.authority_type = value or None
        elif key == "identifiers":
            organization.identifiers = _json_list(value)
        elif key == "publisher_uri":
            organization.publisher_uri = value or None
    return found.values()


def _json_list(value: str | None) -> list[str]:
    try:
        parsed = json.loads(value or "[]")
    except ValueError:
        return []
    return [item for item in parsed if isinstance(item, str)] if isinstance(parsed, list) else []
