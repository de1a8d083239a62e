"""The publisher's pages of a table (its columns to describe, the choice to load it
despite its errors, publishing the draft dataset) and the table's published
descriptions (its Table Schema, its load's progress)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, jsonify

from ckanext.wepulse.uploads import dictionary

bp = Blueprint("wepulse_uploads", __name__)

TABLE = "/dataset/<id>/resource/<resource_id>/table"


@bp.route(TABLE + "/columns", methods=["GET", "POST"])
def columns(id: str, resource_id: str) -> Any:
    """The data dictionary's form: each column's name, type, unit, and its title and
    description in each language."""
    dataset, resource, table = _editable(id, resource_id)
    errors: dict[str, list[str]] = {}
    entries = table["dictionary"]
    if tk.request.method == "POST":
        entries = _submitted(entries, tk.request.form)
        try:
            tk.get_action("wepulse_table_update")(
                {}, {"resource_id": resource_id, "dictionary": entries}
            )
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("The columns are saved; the file is being read again."))
            return tk.redirect_to(_resource_url(dataset, resource_id))
    return tk.render(
        "uploads/columns.html",
        {
            "pkg": dataset,
            "res": resource,
            "table": table,
            "entries": entries,
            "errors": errors,
            "languages": dictionary.LANGUAGES,
        },
    )


@bp.route(TABLE + "/load", methods=["POST"])
def load_anyway(id: str, resource_id: str) -> Any:
    dataset, _resource, _table = _editable(id, resource_id)
    tk.get_action("wepulse_table_update")({}, {"resource_id": resource_id, "load_anyway": True})
    tk.h.flash_success(tk._("The table is being loaded despite its errors."))
    return tk.redirect_to(_resource_url(dataset, resource_id))


@bp.route(TABLE + "/sheet", methods=["POST"])
def choose_sheet(id: str, resource_id: str) -> Any:
    dataset, _resource, _table = _editable(id, resource_id)
    try:
        tk.get_action("wepulse_table_update")(
            {}, {"resource_id": resource_id, "sheet": tk.request.form.get("sheet", "")}
        )
    except tk.ValidationError:
        return tk.abort(400, tk._("This workbook has no such sheet."))
    tk.h.flash_success(tk._("The sheet is being read."))
    return tk.redirect_to(_resource_url(dataset, resource_id))


@bp.route(TABLE + "/status.json")
def status(id: str, resource_id: str) -> Response:
    """Where the table stands, for the resource page to follow a load as it runs."""
    table = _show(resource_id)
    total = ((table.get("reading") or {}).get("rows")) or None
    return jsonify(
        {
            "status": table["status"],
            "rows_loaded": table.get("progress"),
            "rows": total,
        }
    )


@bp.route(TABLE + "/schema.json")
def schema(id: str, resource_id: str) -> Response:
    """The data dictionary as a Frictionless Table Schema (the distribution's
    ``dct:conformsTo`` in DCAT-AP)."""
    table = _show(resource_id)
    if not table["dictionary"]:
        return tk.abort(404, tk._("This resource has no data dictionary."))
    response = jsonify(dictionary.table_schema(table["dictionary"], tk.h.lang()))
    response.headers["Content-Type"] = "application/schema+json"
    return response


@bp.route("/dataset/<id>/publish", methods=["POST"])
def publish(id: str) -> Any:
    try:
        dataset = tk.get_action("wepulse_dataset_publish")({}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the authority's editors can publish this dataset."))
    tk.h.flash_success(tk._("The dataset is published."))
    return tk.redirect_to(tk.url_for(f"{dataset['type']}.read", id=dataset["name"]))


def _show(resource_id: str) -> dict[str, Any]:
    try:
        return tk.get_action("wepulse_table_show")({}, {"resource_id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(404, tk._("Resource not found"))  # a draft's tables are not said to exist


def _editable(id: str, resource_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The dataset, resource and table an editor of the authority may change, or abort."""
    try:
        dataset = tk.get_action("package_show")({}, {"id": id})
        tk.check_access("wepulse_table_update", {}, {"resource_id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the authority's editors can change this table."))
    resource = next((r for r in dataset["resources"] if r["id"] == resource_id), None)
    table = _show(resource_id)
    if resource is None or not table.get("reading"):
        return tk.abort(404, tk._("This file has not been read yet."))
    return dataset, resource, table


def _submitted(entries: list[dict[str, Any]], form: Any) -> list[dict[str, Any]]:
    """The dictionary as the form sent it (fields ``<i>-name``, ``<i>-title-fr``...)."""
    submitted = []
    for index, entry in enumerate(entries):

        def field(name: str, index: int = index) -> str:
            return form.get(f"{index}-{name}", "")

        submitted.append(
            {
                **entry,  # what was read (header, type found) stays for the form
                "name": field("name") or entry["name"],
                "type": field("type") or entry["type"],
                "unit": field("unit"),
                "title": {lang: field(f"title-{lang}") for lang in dictionary.LANGUAGES},
                "description": {
                    lang: field(f"description-{lang}") for lang in dictionary.LANGUAGES
                },
            }
        )
    return submitted


def _resource_url(dataset: dict[str, Any], resource_id: str) -> str:
    return tk.url_for(
        f"{dataset['type']}_resource.read", id=dataset["name"], resource_id=resource_id
    )
