"""CKAN portals, through the Action API's ``package_search`` (CKAN 2.0 and later).

Works with plain CKAN (``title``, ``notes``, ``tags``, ``extras``), with portals that
run ckanext-scheming with translated fields (``title_translated``…) and with
ckanext-dcat's extras (``uri``, ``theme``, ``frequency``…).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ckanext.wepulse import vocabularies
from harvesters import language
from harvesters.base import Adapter, Record, RecordError, SourceError, json_hash
from harvesters.mapping import (
    concept_uris,
    file_type,
    iso_date,
    licence_id,
    split_list,
)

__all__ = ["CkanAdapter"]

PAGE_SIZE = 500
_PUBLISHER_KEYS = ("uri", "name", "name_translated", "email", "url", "type")
# Fields that change without the metadata changing (page views, search ranking).
_VOLATILE = ("tracking_summary", "score", "num_followers")


class CkanAdapter(Adapter):
    source_type = "ckan"
    title = "CKAN portal (Action API)"

    @property
    def base_url(self) -> str:
        url = self.url.rstrip("/")
        for suffix in ("/api/3/action", "/api/action", "/api/3", "/api"):
            if url.endswith(suffix):
                return url[: -len(suffix)]
        return url

    def records(self) -> Iterator[Record | RecordError]:
        """Every dataset, page by page, in a stable order (by id) so paging skips none."""
        endpoint = f"{self.base_url}/api/3/action/package_search"
        start, count, seen = 0, None, set()
        while count is None or start < count:
            params: dict[str, Any] = {"q": self.config.get("q", "*:*")}
            if self.config.get("organization"):
                params["fq"] = f'organization:"{self.config["organization"]}"'
            params.update({"sort": "id asc", "rows": PAGE_SIZE, "start": start})
            body = self.http.get(endpoint, params=params).json()
            result = body.get("result") if isinstance(body, dict) else None
            if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                raise SourceError(f"{endpoint}: not a CKAN package_search answer")
            count = result.get("count", 0)
            if not result["results"]:
                break
            ids = {p.get("id") for p in result["results"] if isinstance(p, dict)}
            if ids <= seen:  # a server that ignores "start" would be asked forever
                raise SourceError(f"{endpoint}: start={start} repeats an earlier page")
            seen |= ids
            for package in result["results"]:
                yield self._record(package)
            start += len(result["results"])

    def _record(self, package: Any) -> Record | RecordError:
        if not isinstance(package, dict) or not package.get("id"):
            return RecordError("a dataset without an id in package_search")
        content = {k: v for k, v in package.items() if k not in _VOLATILE}
        return Record(
            guid=package["id"],
            payload=package,
            content_hash=json_hash(content),
            url=f"{self.base_url}/dataset/{package.get('name') or package['id']}",
            modified=package.get("metadata_modified"),
        )

    def map(self, record: Record) -> dict[str, Any]:
        package = record.payload
        extras = _extras(package)
        declared = self._language(package)
        title = _translated(package, "title", declared or self._default)
        if not title:
            raise RecordError(f"dataset {package.get('name') or record.guid} has no title")
        # Undeclared, the dataset is in the language its title turned out to be in.
        default = declared or next(iter(title))
        themes, unknown = concept_uris(
            "data_themes",
            [*split_list(_json_list(extras.get("theme"))), *_group_titles(package)],
        )
        keyword_pairs = [(tag, default) for tag in _tag_names(package) + unknown]
        keyword_pairs += _translated_tags(package)
        dataset = {
            "title_translated": title,
            "notes_translated": _translated(package, "notes", default),
            "tags_translated": language.keywords(keyword_pairs, default),
            "theme": themes,
            "license_id": licence_id(package.get("license_id"))
            or licence_id(package.get("license_url"))
            or licence_id(package.get("license_title")),
            "language": concept_uris("languages", split_list(_json_list(package.get("language"))))[
                0
            ],
            "frequency": _first(concept_uris("frequencies", [extras.get("frequency")])[0]),
            "url": package.get("url") or record.url,
            "uri": extras.get("uri") or package.get("uri") or record.url,
            "identifier": extras.get("identifier") or package.get("name") or record.guid,
            "version": package.get("version"),
            "issued": iso_date(extras.get("issued") or package.get("metadata_created")),
            "modified": iso_date(extras.get("modified") or package.get("metadata_modified")),
            "contact": _contacts(package),
            "publisher": _publisher(package, self.base_url),
            "resources": [_resource(r, default) for r in package.get("resources") or []],
        }
        return {key: value for key, value in dataset.items() if value not in (None, "", [], {})}

    @property
    def _default(self) -> str:
        return self.config.get("default_language", language.CONTENT_LANGUAGES[0])

    def _language(self, package: dict[str, Any]) -> str | None:
        """The content language the dataset declares, if any."""
        for code in split_list(_json_list(package.get("language"))):
            concept = concept_uris("languages", [code])[0]
            iso = _iso_639_1(concept[0]) if concept else None
            if iso in language.CONTENT_LANGUAGES:
                return iso
        return None


def _translated(package: dict[str, Any], field: str, default: str) -> dict[str, str]:
    """A field's translations: ``<field>_translated`` when the source has it, else the
    plain field in the dataset's language, both checked by language detection."""
    given = package.get(f"{field}_translated")
    if isinstance(given, str):
        given = _json(given)
    if isinstance(given, dict) and any(given.values()):
        return language.translations([(text, lang) for lang, text in given.items()], default)
    text = package.get(field)
    return language.translations([(text, None if field == "notes" else default)], default)


