"""The transparency pages: an authority's scorecard and the regional overview, with the
same figures as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.wepulse.multilingual import in_language
from ckanext.wepulse.quality import authorities

bp = Blueprint("wepulse_quality", __name__)

#: The overview's columns: key -> sortable.
OVERVIEW_COLUMNS = (
    "title",
    "authority_type",
    "region",
    "datasets",
    "average_score",
    "band",
    "on_time_share",
    "broken_links",
    "last_publication",
)
FILTERS = ("region", "authority_type", "band", "q")


@bp.route("/transparency")
def overview() -> str:
    rows, filters, sort = _overview_rows()
    return tk.render(
        "quality/overview.html",
        {
            "rows": rows,
            "filters": filters,
            "sort": sort,
            "totals": _totals(rows),
            "columns": OVERVIEW_COLUMNS,
        },
    )


@bp.route("/transparency.csv")
def overview_csv() -> Response:
    rows, _filters, _sort = _overview_rows()
    header = [
        "name",
        "nis_code",
        *OVERVIEW_COLUMNS[:-1],
        "on_time",
        "assessable",
        "last_publication",
        "excellent",
        "good",
        "sufficient",
        "bad",
    ]
    lines = [
        [
            row["name"],
            row["nis_code"],
            row["display_title"],
            *(row[key] for key in OVERVIEW_COLUMNS[1:-1]),
            row["on_time"],
            row["assessable"],
            row["last_publication"],
            *(row["bands"][band] for band in ("excellent", "good", "sufficient", "bad")),
        ]
        for row in rows
    ]
    return _csv("transparency.csv", header, lines)


@bp.route("/transparency.json")
def overview_json() -> Response:
    rows, filters, _sort = _overview_rows()
    body = {"filters": filters, "totals": _totals(rows), "authorities": rows}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="transparency.json"'},
    )


@bp.route("/organization/<id>/quality")
def scorecard(id: str) -> str:
    context = {"user": tk.current_user.name if tk.current_user else None}
    try:
        organization = tk.get_action("organization_show")(
            context, {"id": id, "include_datasets": False}
        )
        card = tk.get_action("wepulse_authority_quality_show")(context, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Authority not found"))
    return tk.render(
        "quality/scorecard.html",
        {
            "group_dict": organization,
            "card": card,
            "can_edit": _can_edit(organization["id"]),
        },
    )


@bp.route("/organization/<id>/quality/broken-links.csv")
def broken_links_csv(id: str) -> Response:
    """An authority's broken links, for its editors to fix."""
    try:
        organization = tk.get_action("organization_show")({}, {"id": id, "include_datasets": False})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Authority not found"))
    if not _can_edit(organization["id"]):
        return tk.abort(403, tk._("Only the authority's editors can download this list."))
    card = authorities.scorecard(organization["id"])
    header = ["dataset", "url", "status", "http_status", "message", "failing_since", "checked_at"]
    lines = [[link[key] for key in header] for link in card["broken_links"]]
    return _csv(f"{organization['name']}-broken-links.csv", header, lines)


def _can_edit(organization_id: str) -> bool:
    return tk.h.check_access("package_create", {"owner_org": organization_id})


def _overview_rows() -> tuple[list[dict[str, Any]], dict[str, str], str]:
    """The overview's rows, filtered and sorted as the query string asks."""
    args = tk.request.args
    filters = {key: args.get(key, "").strip()[:100] for key in FILTERS if args.get(key)}
    sort = args.get("sort", "title")
    key, _, direction = sort.partition(" ")
    if key not in OVERVIEW_COLUMNS:
        key, direction = "title", ""
    lang = tk.h.lang()
    rows = []
    for figures in authorities.overview():
        row = figures.as_dict()
        row["display_title"] = in_language(row["title_translated"], lang)[0] or row["title"]
        if _kept(row, filters):
            rows.append(row)

    def value(row: dict[str, Any]) -> Any:
        found = row["display_title"] if key == "title" else row[key]
        return found.lower() if isinstance(found, str) else found

    # Authorities without a figure (no datasets, no score) stay last either way.
    present = sorted((r for r in rows if value(r) is not None), key=value)
    if direction == "desc":
        present.reverse()
    rows = present + [r for r in rows if value(r) is None]
    return rows, filters, f"{key} {direction or 'asc'}"


def _kept(row: dict[str, Any], filters: dict[str, str]) -> bool:
    for key in ("region", "authority_type", "band"):
        if filters.get(key) and row[key] != filters[key]:
            return False
    query = filters.get("q", "").lower()
    names = [row["display_title"], row["title"], row["name"], row["nis_code"]]
    names += list(row["title_translated"].values())
    return not query or any(query in (name or "").lower() for name in names)


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per region: authorities, those publishing, datasets, their average score,
    the on-time share and broken links."""
    found = []
    for region in authorities.REGIONS:
        mine = [row for row in rows if row["region"] == region]
        if not mine:
            continue
        datasets = sum(row["datasets"] for row in mine)
        weighted = sum((row["average_score"] or 0) * row["datasets"] for row in mine)
        scored = sum(row["datasets"] for row in mine if row["average_score"] is not None)
        assessable = sum(row["assessable"] for row in mine)
        found.append(
            {
                "region": region,
                "authorities": len(mine),
                "publishing": sum(1 for row in mine if row["datasets"]),
                "datasets": datasets,
                "average_score": round(weighted / scored) if scored else None,
                "on_time_share": (
                    round(100 * sum(row["on_time"] for row in mine) / assessable)
                    if assessable
                    else None
                ),
                "broken_links": sum(row["broken_links"] for row in mine),
            }
        )
    return found


def _csv(filename: str, header: list[str], lines: list[list[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for line in lines:
        writer.writerow([_cell(value) for value in line])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: Any) -> Any:
    """A spreadsheet must not run a harvested title as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
