"""Who an organization is, however another catalogue writes it.

Catalogues name the same authority differently: data.gov.be by its enterprise
number (``https://org.belgif.be/id/CbeRegisteredEntity/0207373429``), another
portal by "Ville de Bruxelles", "Stad Brussel" or "City of Brussels", REFNIS by
"Bruxelles" / "Brussel". These functions turn identifiers and names into keys
that are equal when they denote the same organization. Pure Python: no CKAN.
"""

from __future__ import annotations

import re

from ckanext.wepulse.security import links
from ckanext.wepulse.vocabularies import fold

__all__ = [
    "CPAS",
    "MUNICIPALITY",
    "authority_name_keys",
    "enterprise_iri",
    "enterprise_number",
    "identifier",
    "identifier_key",
    "plain",
    "publisher_name_keys",
]

MUNICIPALITY = "municipality"
CPAS = "cpas"

#: Belgif's IRI of a registered entity of the Crossroads Bank for Enterprises (CBE/KBO).
CBE_IRI = "https://org.belgif.be/id/CbeRegisteredEntity/{}"
_CBE_IRI = re.compile(r"https?://org\.belgif\.be/id/CbeRegisteredEntity/(\d{10})/?", re.IGNORECASE)
_CBE_NUMBER = re.compile(r"(?:BE)?\s*([01]?\d{3})[.\s]?(\d{3})[.\s]?(\d{3})", re.IGNORECASE)
# Skolem IRIs (RFC 7511) stand for blank nodes: they change from one export to the next.
_SKOLEM = "/.well-known/genid/"

# What precedes an authority's own name in the ways it is written ("Ville de
# Bruxelles", "OCMW Elsene"), by the kind of authority it says it is; in folded form
# (see ``plain``), so "d'Ixelles" is "d ixelles" and ÖSHZ is "oshz".
_PREFIXES = {
    MUNICIPALITY: (
        "administration communale de", "administration communale d", "commune de",
        "commune d", "ville de", "ville d", "cite de", "gemeentebestuur van",
        "gemeentebestuur", "gemeente", "stadsbestuur van", "stadsbestuur", "stad",
        "city of", "town of", "municipality of", "gemeinde", "stadt",
    ),
    CPAS: (
        "centre public d action sociale de", "centre public d action sociale d",
        "cpas de", "cpas d", "cpas",
        "openbaar centrum voor maatschappelijk welzijn van",
        "openbaar centrum voor maatschappelijk welzijn", "ocmw van", "ocmw",
        "offentliches sozialhilfezentrum", "oshz",
    ),
}  # fmt: skip
# Longest first, so "cpas de" is taken before "cpas".
_ORDERED_PREFIXES = sorted(
    ((prefix, kind) for kind, prefixes in _PREFIXES.items() for prefix in prefixes),
    key=lambda pair: -len(pair[0]),
)


def enterprise_iri(value: object) -> str | None:
    """The CBE IRI of an enterprise number ("0207.373.429", "BE 0207373429",
    "207373429"), or None if ``value`` is not one (its check digits included)."""
    if not isinstance(value, str):
        return None
    match = _CBE_NUMBER.fullmatch(value.strip())
    if not match:
        return None
    digits = "".join(match.groups()).rjust(10, "0")
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        return None
    return CBE_IRI.format(digits)


def enterprise_number(value: object) -> str | None:
    """The ten digits of a CBE IRI (http or https) or of an enterprise number."""
    if isinstance(value, str):
        match = _CBE_IRI.fullmatch(value.strip())
        iri = CBE_IRI.format(match.group(1)) if match else enterprise_iri(value)
        if iri:
            return iri.rsplit("/", 1)[1]
    return None


def identifier(value: object) -> str | None:
    """The identifier as an organization stores it: an enterprise number as its CBE
    IRI, an IRI as checked by ``links.iri``; None for anything else and for Skolem
    IRIs, which identify nothing beyond one export."""
    iri = enterprise_iri(value) or links.iri(value)
    if iri is None or _SKOLEM in iri:
        return None
    return iri


def identifier_key(value: object) -> str | None:
    """A comparable form of an identifier: http and https, a trailing slash and case
    make no difference (catalogues write the same IRI all these ways)."""
    iri = identifier(value)
    if iri is None:
        return None
    key = iri.casefold().rstrip("/")
    return key.split("://", 1)[1] if key.startswith(("http://", "https://")) else key


def plain(name: str) -> str:
    """A name without case, accents, hyphens or punctuation: "Woluwé-Saint-Lambert"
    and "woluwe saint lambert" are one."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(name)).replace("_", " ").split())


def _without_prefix(text: str) -> tuple[str | None, str]:
    for prefix, kind in _ORDERED_PREFIXES:
        if text.startswith(prefix + " "):
            return kind, text[len(prefix) + 1 :]
    return None, text


def authority_name_keys(name: str, authority_type: str | None) -> set[tuple[str | None, str]]:
    """The keys an organization's name is found by: the whole name, and for a
    municipality or a CPAS, its own name after the words that say which it is."""
    text = plain(name)
    keys: set[tuple[str | None, str]] = {(None, text)} if text else set()
    if text and authority_type in (MUNICIPALITY, CPAS):
        _kind, own_name = _without_prefix(text)
        keys.add((authority_type, own_name))
    return keys


def publisher_name_keys(name: str) -> set[tuple[str | None, str]]:
    """The keys a publisher's name may match: itself whole, and the authority its
    words name ("CPAS de Jette" is Jette's CPAS; a bare "Jette", the municipality)."""
    text = plain(name)
    if not text:
        return set()
    kind, own_name = _without_prefix(text)
    return {(None, text), (kind or MUNICIPALITY, own_name)}
