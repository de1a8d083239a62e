"""Helpers of the dataset page's area: the extent of its spatial coverage, in words,
numbers and on a map."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from babel.numbers import format_decimal

from ckanext.wepulse.spatial import places

__all__ = ["wepulse_spatial_extent"]

MAX_ITEMS = 20  # spatial_coverage items read; a dataset rarely names more places
MAX_PLACE_NAME = 200
MAX_DRAWN_POSITIONS = 5_000  # beyond it the map draws the items' boxes instead
FEW_MUNICIPALITIES = 10  # named one by one up to this many, else counted


def wepulse_spatial_extent(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """What the dataset page shows of the dataset's area, or None when it has none:
    ``places`` (names), and when some item has usable GeoJSON, ``bbox`` (the four
    sides, rounded, as text in the page's language), ``municipalities`` (names, when
    few), ``municipality_count``, and ``map`` (JSON for the map script: validated
    numbers only)."""
    items = pkg.get("spatial_coverage")
    if not isinstance(items, list):
        return None
    items = [item for item in items[:MAX_ITEMS] if isinstance(item, dict)]
    names = []
    for item in items:
        text = item.get("text")
        if isinstance(text, str) and text.strip() and text.strip() not in names:
            names.append(text.strip()[:MAX_PLACE_NAME])
    extents, shapes, drawn = [], [], 0
    for item in items:
        box = places.extent(item)
        if box is None:
            continue
        extents.append(box)
        shape = places.geometry(item, order=("geom", "bbox", "centroid"))
        size = _positions(shape)
        if drawn + size > MAX_DRAWN_POSITIONS:
            shape, size = _rectangle(box), 5
        shapes.append(shape)
        drawn += size
    if not extents:
        return {"places": names} if names else None
    west, south = min(b[0] for b in extents), min(b[1] for b in extents)
    east, north = max(b[2] for b in extents), max(b[3] for b in extents)
    lang = tk.h.lang()
    found = places.municipalities_in(west, south, east, north)
    municipalities = sorted(m.name(lang) for m in found) if len(found) <= FEW_MUNICIPALITIES else []

    def degrees(value: float) -> str:
        return format_decimal(round(value, 4), format="0.0###", locale=lang.replace("-", "_"))

    return {
        "places": names,
        "bbox": {
            "west": degrees(west),
            "south": degrees(south),
            "east": degrees(east),
            "north": degrees(north),
        },
        "municipalities": municipalities,
        "municipality_count": len(found),
        "map": json.dumps(
            {"bbox": [west, south, east, north], "shapes": shapes}, separators=(",", ":")
        ),
    }


def _positions(geom: dict[str, Any] | None) -> int:
    if geom is None:
        return 0
    return sum(1 for _ in places.positions(geom))


def _rectangle(box: places.Extent) -> dict[str, Any]:
    w, s, e, n = box
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}
