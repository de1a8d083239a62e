"""Template helpers of the tables: a table's state, and the words for what was found."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse.uploads.reading import TYPES

PREVIEW_ROWS = 10
# PostgreSQL's number types, as the DataStore reports them (right-aligned in previews).
NUMBER_TYPES = {"int", "int2", "int4", "int8", "numeric", "float4", "float8"}

__all__ = [
    "wepulse_encoding_label",
    "wepulse_finding_text",
    "wepulse_separator_label",
    "wepulse_table",
    "wepulse_table_preview",
    "wepulse_table_type_label",
    "wepulse_table_types",
]


def wepulse_table(resource_id: str) -> dict[str, Any] | None:
    """The table as the visitor may see it (its report for its editors only)."""
    try:
        table = tk.get_action("wepulse_table_show")({}, {"resource_id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    return table if table["status"] else None


def wepulse_table_preview(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The first rows of the resource's DataStore table, as the visitor may see them
    (numbers flagged, to align them), or None when it has none."""
    if not resource.get("datastore_active"):
        return None
    try:
        result = tk.get_action("datastore_search")(
            {}, {"resource_id": resource["id"], "limit": PREVIEW_ROWS, "include_total": True}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None
    fields = [
        {**f, "number": f["type"] in NUMBER_TYPES} for f in result["fields"] if f["id"] != "_id"
    ]
    return {"fields": fields, "records": result["records"], "total": result.get("total", 0)}


def wepulse_table_types() -> list[str]:
    return list(TYPES)


def wepulse_table_type_label(kind: str) -> str:
    return {
        "integer": tk._("Whole number"),
        "decimal": tk._("Decimal number"),
        "date": tk._("Date"),
        "datetime": tk._("Date and time"),
        "boolean": tk._("Yes or no"),
        "code": tk._("Code (kept as written, leading zeros included)"),
        "nis_code": tk._("NIS code of a municipality"),
        "postal_code": tk._("Postal code"),
        "text": tk._("Text"),
    }.get(kind, kind)


def wepulse_encoding_label(encoding: str | None) -> str:
    return {
        "utf-8": "UTF-8",
        "utf-8-sig": tk._("UTF-8 with a byte order mark"),
        "utf-16": "UTF-16",
        "cp1252": tk._("Windows-1252 (Western European)"),
        "cp850": tk._("DOS code page 850 (Western European)"),
        "iso-8859-15": tk._("ISO-8859-15 (Latin-9)"),
        "iso-8859-1": tk._("ISO-8859-1 (Latin-1)"),
    }.get((encoding or "").lower(), encoding or "")


def wepulse_separator_label(separator: str | None) -> str:
    return {
        ";": tk._("semicolon (;)"),
        ",": tk._("comma (,)"),
        "\t": tk._("tab"),
        "|": tk._("vertical bar (|)"),
    }.get(separator or "", separator or "")


def wepulse_finding_text(finding: dict[str, Any]) -> dict[str, str]:
    """What was found and what to do, in the page's language."""
    params = {k: _words(v) for k, v in (finding.get("params") or {}).items()}
    params.setdefault("count", finding.get("count", 1))
    params.setdefault("row", finding.get("row"))
    params.setdefault("column", finding.get("column"))
    if "type" in params:
        params["type"] = wepulse_table_type_label(str(finding["params"]["type"]))
    if "reason" in params:
        params["reason"] = _reasons().get(str(finding["params"]["reason"]), params["reason"])
    if "kind" in params:
        params["kind"] = {
            "national_register_number": tk._("national register numbers"),
            "email": tk._("e-mail addresses"),
            "phone": tk._("phone numbers"),
        }.get(str(finding["params"]["kind"]), params["kind"])
    message, advice = _texts(int(finding.get("count") or 1)).get(
        finding["code"], (finding["code"], "")
    )
    try:
        return {"message": message.format(**params), "advice": advice.format(**params)}
    except (KeyError, IndexError, ValueError):  # a reader newer than its words
        return {"message": message, "advice": advice}


def _words(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _reasons() -> dict[str, str]:
    """Why a file is unreadable (reading.read's reasons), in the page's language."""
    return {
        "empty": tk._("the file is empty"),
        "binary": tk._("it is not text"),
        "corrupt": tk._("it is damaged"),
        "encrypted": tk._("it is protected by a password"),
        "not_a_table": tk._("no table was found in it"),
        "too_large": tk._("it is too large once uncompressed"),
        "line_too_long": tk._("a line is too long"),
        "field_too_large": tk._("a cell is too large"),
        "no_such_sheet": tk._("the chosen sheet is not in it"),
        "io_error": tk._("it could not be opened"),
        "unexpected": tk._("an unexpected problem"),
    }


def _texts(count: int) -> dict[str, tuple[str, str]]:
    """Each finding's message and advice (built per call: the words are the
    request's, and the message agrees with ``count``)."""
    _ = tk._

    def ungettext(singular: str, plural: str) -> str:
        return tk.ungettext(singular, plural, count)

    return {
        "unreadable": (
            _("The file cannot be read as a table ({reason})."),
            _("Save it again as CSV (UTF-8) or XLSX from your spreadsheet, then upload it."),
        ),
        "mixed_encoding": (
            _("The file mixes two character encodings: some accented letters may be wrong."),
            _("Save the file again as CSV UTF-8 from your spreadsheet, then upload it."),
        ),
        "lost_characters": (
            ungettext(
                "{count} value has a question mark inside a word, where a letter was lost.",
                "{count} values have a question mark inside a word, where a letter was lost.",
            ),
            _("Check the accents in the original and export the file again as UTF-8."),
        ),
        "blank_header": (
            _("Column {column} has no name in the header."),
            _("It is published as {column}: give it a name here or in the file."),
        ),
        "duplicate_header": (
            _("Two columns have the same name; this one is published as {column}."),
            _("Give each column its own name."),
        ),
        "ragged_row_long": (
            ungettext(
                "{count} row has more cells than the header: row {row}.",
                "{count} rows have more cells than the header, from row {row} on.",
            ),
            _("The extra cells would be lost: check for a separator inside a value."),
        ),
        "ragged_row_short": (
            ungettext(
                "{count} row has fewer cells than the header: row {row}.",
                "{count} rows have fewer cells than the header, from row {row} on.",
            ),
            _("The missing cells are read as empty: check that nothing was cut."),
        ),
        "blank_rows": (
            ungettext(
                "{count} row is blank: row {row}.", "{count} rows are blank, from row {row} on."
            ),
            _("They are left out of the table."),
        ),
        "type_mismatch": (
            ungettext(
                "{count} value of column {column} is not of its type ({type}): row {row}.",
                "{count} values of column {column} are not of its type ({type}), "
                "from row {row} on.",
            ),
            _("Correct those values, or describe the column as text."),
        ),
        "mixed_date_formats": (
            _("Column {column} writes its dates in several ways ({formats})."),
            _("They are all read; writing them one way would be clearer."),
        ),
        "ambiguous_dates": (
            _("Some dates of column {column} read only month first ({formats})."),
            _("Write dates as day/month/year or year-month-day."),
        ),
        "merged_cells": (
            ungettext(
                "The sheet has {count} merged cell range: row {row}.",
                "The sheet has {count} merged cell ranges, from row {row} on.",
            ),
            _("Only the first cell of a merge holds its value: unmerge them and fill each cell."),
        ),
        "formulas": (
            ungettext(
                "{count} cell is computed by a formula: {cell}.",
                "{count} cells are computed by formulas, the first in {cell}.",
            ),
            _("Their last computed values are published; check they are up to date."),
        ),
        "other_sheets": (
            _("The workbook has other sheets with data: {sheets}."),
            _("Only one sheet is published: choose it above, or publish each as a resource."),
        ),
        "personal_data": (
            _("Column {column} seems to hold {kind}."),
            _("Check that publishing them is lawful (GDPR); remove the column if not."),
        ),
        "empty_table": (
            _("The table has a header but no rows."),
            _("Check that the right file or sheet was uploaded."),
        ),
        "too_many_columns": (
            _("The table has more columns than a table can hold ({count})."),
            _("Split it into several files."),
        ),
    }
