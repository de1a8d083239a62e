"""A publisher's tables in the real browser: the resource page with its report (how the
file was read, the validation report, the columns, the first rows, the loads), the
columns form (before and after a refused correction) and the public page with its data
dictionary. Without WCAG violations in French and Dutch, without sideways scrolling on
a phone, and usable by keyboard alone: correct a column's type, open the loads, scroll
the wide tables.

The tables are uploaded through the Action API into a draft dataset of an authority
(the publisher of ``log_in`` is a sysadmin, who may edit it) and read, checked and
loaded at once by the job the queue would run (no worker runs here).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import ckan
import pytest
from babel.support import Translations
from ckan import model, plugins
from ckan.tests import helpers
from playwright.sync_api import Page
from werkzeug.datastructures import FileStorage

from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads.jobs import check_table
from ckanext.wepulse.uploads.model import Table

from .conftest import ROOT, axe_violations, log_in, screenshot, sideways_overflow, tab_to

SCHOOLS = ROOT.parent / "shared/corpus/csv-municipal/more/VilleMTP_MTP_EffectifSco_2014.csv"
I18N = ROOT / "ckanext-wepulse/ckanext/wepulse/i18n"
AUTHORITY = "ixelles"
DRAFT = "ixelles-effectifs-scolaires"  # a draft: its editors see it, and its report
PUBLISHED = "ixelles-ecoles"  # published: everyone sees its dictionary
HOSTILE = "ixelles-comptages-hostiles"
# A count of passers-by with a word where a number belongs, past the rows the types are
# inferred from (an error), and a short row (a warning): the report shows both.
COUNTS = "\n".join(
    ["rue;passages;remarque"]
    + [
        "Rue Neuve;beaucoup;travaux"
        if i == 2050
        else "Rue Haute;40"
        if i == 20
        else f"Rue {i};{i * 10};aucune"
        for i in range(2100)
    ]
)
# A clean little table whose columns the keyboard test corrects.
STREETS = "\n".join(["code;nom;valeur"] + [f"{i};Rue {i};{i * 3}" for i in range(1, 21)])
# Markup in a header and in the cells a finding quotes: shown as text, never run.
MARKUP = "<img src=x onerror=alert(document.domain)>"
HOSTILE_CSV = "\n".join(
    [f"rue;{MARKUP}"] + [f"Rue {i};{i}" for i in range(2100)] + [f"Rue X;{MARKUP}"]
)
# Whether the focused element shows a focus ring (as test_keyboard.py asks of controls).
RING = """() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2;
}"""
# Headings, in the page's order, inside the main landmark.
HEADINGS = """() => [...document.querySelectorAll('main h1, main h2, main h3, main h4')]
    .filter(h => h.checkVisibility())
    .map(h => ({level: +h.tagName[1], text: h.innerText.trim()}))"""


def _dataset(name: str, title: str) -> dict:
    """A draft dataset of the authority, as the form's first step leaves it, with the
    metadata publishing asks for."""
    return helpers.call_action(
        "package_create",
        site_context(),
        name=name,
        owner_org=AUTHORITY,
        state="draft",
        title_translated={"fr": title, "nl": f"{title} (nl)"},
        notes_translated={"fr": f"{title}, par établissement.", "nl": f"{title}, per school."},
        license_id="cc-by",
        theme=["EDUC"],
        language=["FRA"],
        frequency="ANNUAL",
        access_rights="PUBLIC",
        contact=[{"name": "Service de l'instruction publique", "email": "ecoles@ixelles.example"}],
    )


def _upload(dataset: str, filename: str, content: bytes, name: dict) -> str:
    """The file uploaded as the dataset's resource, then read, checked and loaded as
    the job queue would; the resource's id."""
    resource = helpers.call_action(
        "resource_create",
        site_context(),
        package_id=dataset,
        name_translated=name,
        format="CSV",
        upload=FileStorage(io.BytesIO(content), filename=filename, content_type="text/csv"),
    )
    check_table(resource["id"])
    return resource["id"]


