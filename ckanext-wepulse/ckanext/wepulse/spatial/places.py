"""Belgian municipalities by area, and the extent of a dataset's spatial coverage.

Plain Python (no CKAN): the map's data file, ``public/wepulse/map/belgium.geojson``, is
read once. Its areas are *groups* of whole municipalities (judicial cantons joined by
the municipalities they share: see ``public/wepulse/map/README.md``), so
``municipalities_in`` answers with every municipality of each group the box touches: all
the municipalities the box covers, and possibly neighbours of theirs in the same group.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "Municipality",
    "MAP_DATA",
    "municipalities_in",
    "extent",
    "geometry",
    "positions",
    "all_municipalities",
]

MAP_DATA = Path(__file__).resolve().parent.parent / "public" / "wepulse" / "map" / "belgium.geojson"

# Harvested GeoJSON is untrusted: bounded before parsing, and while walking it.
MAX_GEOJSON_CHARS = 500_000
MAX_POSITIONS = 50_000
MAX_DEPTH = 8  # a GeometryCollection's nesting, not the coordinates' arrays

# How deep each geometry's positions are in its coordinates.
_NESTING = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2}
_NESTING["MultiPolygon"] = 3

Extent = tuple[float, float, float, float]  # west, south, east, north, in degrees (WGS 84)
Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Municipality:
    nis: str
    names: dict[str, str] = field(hash=False, compare=False)

    def name(self, lang: str) -> str:
        """Its name in ``lang``, else French, else Dutch (every one has both)."""
        return self.names.get(lang) or self.names.get("fr") or self.names.get("nl") or self.nis


@dataclass(frozen=True)
class _Area:
    extent: Extent
    polygons: list[list[Ring]]  # outer ring first, then holes
    municipalities: tuple[Municipality, ...]


def municipalities_in(west: float, south: float, east: float, north: float) -> list[Municipality]:
    """The municipalities whose area intersects the box, by NIS code (2025 codes, 565
    municipalities). A box that is not one (unordered, out of range) intersects nothing."""
    box = _checked_extent(west, south, east, north)
    if box is None:
        return []
    found: dict[str, Municipality] = {}
    for area in _areas():
        if _boxes_meet(area.extent, box) and any(_polygon_meets_box(p, box) for p in area.polygons):
            found.update((m.nis, m) for m in area.municipalities)
    return [found[code] for code in sorted(found)]


def extent(spatial_coverage_item: Any) -> Extent | None:
    """The box of one ``spatial_coverage`` item, from its ``bbox``, else its ``geom``,
    else its ``centroid`` (a point: west == east). None when none of them is usable
    GeoJSON in longitude/latitude; never an exception."""
    geom = geometry(spatial_coverage_item)
    return None if geom is None else _extent_of(positions(geom))


def geometry(
    spatial_coverage_item: Any, order: Iterable[str] = ("bbox", "geom", "centroid")
) -> dict[str, Any] | None:
    """The item's first usable GeoJSON geometry among its ``order`` keys, rebuilt from its
    validated numbers only, or None."""
    if not isinstance(spatial_coverage_item, dict):
        return None
    for key in order:
        geom = _parse(spatial_coverage_item.get(key))
        if geom is not None:
            return geom
    return None


def _parse(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        if not value.strip() or len(value) > MAX_GEOJSON_CHARS:
            return None
        try:
            value = json.loads(value, parse_constant=_refuse)
        except (ValueError, RecursionError):
            return None
    if not isinstance(value, dict):
        return None
    budget = [MAX_POSITIONS]
    try:
        return _geometry(value, budget, 0)
    except (ValueError, TypeError, RecursionError):
        return None


def _refuse(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _geometry(value: dict[str, Any], budget: list[int], depth: int) -> dict[str, Any] | None:
    if depth > MAX_DEPTH:
        raise ValueError("nested too deep")
    kind = value.get("type")
    if kind == "Feature" and isinstance(value.get("geometry"), dict):
        return _geometry(value["geometry"], budget, depth + 1)
    if kind == "GeometryCollection":
        members = value.get("geometries")
        if not isinstance(members, list):
            raise ValueError("no geometries")
        parts = [
            g for m in members if isinstance(m, dict) and (g := _geometry(m, budget, depth + 1))
        ]
        return {"type": kind, "geometries": parts} if parts else None
    if kind not in _NESTING:
        raise ValueError("not a geometry")
    coordinates = _coordinates(value.get("coordinates"), _NESTING[kind], budget)
    if kind == "Polygon":
        coordinates = [ring for ring in coordinates if len(ring) >= 4]
    elif kind == "MultiPolygon":
        coordinates = [[r for r in polygon if len(r) >= 4] for polygon in coordinates]
        coordinates = [polygon for polygon in coordinates if polygon]
    if kind != "Point" and not coordinates:
        return None
    return {"type": kind, "coordinates": coordinates}


def _coordinates(value: Any, nesting: int, budget: list[int]) -> Any:
    if not isinstance(value, list):
        raise TypeError("coordinates are not a list")
    if nesting == 0:
        return _position(value, budget)
    return [_coordinates(v, nesting - 1, budget) for v in value]


def _position(value: list[Any], budget: list[int]) -> list[float]:
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("too many positions")
    if len(value) < 2 or not all(_is_number(v) for v in value[:2]):
        raise ValueError("not a position")
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("not longitude/latitude")
    return [lon, lat]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def positions(geom: dict[str, Any]) -> Iterator[list[float]]:
    """Every position of a geometry that ``geometry`` returned."""
    if geom["type"] == "GeometryCollection":
        for member in geom["geometries"]:
            yield from positions(member)
        return
    stack = [geom["coordinates"]]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], float):
            yield item
        else:
            stack.extend(item)


def _extent_of(positions: Iterable[list[float]]) -> Extent | None:
    lons, lats = [], []
    for lon, lat in positions:
        lons.append(lon)
        lats.append(lat)
    if not lons:
        return None
    return (min(lons), min(lats), max(lons), max(lats))


def _checked_extent(west: Any, south: Any, east: Any, north: Any) -> Extent | None:
    if not all(_is_number(v) for v in (west, south, east, north)):
        return None
    box = (float(west), float(south), float(east), float(north))
    if not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
        return None
    return box


def _boxes_meet(a: Extent, b: Extent) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _polygon_meets_box(polygon: list[Ring], box: Extent) -> bool:
    west, south, east, north = box
    # A vertex in the box, an edge across it, or the box inside the polygon.
    for ring in polygon:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if west <= x1 <= east and south <= y1 <= north:
                return True
            if _segment_meets_box(x1, y1, x2, y2, box):
                return True
    return _inside((west, south), polygon)


def _segment_meets_box(x1: float, y1: float, x2: float, y2: float, box: Extent) -> bool:
    """Liang–Barsky clipping: whether some part of the segment lies in the box."""
    west, south, east, north = box
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - west), (dx, east - x1), (-dy, y1 - south), (dy, north - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _inside(point: tuple[float, float], polygon: list[Ring]) -> bool:
    """Even–odd rule over the outer ring and its holes."""
    x, y = point
    inside = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


@cache
def _areas() -> tuple[_Area, ...]:
    data = json.loads(MAP_DATA.read_text("utf-8"))
    municipalities = {
        code: Municipality(code, names) for code, names in data["municipalities"].items()
    }
    areas = []
    for feature in data["features"]:
        if feature["properties"].get("kind") != "municipalities":
            continue
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [[[tuple(p) for p in ring] for ring in polygon] for polygon in polygons]
        box = _extent_of(p for polygon in rings for ring in polygon for p in ring)
        members = tuple(municipalities[c] for c in feature["properties"]["nis"])
        areas.append(_Area(box, rings, members))
    return tuple(areas)


@cache
def all_municipalities() -> dict[str, Municipality]:
    """Every municipality of the map's data, by NIS code."""
    return {m.nis: m for area in _areas() for m in area.municipalities}
