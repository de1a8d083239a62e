"""Stored XSS in a real browser: hostile values in the database are shown as text.

The values are written past the validators (as data from before them, or from a
path that skips them would be), on the pages a visitor and a sysadmin open. The
``page`` fixture fails the test on any dialog (alert, confirm, prompt), any script
error and any Content-Security-Policy violation; each page is also tabbed through
(``onfocus`` payloads fire on focus) and its DOM searched for handler attributes.
"""

from __future__ import annotations

import json

import pytest
from ckan import model, plugins
from ckan.lib import search

from .conftest import log_in

PAYLOADS = {
    "email": "a@b.invalid tabindex=0 autofocus onfocus=alert(document.domain)",
    "url": "javascript:alert(document.domain)",
    "spaced": " JaVa\tScRiPt:alert(1)",
    "markup": '"><img src=x onerror=alert(document.domain)>',
}
DATASET = "ixelles-budget-communal"


@pytest.fixture(scope="module")
def hostile(catalogue):
    """The demo's budget dataset and its authority, with hostile values stored."""
    plugins.load_all()
    try:
        package = model.Package.get(DATASET)
        saved = dict(package.extras)
        contact = [{"name": PAYLOADS["markup"], "email": PAYLOADS["email"], "url": PAYLOADS["url"]}]
        package.extras["contact"] = json.dumps(contact)
        package.extras["spatial_coverage"] = json.dumps(
            [{"uri": PAYLOADS["spaced"], "text": "Ixelles"}]
        )
        package.extras["harvest_url"] = PAYLOADS["url"]
        package.url = PAYLOADS["spaced"]
        resource = package.resources[0]
        saved_resource = (resource.url, dict(resource.extras))
        resource.url = PAYLOADS["url"]
        resource.extras = {
            **resource.extras,
            "download_url": PAYLOADS["spaced"],
            "access_url": PAYLOADS["url"],
        }
        authority = model.Group.get(package.owner_org)
        authority.extras["email"] = PAYLOADS["email"]
        authority.extras["website"] = PAYLOADS["url"]
        model.repo.commit()
        search.rebuild(package.id)
        yield {"authority": authority.name, "resource": resource.id}
        package = model.Package.get(DATASET)
        package.extras.clear()
        package.extras.update(saved)
        package.resources[0].url, package.resources[0].extras = saved_resource
        model.repo.commit()
        search.rebuild(package.id)
    finally:
        plugins.unload_all()


# CKAN's and scheming's own no-op links (their scripts cancel the click): not data.
HANDLERS = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => a.name.startsWith('on') || a.name === 'autofocus'
        || (['href', 'src', 'action'].includes(a.name)
            && /^\\s*(javascript|data|vbscript):/i.test(a.value.replace(/[\\t\\n\\r]/g, ''))
            && !['javascript:;', 'javascript:void(0)', 'javascript:void(0);'].includes(a.value)))
    .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""


def _visit(page, url: str) -> None:
    page.goto(url)
    assert page.evaluate(HANDLERS) == [], url
    for _ in range(60):  # focus every control in turn: onfocus payloads fire here
        page.keyboard.press("Tab")


def test_hostile_stored_values_run_nothing_for_visitors(page, hostile):
    for url in [
        f"/dataset/{DATASET}",
        f"/dataset/{DATASET}/resource/{hostile['resource']}",
        f"/organization/{hostile['authority']}",
        "/dataset/?q=budget",
        "/",
        "/feeds/dataset.atom",
    ]:
        _visit(page, url)
    page.goto(f"/dataset/{DATASET}")
    assert "onfocus=alert(document.domain)" in page.inner_text("main")  # shown, as text


def test_hostile_stored_values_run_nothing_for_sysadmins(page, hostile):
    log_in(page)
    for url in [
        f"/dataset/{DATASET}",
        f"/dataset/edit/{DATASET}",
        f"/dataset/activity/{DATASET}",
        f"/dataset/{DATASET}/resource/{hostile['resource']}/edit",
        f"/organization/{hostile['authority']}",
    ]:
        _visit(page, url)


MARKUP_TITLE = "Budget <img src=x onerror=alert(document.domain)> <b>gras</b>"


@pytest.fixture(scope="module")
def markup_title(catalogue):
    """A dataset whose title is markup: suggestions must show it as text."""
    plugins.load_all()
    try:
        package = model.Package.get(DATASET)
        saved = package.extras["title_translated"]
        package.extras["title_translated"] = json.dumps({"fr": MARKUP_TITLE})
        model.repo.commit()
        search.rebuild(package.id)
        yield
        package = model.Package.get(DATASET)
        package.extras["title_translated"] = saved
        model.repo.commit()
        search.rebuild(package.id)
    finally:
        plugins.unload_all()


def test_suggestions_draw_a_markup_title_as_text(page, markup_title):
    page.goto("/fr/")
    page.locator("#home-search-q").fill("")
    page.locator("#home-search-q").type("budg")
    listbox = page.locator("#home-search-q-suggestions")
    listbox.wait_for(state="visible")
    texts = listbox.locator("[role=option]").all_inner_texts()
    assert any(MARKUP_TITLE in text for text in texts), texts
    assert listbox.locator("img, b").count() == 0