@pytest.fixture(scope="module")
def tables(live_server, catalogue) -> dict:
    """The draft's three tables (a real municipal file, one with errors, a little clean
    one), a published copy of the real file with its columns described, and a draft
    whose file holds markup."""
    plugins.load_all()
    try:
        # Uploaded files' links are made with the site's address: the server's.
        with helpers.changed_config("ckan.site_url", live_server):
            _dataset(DRAFT, "Effectifs scolaires")
            found = {
                "schools": _upload(
                    DRAFT,
                    SCHOOLS.name,
                    SCHOOLS.read_bytes(),
                    {"fr": "Effectifs scolaires 2014", "nl": "Schoolbevolking 2014"},
                ),
                "counts": _upload(
                    DRAFT,
                    "comptages.csv",
                    COUNTS.encode(),
                    {"fr": "Comptages de passants", "nl": "Tellingen van voorbijgangers"},
                ),
                "streets": _upload(
                    DRAFT, "rues.csv", STREETS.encode(), {"fr": "Rues", "nl": "Straten"}
                ),
            }
            _dataset(PUBLISHED, "Écoles")
            found["published"] = _upload(
                PUBLISHED,
                SCHOOLS.name,
                SCHOOLS.read_bytes(),
                {"fr": "Écoles et effectifs", "nl": "Scholen en leerlingen"},
            )
            entries = Table.get(found["published"]).dictionary
            for entry in entries:
                if entry["source_name"] == "NBENFMAX":
                    entry.update(
                        name="enfants_max",
                        unit="enfants",
                        title={"fr": "Nombre maximum d'enfants"},
                        description={"fr": "Capacité d'accueil de l'école."},
                    )
                if entry["source_name"] == "NOM":
                    entry["title"] = {"fr": "Nom de l'école", "nl": "Naam van de school"}
            helpers.call_action(
                "wepulse_table_update",
                site_context(),
                resource_id=found["published"],
                dictionary=entries,
            )
            check_table(found["published"])
            helpers.call_action("wepulse_dataset_publish", site_context(), id=PUBLISHED)
            _dataset(HOSTILE, "Comptages")
            found["hostile"] = _upload(
                HOSTILE, "hostile.csv", HOSTILE_CSV.encode(), {"fr": "Comptages"}
            )
        statuses = {key: Table.get(resource).status for key, resource in found.items()}
        assert statuses == {
            "schools": "loaded",
            "counts": "checked",
            "streets": "loaded",
            "published": "loaded",
            "hostile": "checked",
        }, statuses
        model.Session.remove()
        return found
    finally:
        plugins.unload_all()


def resource_path(tables: dict, which: str, lang: str) -> str:
    dataset = PUBLISHED if which == "published" else HOSTILE if which == "hostile" else DRAFT
    return f"/{lang}/dataset/{dataset}/resource/{tables[which]}"


@functools.cache
def _catalogue(lang: str) -> Translations:
    core = Translations.load(Path(ckan.__file__).parent / "i18n", [lang], domain="ckan")
    return core.merge(Translations.load(I18N, [lang], domain="ckanext-wepulse"))


def translated(lang: str, message: str) -> str:
    """The words in ``lang`` as the page says them: the portal's catalogue over CKAN's
    (English until a translation is written)."""
    return _catalogue(lang).gettext(message)


def headings_in_order(page: Page) -> list[dict]:
    """The page's headings: one h1 first, and no level skipped on the way down."""
    headings = page.evaluate(HEADINGS)
    assert headings and headings[0]["level"] == 1, headings
    assert [h["level"] for h in headings].count(1) == 1, headings
    for before, after in zip(headings, headings[1:], strict=False):
        assert after["level"] <= before["level"] + 1, (before, after, headings)
    return headings


def report_rows(page: Page) -> list[str]:
    return page.locator(
        "section[aria-labelledby=table-status-heading] "
        "[aria-labelledby=table-report-heading] tbody tr"
    ).all_inner_texts()


