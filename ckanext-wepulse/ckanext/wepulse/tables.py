"""Tabular files in the DataStore: loading one, and the first rows of a table for
the resource page's preview."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pandas as pd

from ckanext.wepulse.seeding import site_context

PREVIEW_ROWS = 10
# PostgreSQL's number types, as the DataStore reports them (right-aligned in previews).
NUMBER_TYPES = {"int", "int2", "int4", "int8", "numeric", "float4", "float8"}


def load_csv(resource_id: str, path: str) -> int:
    """Replace the resource's DataStore table with the CSV file's rows (the
    separator is sniffed, columns typed from their values); returns the row count."""
    frame = pd.read_csv(
        path, sep=None, engine="python", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    fields, columns = [], {}
    for name in frame.columns:
        kind, values = _typed(frame[name].str.strip())
        fields.append({"id": str(name), "type": kind})
        columns[str(name)] = values
    records = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    context = site_context()
    try:
        tk.get_action("datastore_delete")(
            dict(context), {"resource_id": resource_id, "force": True}
        )
    except tk.ObjectNotFound:
        pass  # no table yet
    tk.get_action("datastore_create")(
        dict(context),
        {"resource_id": resource_id, "force": True, "fields": fields, "records": records},
    )
    return len(records)


def _typed(values: pd.Series) -> tuple[str, list[Any]]:
    """A column's DataStore type and its values: numbers where every filled cell is
    one, text otherwise. Codes written with a leading zero (NIS "049") stay text,
    and an empty cell is no value."""
    filled = values[values != ""]
    numbers = pd.to_numeric(filled, errors="coerce")
    if filled.empty or numbers.isna().any() or filled.str.match(r"[-+]?0\d").any():
        return "text", [v or None for v in values]
    if (numbers % 1 == 0).all():
        return "int8", [int(v) if v else None for v in values]  # budgets exceed int4
    return "numeric", [float(v) if v else None for v in values]


def preview(resource_id: str, rows: int = PREVIEW_ROWS) -> dict[str, Any] | None:
    """The table's columns, first ``rows`` records and total, as the visitor may see
    them; None when the DataStore has no table for the resource."""
    try:
        result = tk.get_action("datastore_search")(
            {}, {"resource_id": resource_id, "limit": rows, "include_total": True}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None
    fields = [
        {**f, "number": f["type"] in NUMBER_TYPES} for f in result["fields"] if f["id"] != "_id"
    ]
    return {"fields": fields, "records": result["records"], "total": result.get("total", 0)}
