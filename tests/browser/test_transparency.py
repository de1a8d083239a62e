"""The transparency pages in the real browser: the regional overview of every authority,
an authority's scorecard and a dataset's quality block. Without WCAG violations in French
and Dutch, without sideways scrolling on a phone, usable by keyboard alone; each chart a
picture (a canvas with role="img" and a name) beside the table that holds its figures,
the table alone without JavaScript."""

from __future__ import annotations

import datetime

import pytest
from ckan import model, plugins

from ckanext.wepulse.quality.model import AuthorityQualityDay

from .conftest import axe_violations, screenshot, sideways_overflow, tab_to

AUTHORITY = "charleroi"  # publishes charleroi-hopitaux
DATASET = "charleroi-hopitaux"
SECOND_DAY_AUTHORITY = "namur"  # publishes namur-ecoles-communales
PAGES = {
    "overview": ("/transparency", 1),  # the bands' chart
    "scorecard": (f"/organization/{AUTHORITY}/quality", 2),  # bands, dimensions
    "dataset": (f"/dataset/{DATASET}", 0),  # bars in a table, no chart
}
# What a chart's canvas, its holder and its table are like, figure by figure.
CHARTS = """() => [...document.querySelectorAll('figure.wepulse-chart')].map(figure => {
    const canvas = figure.querySelector('.wepulse-chart-canvas canvas');
    const table = figure.querySelector('table.wepulse-chart-data');
    return {
        caption: figure.querySelector('figcaption').innerText.trim(),
        kind: table.dataset.chart,
        rows: table.tBodies[0].rows.length,
        canvas: canvas && {
            role: canvas.getAttribute('role'),
            label: canvas.getAttribute('aria-label'),
            tabindex: canvas.getAttribute('tabindex'),
            drawn: !!(window.Chart && Chart.getChart(canvas)),
            width: canvas.getBoundingClientRect().width,
            height: canvas.getBoundingClientRect().height,
            animated: !!(window.Chart && Chart.getChart(canvas)
                && Chart.getChart(canvas).options.animation),
        },
        // The table comes right after the chart, and shows.
        tableAfter: figure.querySelector('.wepulse-chart-canvas').nextElementSibling
            .contains(table),
        tableShown: table.getBoundingClientRect().height > 0
            && getComputedStyle(table).visibility === 'visible',
    };
})"""


def charts(page, drawn: int) -> list[dict]:
    """The page's figures, once ``drawn`` of them have their chart."""
    page.wait_for_function(
        "n => document.querySelectorAll('figure.wepulse-chart canvas').length >= n",
        arg=drawn,
        timeout=10_000,
    )
    return page.evaluate(CHARTS)


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("name", PAGES)
def test_pages_pass_axe_reflow_and_draw_their_charts(page, lang, name):
    path, drawn = PAGES[name]
    response = page.goto(f"/{lang}{path}")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang

    found = charts(page, drawn)
    with_canvas = [chart for chart in found if chart["canvas"]]
    assert len(with_canvas) == drawn, found
    for chart in found:
        assert chart["tableShown"] and chart["tableAfter"], chart
        if chart["canvas"] is None:
            # Only a line of fewer than two days is left as its table alone.
            assert chart["kind"] == "line" and chart["rows"] < 2, chart
            continue
        canvas = chart["canvas"]
        assert canvas["role"] == "img" and canvas["tabindex"] is None, chart
        assert canvas["label"].startswith(chart["caption"] + ": "), chart
        assert len(canvas["label"]) > len(chart["caption"]) + 5, chart
        assert canvas["drawn"] and canvas["height"] > 100, chart

    assert axe_violations(page) == []
    assert sideways_overflow(page, 360) == []
    page.set_viewport_size({"width": 360, "height": 900})
    widths = page.evaluate(CHARTS)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert all(c["canvas"]["width"] <= 360 for c in widths if c["canvas"]), widths
    screenshot(page, f"transparency-{name}-{lang}")


def test_the_overview_lists_every_authority_and_the_regions_totals(page):
    page.goto("/fr/transparency")
    rows = page.locator(".wepulse-overview-table tbody tr")
    assert rows.count() == 562  # every municipality and CPAS of Brussels and Wallonia
    totals = page.locator("section[aria-labelledby=overview-totals] > .table-responsive tbody tr")
    assert totals.count() == 2
    # Region, authorities, publishing: the demo publishes in 11 Brussels authorities
    # and 8 Walloon ones.
    figures = [totals.nth(i).locator("th, td").all_inner_texts()[:3] for i in range(2)]
    assert [f[1:] for f in figures] == [["38", "11"], ["524", "8"]], figures

    label = page.locator("#chart-overview-bands-caption + .wepulse-chart-canvas canvas")
    label.wait_for()
    # The chart's sentence gives each band's count, as the table beside it does.
    table = page.locator("#chart-overview-bands tbody tr")
    sentence = label.get_attribute("aria-label")
    for i in range(table.count()):
        band, count = table.nth(i).locator("th, td").all_inner_texts()
        assert f"{band} {count}" in sentence, sentence