# -- WCAG 2.1 A and AA, and reflow --------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("which", ["counts", "schools"])
def test_the_report_passes_axe_for_an_editor(page, tables, lang, which):
    log_in(page, lang)
    response = page.goto(resource_path(tables, which, lang))
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang

    # The report is the table status section's: under its h2, in h3 sections.
    headings = headings_in_order(page)
    levels = {h["text"]: h["level"] for h in headings}
    assert levels[translated(lang, "Table")] == 2, headings
    for name in ("How the file was read", "Validation report", "Columns"):
        assert levels[translated(lang, name)] == 3, headings
    rows = report_rows(page)
    severities = {
        s
        for s in (translated(lang, "Error"), translated(lang, "Warning"))
        if any(s in r for r in rows)
    }
    if which == "counts":
        # The word among the numbers (an error), the short row (a warning).
        assert any("beaucoup" in row for row in rows), rows
        assert severities == {translated(lang, "Error"), translated(lang, "Warning")}, rows
        assert page.get_by_role(
            "button", name=translated(lang, "Load the table despite its errors")
        ).is_visible()
    else:
        assert any("NUMTEL" in row for row in rows), rows  # phone numbers: personal data
        assert page.locator("details summary").inner_text() == translated(lang, "Loads")
    # The draft says so, with the button that publishes it.
    assert page.get_by_role("button", name=translated(lang, "Publish")).is_visible()

    assert axe_violations(page) == []
    screenshot(page, f"uploads-report-{which}-{lang}")


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_columns_form_passes_axe(page, tables, lang):
    log_in(page, lang)
    response = page.goto(resource_path(tables, "schools", lang) + "/table/columns")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    headings_in_order(page)
    fieldsets = page.locator("main form fieldset")
    assert fieldsets.count() == 25  # one per column of the file
    # Every control of a column is named by its label.
    assert page.get_by_label(translated(lang, "Type"), exact=True).count() == 25
    assert axe_violations(page) == []
    screenshot(page, f"uploads-columns-{lang}")


def test_a_refused_name_is_summed_up_and_reached(page, tables):
    log_in(page, "fr")
    page.goto(resource_path(tables, "schools", "fr") + "/table/columns")
    page.fill("[id='0-name']", "_bad")
    with page.expect_navigation():
        page.get_by_role("button", name=translated("fr", "Save and load the table")).click()
    summary = page.locator("#columns-errors")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    # Focus moves to the summary, from which each message leads to its field.
    assert page.evaluate("() => document.activeElement.id") == "columns-errors"
    link = summary.locator("a").first
    assert link.get_attribute("href") == "#0-name"
    field = page.locator("[id='0-name']")
    assert field.input_value() == "_bad"  # what was typed stays, to correct it
    assert field.get_attribute("aria-invalid") == "true"
    described = page.locator(f"[id='{field.get_attribute('aria-describedby')}']")
    # The summary names the column; the message under the field says the same.
    assert link.inner_text().startswith(
        translated("fr", "Column {n}: {name}").format(n=1, name="CDCOL")
    )
    assert described.is_visible() and described.inner_text() in link.inner_text()
    page.keyboard.press("Tab")  # from the summary to its link, which leads to the field
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#0-name"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "0-name"

    assert axe_violations(page) == []
    screenshot(page, "uploads-columns-refused-fr")


def test_the_published_table_shows_its_dictionary_to_everyone(page, tables):
    response = page.goto(resource_path(tables, "published", "fr"))
    assert response.status == 200
    headings = headings_in_order(page)
    texts = [h["text"] for h in headings]
    assert translated("fr", "Data dictionary") in texts
    assert translated("fr", "Validation report") not in texts  # the editors' alone
    dictionary = page.locator("section[aria-labelledby=table-dictionary-heading]")
    row = dictionary.locator("tbody tr", has_text="enfants_max")
    assert "Nombre maximum d'enfants" in row.inner_text()
    assert "enfants" in row.locator("td").nth(2).inner_text()
    # A title written only in French is marked so on a Dutch page.
    page.goto(resource_path(tables, "published", "nl"))
    title = dictionary.locator("tbody tr", has_text="enfants_max").locator("td").first
    assert title.get_attribute("lang") == "fr"
    assert axe_violations(page) == []
    page.goto(resource_path(tables, "published", "fr"))
    assert axe_violations(page) == []
    screenshot(page, "uploads-dictionary-fr")


@pytest.mark.parametrize("which", ["counts", "schools"])
def test_the_report_reflows_on_a_phone(page, tables, which):
    log_in(page)
    page.goto(resource_path(tables, which, "fr"))
    if which == "schools":
        page.locator("details summary").click()  # the loads' table too
    assert sideways_overflow(page, 360) == []


def test_the_columns_form_reflows_on_a_phone(page, tables):
    log_in(page)
    page.goto(resource_path(tables, "schools", "fr") + "/table/columns")
    assert sideways_overflow(page, 360) == []


# -- by keyboard alone -----------------------------------------------------------------


