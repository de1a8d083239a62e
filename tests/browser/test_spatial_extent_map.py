"""The dataset page's map of its area: drawn (SVG paths of the municipalities and of
the dataset's extent), static (nothing on it takes the keyboard's focus), without WCAG
violations in French and Dutch, at phone width too; and the text without JavaScript."""

from __future__ import annotations

import json

import pytest
from ckan import plugins
from ckan.tests import helpers

from ckanext.wepulse.seeding import site_context

from .conftest import axe_violations, screenshot, sideways_overflow

NAME = "ixelles-etangs-flagey"
GEOM = {
    "type": "Polygon",
    "coordinates": [
        [[4.372, 50.823], [4.378, 50.824], [4.379, 50.83], [4.373, 50.829], [4.372, 50.823]]
    ],
}
BBOX = {
    "type": "Polygon",
    "coordinates": [
        [[4.372, 50.823], [4.379, 50.823], [4.379, 50.83], [4.372, 50.83], [4.372, 50.823]]
    ],
}


@pytest.fixture(scope="module")
def dataset(catalogue) -> dict:
    """A dataset of Ixelles with an area: a geometry and its box."""
    plugins.load_all()
    try:
        budget = catalogue["budget"]
        return helpers.call_action(
            "package_create",
            site_context(),
            name=NAME,
            owner_org=budget["owner_org"],
            title_translated={"fr": "Étangs d'Ixelles", "nl": "Vijvers van Elsene"},
            notes_translated={
                "fr": "Qualité de l'eau des étangs.",
                "nl": "Waterkwaliteit van de vijvers.",
            },
            license_id=budget["license_id"],
            spatial_coverage=[
                {
                    "text": "Étangs d'Ixelles / Vijvers van Elsene",
                    "geom": json.dumps(GEOM),
                    "bbox": json.dumps(BBOX),
                }
            ],
        )
    finally:
        plugins.unload_all()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_map_is_drawn_static_and_accessible(page, dataset, lang):
    response = page.goto(f"/{lang}/dataset/{NAME}")
    assert response.status == 200

    page.wait_for_selector(".wepulse-spatial-map-ready path", timeout=15_000)
    map_ = page.locator(".wepulse-spatial-map")
    assert map_.get_attribute("role") == "img" and map_.get_attribute("aria-label")
    paths = map_.locator("svg path")
    assert paths.count() > 100  # the municipalities' areas, the country and the extent
    box = map_.bounding_box()
    assert box and box["height"] > 100
    # Nothing on the map can take the focus (no controls, no keyboard handler).
    focusable = map_.locator("a, button, input, [tabindex]:not([tabindex='-1'])")
    assert focusable.count() == 0
    assert map_.get_attribute("tabindex") is None

    assert axe_violations(page) == []
    assert sideways_overflow(page, 360) == []
    page.set_viewport_size({"width": 360, "height": 900})
    assert map_.bounding_box()["width"] <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    map_.scroll_into_view_if_needed()
    screenshot(page, f"spatial-extent-{lang}")


def test_without_javascript_the_text_is_there_and_the_map_is_not(browser, live_server, dataset):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/fr/dataset/{NAME}")
        section = page.locator(".wepulse-spatial-extent")
        assert "Étangs d'Ixelles" in section.inner_text()
        assert section.locator("table td").all_inner_texts() == [
            "4,372",
            "50,823",
            "4,379",
            "50,83",
        ]
        assert "Ixelles" in section.locator("p", has_text="Communes dans").inner_text()
        assert not page.locator(".wepulse-spatial-map").is_visible()
    finally:
        context.close()