def test_the_scorecard_shows_one_day_of_history_as_a_table(page):
    """A fresh portal has one day of figures: a line needs two points, so the history
    is its table alone, with today's row."""
    page.goto(f"/nl/organization/{AUTHORITY}/quality")
    found = {chart["kind"]: chart for chart in charts(page, 2)}
    history = found["line"]
    assert history["canvas"] is None and history["rows"] == 1 and history["tableShown"]
    assert not page.locator("figure:has(#chart-history) .wepulse-chart-canvas").is_visible()


@pytest.fixture
def two_days(catalogue):
    """Namur's figures of yesterday too (a worse score, a broken link), beside today's
    as the catalogue kept them: a history to draw as lines. Taken away afterwards."""
    plugins.load_all()
    try:
        organization = model.Group.get(SECOND_DAY_AUTHORITY)
        today = model.Session.get(AuthorityQualityDay, (organization.id, datetime.date.today()))
        yesterday = AuthorityQualityDay(
            organization_id=organization.id,
            day=today.day - datetime.timedelta(days=1),
            datasets=today.datasets,
            average_score=today.average_score - 40,
            on_time_share=today.on_time_share,
            broken_links=today.broken_links + 1,
            figures=today.figures,
        )
        model.Session.add(yesterday)
        model.Session.commit()
        yield yesterday.day
        model.Session.delete(yesterday)
        model.Session.commit()
    finally:
        plugins.unload_all()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_two_days_of_history_are_drawn_as_lines(page, two_days, lang):
    page.goto(f"/{lang}/organization/{SECOND_DAY_AUTHORITY}/quality")
    history = next(chart for chart in charts(page, 3) if chart["kind"] == "line")
    assert history["rows"] == 2 and history["tableShown"], history
    canvas = history["canvas"]
    assert canvas["role"] == "img" and canvas["drawn"] and canvas["tabindex"] is None
    assert canvas["label"].startswith(history["caption"] + ": ")
    # Each day's three figures, as the table shows them.
    rows = page.locator("#chart-history tbody tr")
    for i in range(2):
        day, *figures = rows.nth(i).locator("th, td").all_inner_texts()
        assert day in canvas["label"] and all(f in canvas["label"] for f in figures)
    assert axe_violations(page) == []
    assert sideways_overflow(page, 360) == []
    screenshot(page, f"transparency-history-{lang}")


def test_filter_and_sort_the_overview_by_keyboard(page):
    page.goto("/fr/transparency")
    tab_to(page, "el.id === 'filter-region'")
    page.keyboard.press("ArrowDown")  # "All", then the Brussels-Capital Region
    assert page.input_value("#filter-region") == "brussels"
    tab_to(page, "el.type === 'submit' && el.closest('.wepulse-overview-filters')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "region=brussels" in page.url
    rows = page.locator(".wepulse-overview-table tbody tr")
    assert rows.count() == 38  # 19 municipalities and their CPAS

    headers = page.locator(".wepulse-overview-table thead th")
    datasets = headers.nth(3)
    assert headers.nth(0).get_attribute("aria-sort") == "ascending"
    assert datasets.get_attribute("aria-sort") is None
    for expected in ("ascending", "descending"):
        # The column's link (the language links at the top keep the query string too).
        tab_to(
            page, "el.closest('.wepulse-overview-table th') && el.href.includes('sort=datasets')"
        )
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert datasets.get_attribute("aria-sort") == expected
        assert headers.nth(0).get_attribute("aria-sort") is None
        assert rows.count() == 38, "the sort keeps the filter"
    counts = [int(n) for n in rows.locator("td:nth-of-type(3)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 1, counts


def test_without_motion_the_charts_are_drawn_still(page):
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"/fr/organization/{AUTHORITY}/quality")
    found = [chart for chart in charts(page, 2) if chart["canvas"]]
    assert found and not any(chart["canvas"]["animated"] for chart in found), found


def test_without_javascript_the_tables_are_all_there(browser, live_server, catalogue):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/fr/organization/{AUTHORITY}/quality")
        figures = page.locator("figure.wepulse-chart")
        assert figures.count() == 3
        assert page.locator("figure.wepulse-chart canvas").count() == 0
        for i in range(3):
            assert figures.nth(i).locator("table.wepulse-chart-data").is_visible()
            assert not figures.nth(i).locator(".wepulse-chart-canvas").is_visible()
    finally:
        context.close()


def test_the_dataset_page_shows_its_score_in_words_and_bars(page):
    page.goto(f"/fr/dataset/{DATASET}")
    quality = page.locator(".wepulse-quality")
    band = quality.locator(".wepulse-band")
    assert band.is_visible() and band.inner_text().strip()
    bars = quality.locator(".wepulse-dimensions .wepulse-bar")
    assert bars.count() == 5
    widths = [bars.nth(i).bounding_box()["width"] for i in range(5)]
    cells = [quality.locator(".wepulse-bar-cell").nth(i).bounding_box()["width"] for i in range(5)]
    assert all(0 < w <= c for w, c in zip(widths, cells, strict=True)), (widths, cells)
    colour = bars.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(0, 114, 178)"  # 5.2:1 on white
    # Every indicator, opened: its table scrolls on its own on a phone, the page does not.
    page.locator(".wepulse-indicators summary").click()
    assert quality.locator(".wepulse-indicators table").is_visible()
    assert sideways_overflow(page, 360) == []
    assert axe_violations(page) == []
