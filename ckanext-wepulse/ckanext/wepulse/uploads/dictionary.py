"""The data dictionary: each column of a table as its publisher describes it.

An entry starts as the reading found the column and keeps what the publisher
corrected (its published name, type, title and description per language, unit)
across new versions of the file, matched by the column's header. It decides how
the table is loaded, is shown to citizens, and is published as a Frictionless
Table Schema (the distribution's ``dct:conformsTo``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ckanext.wepulse.uploads import reading as reading_

__all__ = [
    "LANGUAGES",
    "check",
    "column_info",
    "merge",
    "published_columns",
    "table_schema",
    "type_overrides",
]

LANGUAGES = ("fr", "nl", "de", "en")
MAX_TEXT = 2000
# The DataStore's rules for a column name (PostgreSQL's identifier length, no leading
# underscore: those are its own columns, no double quote).
_NAME = re.compile(r'^[^_"\s][^"]{0,62}$')
#: Table Schema's type of each of our types.
SCHEMA_TYPES = {
    "integer": "integer",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
    "code": "string",
    "nis_code": "string",
    "postal_code": "string",
    "text": "string",
}
_PATTERNS = {"nis_code": r"[1-9][0-9]{4}", "postal_code": r"[0-9]{4,5}"}


def merge(dictionary: list[dict[str, Any]], reading: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The dictionary for a new reading: a column the publisher already described
    (same header) keeps its description and corrections; a new one starts as found."""
    known = {entry["source_name"]: entry for entry in dictionary}
    merged = []
    for column in reading.get("columns", []):
        entry = known.get(column["source_name"])
        found = {
            "column": column["name"],
            "source_name": column["source_name"],
            "found_type": column["type"],
        }
        if entry is None:
            merged.append(
                {**found, "name": column["name"], "type": column["type"], "title": {},
                 "description": {}, "unit": ""}
            )  # fmt: skip
        elif entry["type"] == entry.get("found_type"):  # a type the publisher left as found
            merged.append({**entry, **found, "type": column["type"]})
        else:
            merged.append({**entry, **found})
    return merged


def type_overrides(dictionary: list[dict[str, Any]]) -> dict[str, str]:
    """The types the publisher corrected, by the reading's column name."""
    return {e["column"]: e["type"] for e in dictionary if e["type"] != e.get("found_type")}


def published_columns(
    reading: reading_.Reading, dictionary: list[dict[str, Any]]
) -> list[reading_.Column]:
    """The reading's columns under the names and types the dictionary publishes."""
    entries = {e["column"]: e for e in dictionary}
    columns = []
    for column in reading.columns:
        entry = entries.get(column.name)
        if entry:
            column = dataclasses.replace(column, name=entry["name"], type=entry["type"])
        columns.append(column)
    return columns


def check(entries: list[dict[str, Any]]) -> dict[str, str]:
    """What is wrong with a publisher's dictionary, by entry position and field
    (``"3.name"``); empty when it can be saved."""
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        name = entry.get("name", "")
        if not _NAME.match(name):
            errors[f"{index}.name"] = "invalid_name"
        elif name.lower() in seen:
            errors[f"{index}.name"] = "duplicate_name"
        seen.add(name.lower())
        if entry.get("type") not in reading_.TYPES:
            errors[f"{index}.type"] = "invalid_type"
        texts = [entry.get("unit", "")]
        texts += [*entry.get("title", {}).values(), *entry.get("description", {}).values()]
        if any(len(text) > MAX_TEXT for text in texts):
            errors[f"{index}.description"] = "too_long"
    return errors


def _first(texts: Mapping[str, str], language: str) -> str:
    """The text in ``language``, else in the first language that has one."""
    for lang in (language, *LANGUAGES):
        if texts.get(lang):
            return texts[lang]
    return ""


def column_info(entry: Mapping[str, Any], language: str) -> dict[str, str]:
    """The entry as the DataStore's own data dictionary holds it (``datastore_info``)."""
    return {
        "label": _first(entry.get("title", {}), language) or entry["source_name"],
        "notes": _first(entry.get("description", {}), language),
        "unit": entry.get("unit", ""),
    }


def table_schema(dictionary: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """The dictionary as a Frictionless Table Schema (https://specs.frictionlessdata.io/
    table-schema/): titles and descriptions in ``language`` (else the first language
    written), all of them under ``titles`` and ``descriptions`` by language."""
    fields = []
    for entry in dictionary:
        field: dict[str, Any] = {"name": entry["name"], "type": SCHEMA_TYPES[entry["type"]]}
        title = _first(entry.get("title", {}), language)
        description = _first(entry.get("description", {}), language)
        if title:
            field["title"] = title
        if description:
            field["description"] = description
        if entry["type"] in _PATTERNS:
            field["constraints"] = {"pattern": _PATTERNS[entry["type"]]}
        if entry["type"] == "date":
            field["format"] = "%Y-%m-%d"  # as the DataStore gives dates
        if entry.get("unit"):
            field["unit"] = entry["unit"]
        field["wepulse:type"] = entry["type"]
        for key in ("title", "description"):
            if entry.get(key):
                field[f"{key}s"] = dict(entry[key])
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}
