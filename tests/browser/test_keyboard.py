"""The journeys of the issue, by keyboard alone, in the real browser."""

from __future__ import annotations

from pathlib import Path

from .conftest import ADMIN, axe_violations, log_in, tab_to


def test_the_skip_link_comes_first_and_moves_to_the_content(page):
    page.goto("/fr/dataset/")
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert first == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


def test_search_in_dutch_apply_a_facet_open_a_dataset_reach_its_download(page):
    page.goto("/nl/")
    tab_to(page, "el.id === 'home-search-q'")
    page.keyboard.type("scholen")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nl/dataset/?q=scholen*")

    tab_to(page, "el.href && el.href.includes('theme=EDUC')")  # the theme facet
    page.keyboard.press("Enter")
    page.wait_for_url("**theme=EDUC*")

    tab_to(page, "el.href && el.href.endsWith('/nl/dataset/jette-scholen')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nl/dataset/jette-scholen")

    download = tab_to(page, "el.href && el.href.endsWith('/download/jette-scholen.csv')")
    # A descriptive link: the file's name and format, never a bare "Download".
    assert "CSV" in download["text"] and len(download["text"].split()) > 2, download
    with page.expect_download() as started:
        page.keyboard.press("Enter")
    assert started.value.suggested_filename == "jette-scholen.csv"
    assert Path(started.value.path()).read_text().startswith("school,niveau,adres")


def test_log_in_edit_a_dataset_and_reach_the_validation_error(page):
    page.goto("/fr/user/login")
    tab_to(page, "el.id === 'field-login'")
    page.keyboard.type(ADMIN["name"])
    tab_to(page, "el.id === 'field-password'")
    page.keyboard.type(ADMIN["password"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("form[action$='/user/_logout']").count() == 1, "the keyboard login failed"

    page.goto("/fr/dataset/ixelles-budget-communal")
    tab_to(page, "el.href && el.href.endsWith('/dataset/edit/ixelles-budget-communal')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dataset/edit/ixelles-budget-communal")

    # Erase the title in every language: a title is required.
    for lang in ("fr", "nl", "de", "en"):
        tab_to(page, f"el.id === 'field-title_translated-{lang}'")
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
    tab_to(page, "el.name === 'save'", limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    focused = page.evaluate(
        "() => ({id: document.activeElement.id, role: document.activeElement.getAttribute('role'),"
        " text: document.activeElement.innerText})"
    )
    assert focused["id"] == "form-errors" and focused["role"] == "alert", focused
    assert "titre" in focused["text"].lower(), focused


def test_every_control_shows_where_the_focus_is(page):
    """Tab through the first controls of the main pages: each one focused has a
    visible ring (WCAG 2.4.7), drawn as a solid outline at least 2 px wide."""
    hidden = []
    for path in ["/fr/", "/nl/dataset/?q=begroting", "/fr/dataset/ixelles-budget-communal"]:
        page.goto(path)
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (el === document.body) return null;
                    const s = getComputedStyle(el);
                    return {what: el.tagName + ' ' + (el.innerText || el.name || '').trim(),
                            visible: s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2};
                }"""
            )
            if focused is None:
                break
            if not focused["visible"]:
                hidden.append((path, focused["what"]))
    assert hidden == []


def test_suggestions_as_you_type_are_an_accessible_combobox(page):
    """The search box suggests keywords and datasets (the WAI-ARIA combobox pattern):
    arrow keys move through them, Enter opens the dataset chosen; the popup passes axe."""
    page.goto("/fr/")
    tab_to(page, "el.id === 'home-search-q'")
    page.keyboard.type("ecol")
    listbox = page.locator("#home-search-q-suggestions")
    listbox.wait_for(state="visible")
    box = page.locator("#home-search-q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == "home-search-q-suggestions"
    status = page.locator("[role=status]", has_text="suggestion")
    assert "suggestion" in status.inner_text()
    assert axe_violations(page) == []

    options = listbox.locator("[role=option]")
    texts = options.all_inner_texts()
    dataset = next(i for i, t in enumerate(texts) if "Écoles communales de Namur" in t)
    for _ in range(dataset + 1):
        page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert options.nth(dataset).get_attribute("id") == active
    assert options.nth(dataset).get_attribute("aria-selected") == "true"
    assert page.evaluate("() => document.activeElement.id") == "home-search-q"  # focus stays
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/fr/dataset/namur-ecoles-communales")


def test_escape_closes_the_suggestions_and_enter_still_searches(page):
    page.goto("/nl/dataset/")
    page.locator("#dataset-search-form-q").focus()
    page.keyboard.type("begr")
    page.locator("#dataset-search-form-q-suggestions").wait_for(state="visible")
    page.keyboard.press("Escape")
    assert page.locator("#dataset-search-form-q").get_attribute("aria-expanded") == "false"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=begr" in page.url


def test_the_resource_forms_data_buttons_work_under_the_content_security_policy(page):
    """CKAN's Upload, Link and Remove buttons were inline handlers, which the CSP
    blocks (the page fixture fails on the violation): ours work by keyboard."""
    log_in(page)
    page.goto("/fr/dataset/ixelles-budget-communal/resource/new")
    tab_to(page, "el.id === 'resource-link-button'")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "field-resource-url"
    assert page.is_checked("#resource-url-link")
    page.keyboard.type("https://data.example.be/budget.csv")
    tab_to(page, "el.classList.contains('btn-remove-url') && el.offsetParent !== null")
    page.keyboard.press("Enter")
    assert page.is_checked("#resource-url-none")
    assert page.input_value("#field-resource-url") == ""
    assert page.evaluate("() => document.activeElement.id") == "resource-upload-button"
    page.keyboard.press("Enter")  # opens the file chooser (none in a headless browser)
    assert page.is_checked("#resource-url-upload")
