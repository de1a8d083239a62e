"""WCAG 2.1 A and AA, checked by axe-core in Chromium on the pages citizens and
publishers use, in French and Dutch, and reflowing without sideways scrolling on a
phone and at 200% zoom. Each page is also photographed at desktop and
phone widths (var/artifacts/screenshots)."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, log_in, screenshot, sideways_overflow

BUDGET = "/dataset/ixelles-budget-communal"
PUBLIC_PAGES = {
    "home": "/",
    "search": "/dataset/?q=budget",
    "search-two-facets": "/dataset/?theme=EDUC&language=FRA",
    "dataset": BUDGET,
    "resource": BUDGET + "/resource/{resource}",
    "authority": "/organization/ixelles",
    "accessibility-statement": "/accessibility",
    "accessibility-feedback": "/accessibility/feedback",
    "about": "/about",
    "login": "/user/login",
}
PUBLISHER_PAGES = {
    "dataset-edit-form": "/dataset/edit/ixelles-budget-communal",
    "harvest-source-form": "/harvest/new",
}


def check(page, catalogue, lang: str, name: str, path: str) -> None:
    url = f"/{lang}" + path.format(resource=catalogue["budget"]["resources"][0]["id"])
    response = page.goto(url)
    assert response.status == 200, url
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == [], url
    for width in (360, 640):
        assert sideways_overflow(page, width) == [], f"{url} at {width} px"
    screenshot(page, f"{name}-{lang}")


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_wcag_violations(page, catalogue, lang, name):
    check(page, catalogue, lang, name, PUBLIC_PAGES[name])


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("name", PUBLISHER_PAGES)
def test_publisher_forms_have_no_wcag_violations(page, catalogue, lang, name):
    log_in(page, lang)
    check(page, catalogue, lang, name, PUBLISHER_PAGES[name])