@pytest.mark.parametrize(("lang", "column"), [("fr", "valeur"), ("nl", "code")])
def test_correct_a_columns_type_by_keyboard(page, tables, lang, column):
    """From the report to the columns form and back, by keyboard alone: each language
    corrects its own column (whole numbers become decimal ones)."""
    log_in(page, lang)
    page.goto(resource_path(tables, "streets", lang))
    link = tab_to(page, "el.href && el.href.endsWith('/table/columns')")
    assert link["text"] == translated(lang, "Describe and correct the columns"), link
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/table/columns")

    index = STREETS.split("\n")[0].split(";").index(column)
    select = tab_to(page, f"el.id === '{index}-type'")
    assert select["tag"] == "SELECT"
    assert page.input_value(f"[id='{index}-type']") == "integer"
    page.keyboard.press("ArrowDown")  # the next type: decimal numbers
    assert page.input_value(f"[id='{index}-type']") == "decimal"
    tab_to(page, "el.type === 'submit' && el.form && !!el.form.querySelector('select')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(resource_path(tables, "streets", lang)), page.url

    # Saved: the dictionary says so, on the page and through the API.
    dictionary = page.locator("section[aria-labelledby=table-dictionary-heading]")
    row = dictionary.locator("tbody tr", has_text=column)
    assert translated(lang, "Decimal number") in row.inner_text()
    shown = page.request.get(
        "/api/3/action/wepulse_table_show", params={"resource_id": tables["streets"]}
    ).json()["result"]
    types = {e["source_name"]: e["type"] for e in shown["dictionary"]}
    assert types[column] == "decimal", types
    # Read again: the page says so while it waits for the job queue.
    assert shown["status"] == "queued"
    assert page.locator("#table-status").get_attribute("role") == "status"


def test_the_loads_and_the_wide_tables_are_reached_by_keyboard(page, tables):
    log_in(page)
    page.goto(resource_path(tables, "schools", "fr"))
    # The report's tables, the preview, the dictionary (the loads' is in closed details).
    regions = page.evaluate(
        """() => [...document.querySelectorAll('main [role=region][tabindex="0"]')]
            .filter(r => r.checkVisibility()).map(r => {
                const label = (r.getAttribute('aria-labelledby') || '').split(' ')
                    .map(id => document.getElementById(id)).filter(Boolean)
                    .map(el => el.textContent.trim()).join(' ');
                return {label, scrolls: r.scrollWidth > r.clientWidth};
            })"""
    )
    assert len(regions) >= 5, regions
    assert all(region["label"] for region in regions), regions  # each one named
    assert any(region["scrolls"] for region in regions), "the first rows are wider than this"

    for region in regions:
        focused = tab_to(page, "el.getAttribute('role') === 'region'")
        assert page.evaluate(RING), f"no visible focus on {focused}"
        label = page.evaluate(
            "() => document.getElementById("
            "document.activeElement.getAttribute('aria-labelledby')).textContent.trim()"
        )
        assert label == region["label"], (label, region)
        if region["scrolls"]:  # the keyboard scrolls it sideways (smoothly: wait)
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => document.activeElement.scrollLeft > 0")

    page.goto(resource_path(tables, "schools", "fr"))
    details = page.locator("details:has(summary)")
    summary = tab_to(page, "el.tagName === 'SUMMARY'")
    assert summary["text"] == translated("fr", "Loads")
    assert page.evaluate(RING)
    assert not details.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open")
    loads = details.locator("table tbody tr")
    assert loads.count() == 1 and loads.first.is_visible()
    assert translated("fr", "Loaded") in loads.first.inner_text()
    # Its table scrolls in a box of its own, reached next.
    tab_to(page, "el.getAttribute('aria-labelledby') === 'table-loads-caption'", limit=3)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert not details.evaluate("d => d.open")


def test_markup_in_a_file_is_shown_as_text(page, tables):
    """A header and cells holding markup, quoted by the report: the page fixture fails
    on a dialog or a script error; the markup is shown, not made into elements."""
    log_in(page)
    page.goto(resource_path(tables, "hostile", "fr"))
    report = page.locator("section[aria-labelledby=table-status-heading]")
    assert MARKUP in report.inner_text()
    assert report.locator("img").count() == 0
    for _ in range(40):  # an onfocus handler would fire on focus
        page.keyboard.press("Tab")
    page.goto(resource_path(tables, "hostile", "fr") + "/table/columns")
    assert page.locator("main img").count() == 0
    assert MARKUP in page.inner_text("main")