def _resource(resource: dict[str, Any], default: str) -> dict[str, Any]:
    mapped = {
        "url": resource.get("url") or "",
        "name_translated": language.translations([(resource.get("name"), default)], default),
        "description_translated": language.translations(
            [(resource.get("description"), default)], default
        ),
        "format": file_type(resource.get("format")),
        "mimetype": resource.get("mimetype"),
        "size": resource.get("size") if isinstance(resource.get("size"), int) else None,
        "hash": resource.get("hash"),
    }
    return {key: value for key, value in mapped.items() if value not in (None, "", {})}


def _contacts(package: dict[str, Any]) -> list[dict[str, str]]:
    contacts = []
    for role in ("maintainer", "author"):
        name, email = package.get(role), package.get(f"{role}_email")
        # Some portals store a JSON person (or list of them) in the name field.
        person = _json(name) if isinstance(name, str) and name[:1] in "{[" else None
        if isinstance(person, list):
            person = person[0] if person and isinstance(person[0], dict) else None
        if isinstance(person, dict):
            given = " ".join(filter(None, [person.get("given_name"), person.get("name")]))
            name, email = given or None, email or person.get("email")
        contact = {key: value for key, value in {"name": name, "email": email}.items() if value}
        if contact and contact not in contacts:
            contacts.append(contact)
    return contacts


def _publisher(package: dict[str, Any], base_url: str) -> list[dict[str, Any]]:
    """Who published the dataset: the publisher the portal gives it (ckanext-dcat's
    scheming field or its ``publisher_*`` extras), else its organization, named by its
    title and identified by its page, the IRI ckanext-dcat publishes for it."""
    given = package.get("publisher")
    given = _json(given) if isinstance(given, str) else given
    if isinstance(given, list) and given and isinstance(given[0], dict):
        publisher = {key: given[0].get(key) for key in _PUBLISHER_KEYS}
    else:
        extras = _extras(package)
        publisher = {key: extras.get(f"publisher_{key}") for key in _PUBLISHER_KEYS}
    organization = package.get("organization")
    if not (publisher.get("name") or publisher.get("uri")) and isinstance(organization, dict):
        titles = organization.get("title_translated")
        titles = _json(titles) if isinstance(titles, str) else titles
        publisher = {
            "uri": f"{base_url}/organization/{organization['name']}"
            if organization.get("name")
            else None,
            "name": organization.get("title") or organization.get("name"),
            "name_translated": titles if isinstance(titles, dict) else None,
        }
    publisher = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in publisher.items()
        if isinstance(value, dict if key == "name_translated" else str) and value
    }
    return [publisher] if publisher.get("name") or publisher.get("uri") else []


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _extras(package: dict[str, Any]) -> dict[str, Any]:
    extras = package.get("extras") or []
    if isinstance(extras, dict):
        return extras
    return {e["key"]: e.get("value") for e in extras if isinstance(e, dict) and "key" in e}


def _tag_names(package: dict[str, Any]) -> list[str]:
    return [t.get("display_name") or t.get("name", "") for t in package.get("tags") or []]


def _translated_tags(package: dict[str, Any]) -> list[tuple[str, str]]:
    """(keyword, language) pairs of a fluent portal's ``tags_translated``."""
    tags = package.get("tags_translated")
    tags = _json(tags) if isinstance(tags, str) else tags
    if not isinstance(tags, dict):
        return []
    return [(tag, lang) for lang, words in tags.items() if isinstance(words, list) for tag in words]


def _group_titles(package: dict[str, Any]) -> list[str]:
    return [g.get("title") or g.get("name", "") for g in package.get("groups") or []]


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


def _json_list(value: Any) -> Any:
    """A list stored as a JSON string (ckanext-dcat's extras) as a list; else unchanged."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        parsed = _json(value)
        if isinstance(parsed, list):
            return parsed
    return value


def _iso_639_1(language_uri: str) -> str | None:
    concept = vocabularies.load("languages").get(language_uri)
    return concept.extra.get("iso_639_1") if concept else None
