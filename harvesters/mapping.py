"""Small mapping steps every adapter shares: vocabularies, HTML, dates.

A harvested value that no vocabulary knows is never an error (the record would be
lost over one odd theme); each function says what it could not map, so a mapping
can keep it elsewhere, as a keyword for instance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from markdownify import markdownify

from ckanext.wepulse import vocabularies

__all__ = [
    "concept_uris",
    "file_type",
    "html_to_markdown",
    "iso_date",
    "licence_id",
    "split_list",
]


def concept_uris(vocabulary: str, values: Iterable[str | None]) -> tuple[list[str], list[str]]:
    """The IRIs of the concepts ``values`` denote (by IRI, code or label), without
    repeats, and the values the vocabulary does not know."""
    found: list[str] = []
    unknown: list[str] = []
    loaded = vocabularies.load(vocabulary)
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        concept = loaded.lookup(value.strip())
        if concept is None:
            unknown.append(value.strip())
        elif concept.uri not in found:
            found.append(concept.uri)
    return found, unknown


def licence_id(value: str | None) -> str | None:
    """The portal's licence id for a licence IRI, URL, code or title, or None."""
    if not value or not value.strip():
        return None
    licences = vocabularies.load("licences")
    # People write "CC BY 4.0" for the code CC_BY_4_0.
    code = re.sub(r"[\s.-]+", "_", value.strip().upper())
    concept = licences.lookup(value.strip()) or licences.lookup(code)
    if concept is None:
        return None
    return concept.extra.get("ckan_id") or concept.code


def file_type(value: str | None) -> str | None:
    """A format as the EU file-type code ("text/csv", "csv", ".CSV" → "CSV"), else as given."""
    if not value or not value.strip():
        return None
    concept = vocabularies.load("file_types").lookup(value.strip().lstrip("."))
    return concept.code if concept else value.strip()


def html_to_markdown(html: str | None) -> str:
    """Markdown for an HTML description (plain text passes through unchanged)."""
    if not html:
        return ""
    if "<" not in html:
        return html.strip()
    text = markdownify(html, heading_style="ATX", bullets="-", strip=["img", "script", "style"])
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def iso_date(value: str | date | None) -> str | None:
    """An ISO 8601 date or date-time as the schema stores it, or None when unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    try:
        if len(text) > 10:  # a date-time; a bare date stays a date
            return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def split_list(value: str | list[str] | None, separators: str = ",;|") -> list[str]:
    """A list from a list, or from a string that separates items with , ; or |."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    parts = re.split("|".join(map(re.escape, separators)), str(value))
    return [part.strip() for part in parts if part.strip()]
