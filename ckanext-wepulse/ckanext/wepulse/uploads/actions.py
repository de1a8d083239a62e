"""The tables' Action API: a table's reading, report, dictionary and loads; the
publisher's corrections; publishing a draft dataset."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.logic.schema import validator_args
from ckan.types import Context, DataDict, Schema, Validator

from ckanext.wepulse.uploads import dictionary, jobs
from ckanext.wepulse.uploads.model import Table, TableLoad

__all__ = ["wepulse_dataset_publish", "wepulse_table_show", "wepulse_table_update"]


@validator_args
def _show_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"resource_id": [not_empty, unicode_safe]}


@validator_args
def _publish_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@tk.side_effect_free
@validate(_show_schema)
def wepulse_table_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """How a tabular resource's file was read and where its table stands.

    Everyone who may see the resource gets its status, when it was checked, how
    many errors and warnings were found, and its data dictionary (each column's
    published name, type, title and description per language, unit). Its
    authority's editors also get the full reading (encoding, separator, header
    row, sheets, columns, preview, each finding with its row and column) and the
    last loads (status, rows, seconds, errors).

    :param resource_id: the resource's id
    :type resource_id: string
    :rtype: dictionary; status is one of queued, reading, checked (has errors, waits
        for its publisher), loading, loaded, failed, unreadable, or None when the
        resource's file was never read
    """
    tk.check_access("wepulse_table_show", context, data_dict)
    table = Table.get(data_dict["resource_id"])
    if table is None:
        return {"resource_id": data_dict["resource_id"], "status": None, "dictionary": []}
    found = table.as_dict()
    if _may_update(context, data_dict["resource_id"]):
        found["loads"] = [load.as_dict() for load in TableLoad.history(table.resource_id)]
        found["progress"] = jobs.progress(table.resource_id)
    else:
        found.pop("reading")  # findings quote cells, which may hold personal data
        found.pop("load_anyway")
    return found


def wepulse_table_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Correct how a table is read, then have it read and loaded again.

    :param resource_id: the resource's id
    :type resource_id: string
    :param dictionary: optional, the data dictionary: one entry per column, in the
        file's order, each with ``column`` (the column as read, from
        ``wepulse_table_show``), ``name`` (as published), ``type`` (integer, decimal,
        date, datetime, boolean, code, nis_code, postal_code or text), ``title`` and
        ``description`` (``{language: text}``) and ``unit``
    :type dictionary: list of dictionaries
    :param sheet: optional, the workbook's sheet to publish
    :type sheet: string
    :param load_anyway: optional, load the table although the file has errors (cells
        that break their column's type are loaded empty)
    :type load_anyway: bool
    :rtype: dictionary, as ``wepulse_table_show``
    """
    # Not validated by a navl schema: it would flatten the dictionary's nested
    # entries away. Each field is checked below instead.
    resource_id = tk.get_or_bust(data_dict, "resource_id")
    tk.check_access("wepulse_table_update", context, {"resource_id": resource_id})
    resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    table = Table.get(resource["id"])
    if table is None or not table.reading:
        raise tk.ValidationError({"resource_id": [tk._("This file has not been read yet.")]})
    if "dictionary" in data_dict:
        table.dictionary = _corrected(table.dictionary, data_dict["dictionary"])
    if "sheet" in data_dict:
        sheets = table.reading.get("sheets") or []
        if not isinstance(data_dict["sheet"], str):
            raise tk.ValidationError({"sheet": [tk._("This workbook has no such sheet.")]})
        if data_dict["sheet"] not in sheets:
            raise tk.ValidationError({"sheet": [tk._("This workbook has no such sheet.")]})
        table.sheet = data_dict["sheet"]
    if "load_anyway" in data_dict:
        try:
            table.load_anyway = tk.asbool(data_dict["load_anyway"])
        except ValueError:
            raise tk.ValidationError({"load_anyway": [tk._("True or false.")]}) from None
    model.Session.commit()
    jobs.queue_check(resource)
    return tk.get_action("wepulse_table_show")(dict(context), {"resource_id": resource["id"]})


@validate(_publish_schema)
def wepulse_dataset_publish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a draft dataset: from now on it is public (unless it is private).

    :param id: the dataset's id or name
    :type id: string
    :rtype: dictionary, the dataset
    """
    tk.check_access("wepulse_dataset_publish", context, data_dict)
    return tk.get_action("package_patch")(dict(context), {"id": data_dict["id"], "state": "active"})


def _corrected(current: list[dict[str, Any]], submitted: Any) -> list[dict[str, Any]]:
    """The publisher's dictionary, entry by entry over the columns read (a column
    cannot be added or removed here, only described), or a ValidationError."""
    if not isinstance(submitted, list) or len(submitted) != len(current):
        raise tk.ValidationError({"dictionary": [tk._("One entry per column, in order.")]})
    entries = []
    for known, entry in zip(current, submitted, strict=True):
        if not isinstance(entry, dict) or entry.get("column", known["column"]) != known["column"]:
            raise tk.ValidationError({"dictionary": [tk._("One entry per column, in order.")]})
        entries.append(
            {
                **known,
                "name": str(entry.get("name", known["name"])).strip(),
                "type": entry.get("type", known["type"]),
                "title": _texts(entry.get("title", known.get("title"))),
                "description": _texts(entry.get("description", known.get("description"))),
                "unit": str(entry.get("unit", known.get("unit")) or "").strip(),
            }
        )
    problems = dictionary.check(entries)
    if problems:
        messages = {
            "invalid_name": tk._(
                "A column name has 1 to 63 characters, does not start with _ or a space, "
                "and has no double quote."
            ),
            "duplicate_name": tk._("Two columns cannot have the same name."),
            "invalid_type": tk._("Choose one of the types offered."),
            "too_long": tk._("Titles, descriptions and units have at most 2,000 characters."),
        }
        raise tk.ValidationError({key: [messages[code]] for key, code in problems.items()})
    return entries


def _texts(value: Any) -> dict[str, str]:
    """``{language: text}`` in our languages, empty texts left out."""
    if not isinstance(value, dict):
        return {}
    return {
        lang: str(value[lang]).strip()
        for lang in dictionary.LANGUAGES
        if isinstance(value.get(lang), str) and value[lang].strip()
    }


def _may_update(context: Context, resource_id: str) -> bool:
    try:
        tk.check_access("wepulse_table_update", dict(context), {"resource_id": resource_id})
    except tk.NotAuthorized:
        return False
    return True
