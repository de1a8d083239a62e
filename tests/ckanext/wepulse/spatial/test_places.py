"""The municipalities a box touches, and the extent of untrusted spatial coverage."""

from __future__ import annotations

import json

import pytest

from ckanext.wepulse.spatial import places

# Around Ixelles's town hall and the Flagey square.
IXELLES = (4.36, 50.82, 4.38, 50.835)


def codes(found: list[places.Municipality]) -> set[str]:
    return {m.nis for m in found}


def polygon(west, south, east, north) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_a_box_in_ixelles_finds_it_and_its_neighbours_but_not_liege():
    found = places.municipalities_in(*IXELLES)

    assert {"21009", "21004", "21005"} <= codes(found)  # Ixelles, Bruxelles, Etterbeek
    assert "62063" not in codes(found)  # Liège
    assert len(found) < 10
    ixelles = next(m for m in found if m.nis == "21009")
    assert (ixelles.name("fr"), ixelles.name("nl"), ixelles.name("de")) == (
        "Ixelles",
        "Elsene",
        "Ixelles",
    )


def test_a_small_box_inside_ixelles_finds_ixelles_alone():
    assert codes(places.municipalities_in(4.370, 50.825, 4.371, 50.826)) == {"21009"}


def test_a_box_in_liege_finds_liege_and_not_brussels():
    found = codes(places.municipalities_in(5.56, 50.63, 5.58, 50.645))
    assert "62063" in found
    assert not any(code.startswith("21") for code in found)


def test_german_speaking_municipalities_have_german_names():
    [eupen] = [m for m in places.municipalities_in(6.03, 50.62, 6.04, 50.63) if m.nis == "63023"]
    assert eupen.names["de"] == "Eupen"


def test_the_whole_country_finds_every_municipality_and_the_sea_none():
    assert len(places.municipalities_in(2.5, 49.4, 6.5, 51.6)) == 565
    assert places.municipalities_in(2.0, 51.6, 2.3, 51.8) == []  # the North Sea
    assert places.municipalities_in(7.0, 45.0, 8.0, 46.0) == []  # the Alps


@pytest.mark.parametrize(
    "box",
    [
        (4.38, 50.82, 4.36, 50.835),
        (float("nan"), 50.8, 4.4, 50.9),
        (4.3, 50.8, 4.4, float("inf")),
        (-200, 0, 0, 0),
        (True, 50.8, 4.4, 50.9),
        ("4.3", 50.8, 4.4, 50.9),
    ],
)
def test_what_is_not_a_box_finds_nothing(box):
    assert places.municipalities_in(*box) == []


def test_extent_prefers_the_bbox_then_the_geometry_then_the_centroid():
    item = {
        "bbox": polygon(4.3, 50.8, 4.4, 50.9),
        "geom": json.dumps({"type": "LineString", "coordinates": [[4.31, 50.81], [4.32, 50.85]]}),
        "centroid": json.dumps({"type": "Point", "coordinates": [4.35, 50.85]}),
    }
    assert places.extent(item) == (4.3, 50.8, 4.4, 50.9)
    assert places.extent({**item, "bbox": "{oops"}) == (4.31, 50.81, 4.32, 50.85)
    assert places.extent({"centroid": item["centroid"]}) == (4.35, 50.85, 4.35, 50.85)


def test_extent_reads_multipolygons_features_and_collections():
    multi = {
        "type": "MultiPolygon",
        "coordinates": [
            json.loads(polygon(4, 50, 4.1, 50.1))["coordinates"],
            json.loads(polygon(5, 49.5, 5.2, 49.6))["coordinates"],
        ],
    }
    assert places.extent({"geom": json.dumps(multi)}) == (4, 49.5, 5.2, 50.1)
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": json.loads(polygon(3, 51, 3.1, 51.1)),
    }
    assert places.extent({"geom": json.dumps(feature)}) == (3, 51, 3.1, 51.1)
    collection = {
        "type": "GeometryCollection",
        "geometries": [
            {"type": "Point", "coordinates": [4, 50]},
            {"type": "Point", "coordinates": [5, 51]},
        ],
    }
    assert places.extent({"geom": json.dumps(collection)}) == (4, 50, 5, 51)


HOSTILE = [
    None,
    42,
    "",
    "   ",
    "not json",
    "{",
    "[]",
    "null",
    '"text"',
    "{}",
    '{"type": "Polygon"}',
    '{"type": "Polygon", "coordinates": "4,50"}',
    '{"type": "Polygon", "coordinates": [[[4, 50], [5, 50]]]}',  # no ring
    '{"type": "Point", "coordinates": [NaN, 50]}',
    '{"type": "Point", "coordinates": [Infinity, 50]}',
    '{"type": "Point", "coordinates": [1e400, 50]}',
    '{"type": "Point", "coordinates": [true, false]}',
    '{"type": "Point", "coordinates": ["4", "50"]}',
    '{"type": "Point", "coordinates": [4]}',
    '{"type": "Point", "coordinates": [181, 50]}',
    '{"type": "Point", "coordinates": [4, -91]}',
    '{"type": "Point", "coordinates": [[4, 50]]}',
    '{"type": "Point", "coordinates": {"lon": 4, "lat": 50}}',
    '{"type": "Circle", "coordinates": [4, 50]}',
    '{"type": "<script>alert(1)</script>", "coordinates": [4, 50]}',
    "[" * 100_000 + "]" * 100_000,  # deeper than the parser's recursion
    '{"type": "GeometryCollection", "geometries": ' * 50 + "[]" + "}" * 50,
    '{"type": "MultiPoint", "coordinates": [' + ",".join(["[4, 50]"] * 60_000) + "]}",  # too many
    '{"type": "Point", "coordinates": [4, 50], "pad": "' + "x" * 600_000 + '"}',  # too long
]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:40])
def test_malformed_or_hostile_geojson_has_no_extent(value):
    assert places.extent({"bbox": value, "geom": value, "centroid": value}) is None


@pytest.mark.parametrize(
    "item", [None, "x", [], 42, {"bbox": {"type": "Point", "coordinates": [4, "50"]}}]
)
def test_an_item_that_is_not_a_dict_of_geojson_has_no_extent(item):
    assert places.extent(item) is None


def test_a_point_given_as_a_dict_is_read_too():
    assert places.extent({"centroid": {"type": "Point", "coordinates": [4.35, 50.85]}}) == (
        4.35,
        50.85,
        4.35,
        50.85,
    )
