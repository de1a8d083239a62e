"""The dataset page's area: place names, bounding box, municipalities, and the map's
data, from spatial_coverage given through the Action API."""

from __future__ import annotations

import copy
import json

import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk

from ckanext.wepulse.seeding import site_context

from .conftest import TREES, page, text

BBOX = {
    "type": "Polygon",
    "coordinates": [[[4.36, 50.82], [4.38, 50.82], [4.38, 50.835], [4.36, 50.835], [4.36, 50.82]]],
}


def create(spatial_coverage: list[dict]) -> dict:
    data = copy.deepcopy(TREES)
    data["spatial_coverage"] = spatial_coverage
    return tk.get_action("package_create")(site_context(), data)


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSpatialExtent:
    def test_the_page_shows_the_places_the_box_and_the_municipalities(self, app, schaerbeek):
        create([{"text": "Ixelles / Elsene", "bbox": json.dumps(BBOX)}])

        section = page(app, "/fr/dataset/schaerbeek-arbres").select_one(".wepulse-spatial-extent")

        assert text(section.find("h2")) == "Zone couverte"
        assert "Lieux : Ixelles / Elsene" in text(section)
        table = section.select_one("table.wepulse-bbox")
        assert [text(th) for th in table.select("thead th")] == ["Ouest", "Sud", "Est", "Nord"]
        assert [text(td) for td in table.select("tbody td")] == ["4,36", "50,82", "4,38", "50,835"]
        assert "Ixelles" in text(section) and "Etterbeek" in text(section)
        assert "Liège" not in text(section)

    def test_the_dutch_page_names_the_municipalities_in_dutch(self, app, schaerbeek):
        create([{"text": "Elsene", "bbox": json.dumps(BBOX)}])

        section = page(app, "/nl/dataset/schaerbeek-arbres").select_one(".wepulse-spatial-extent")

        assert [text(th) for th in section.select("thead th")] == ["West", "Zuid", "Oost", "Noord"]
        assert "Gemeenten in of naast dit gebied: " in text(section)
        assert "Elsene" in text(section) and "Ixelles" not in text(section)

    def test_the_map_gets_validated_numbers_in_an_attribute_and_a_label_in_words(
        self, app, schaerbeek
    ):
        create([{"text": "Ixelles", "bbox": json.dumps(BBOX)}])

        map_ = page(app, "/en/dataset/schaerbeek-arbres").select_one(".wepulse-spatial-map")

        assert map_["role"] == "img" and map_.has_attr("hidden")
        assert "from longitude 4.36 to 4.38 and from latitude 50.82 to 50.835" in map_["aria-label"]
        assert json.loads(map_["data-extent"]) == {
            "bbox": [4.36, 50.82, 4.38, 50.835],
            "shapes": [BBOX],
        }
        assert app.get(map_["data-map-url"]).status_code == 200

    def test_a_country_wide_extent_counts_the_municipalities(self, app, schaerbeek):
        create(
            [
                {"centroid": json.dumps({"type": "Point", "coordinates": [4.35, 50.85]})},
                {
                    "bbox": json.dumps(
                        {
                            "type": "Polygon",
                            "coordinates": [
                                [[2.5, 49.4], [6.5, 49.4], [6.5, 51.6], [2.5, 51.6], [2.5, 49.4]]
                            ],
                        }
                    )
                },
            ]
        )

        section = page(app, "/en/dataset/schaerbeek-arbres").select_one(".wepulse-spatial-extent")

        assert "565 municipalities in or next to this area" in text(section)

    def test_hostile_values_are_text_and_broken_geojson_leaves_the_names(self, app, schaerbeek):
        hostile = '"><script>alert(1)</script>'
        create(
            [
                {
                    "text": hostile,
                    "bbox": '{"type": "Polygon", "coordinates": [[[NaN, 1]]]}',
                    "geom": hostile,
                    "centroid": "[" * 999,
                }
            ]
        )

        response = app.get("/fr/dataset/schaerbeek-arbres")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        section = BeautifulSoup(html, "html.parser").select_one(".wepulse-spatial-extent")
        assert hostile in text(section)  # shown, as text
        assert section.select_one(".wepulse-spatial-map") is None
        assert section.select_one("table") is None

    def test_a_dataset_without_an_area_has_no_section(self, app, schaerbeek):
        create([])

        assert (
            page(app, "/fr/dataset/schaerbeek-arbres").select_one(".wepulse-spatial-extent") is None
        )
