"""The dataset and resource pages, as a visitor reads them in their language.

Text is checked on the English pages, English being the source of the translations;
the other pages are checked by their structure (lang attributes, links), which
translating does not change.
"""

from __future__ import annotations

import copy

import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk

from ckanext.wepulse.seeding import site_context

from .conftest import TREES, page, text

HARVESTED = {
    "harvest_source_title": "data.gov.be: Brussels datasets",
    "harvest_url": "https://datastore.brussels/web/data/dataset/arbres",
    "harvest_guid": "http://data.gov.be/dataset/brussels/arbres",
    "harvest_first": "2025-01-10T08:00:00",
    "harvest_last": "2025-03-02T08:00:00",
}


def create(**changes) -> dict:
    """A dataset like TREES, with ``changes`` (None removes a field)."""
    data = copy.deepcopy(TREES)
    data.update(name=changes.pop("name", "schaerbeek-arbres-bis"), **changes)
    return tk.get_action("package_create")(
        site_context(), {k: v for k, v in data.items() if v is not None}
    )


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLanguages:
    def test_the_dutch_page_shows_the_dutch_title_and_description(self, app, trees):
        html = page(app, "/nl/dataset/schaerbeek-arbres")

        title = html.find("h1")
        assert text(title) == "Laanbomen"
        assert not title.has_attr("lang")
        assert "Inventaris van de laanbomen" in text(html.select_one(".notes"))
        assert html.select_one(".wepulse-language-note") is None

    def test_a_dataset_only_in_french_says_so_on_the_dutch_page(self, app, schaerbeek):
        create(
            title_translated={"fr": "Arbres remarquables"},
            notes_translated={"fr": "Les arbres remarquables de la commune."},
        )

        html = page(app, "/nl/dataset/schaerbeek-arbres-bis")

        title = html.find("h1")
        assert text(title) == "Arbres remarquables" and title["lang"] == "fr"
        assert html.select_one(".notes")["lang"] == "fr"
        note = html.select_one(".wepulse-language-note")
        assert "Frans" in text(note)  # French, named in Dutch
        switch = note.select("a")
        assert [(a["href"], a["lang"], text(a)) for a in switch] == [
            ("/fr/dataset/schaerbeek-arbres-bis", "fr", "Lire en français")
        ]

    def test_the_note_names_the_language_on_the_english_page(self, app, schaerbeek):
        create(title_translated={"fr": "Arbres remarquables"}, notes_translated={"fr": "Arbres."})

        note = page(app, "/en/dataset/schaerbeek-arbres-bis").select_one(".wepulse-language-note")

        assert text(note).startswith("Only available in French.")

    def test_a_description_missing_in_dutch_is_flagged_alone(self, app, schaerbeek):
        create(
            title_translated={"fr": "Arbres", "nl": "Bomen"},
            notes_translated={"fr": "Les arbres."},
        )

        html = page(app, "/nl/dataset/schaerbeek-arbres-bis")

        assert not html.find("h1").has_attr("lang")
        assert html.select_one(".notes")["lang"] == "fr"
        assert html.select_one(".wepulse-language-note a")["hreflang"] == "fr"

    def test_a_resource_name_in_another_language_is_marked(self, app, trees):
        html = page(app, "/de/dataset/schaerbeek-arbres")

        name = html.select_one(".wepulse-resource h3 a span")
        assert (text(name), name["lang"]) == ("Inventaire 2023", "fr")


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDistributions:
    def test_the_download_link_names_the_file_its_format_and_size(self, app, trees):
        html = page(app, "/en/dataset/schaerbeek-arbres")

        link = html.select_one(".wepulse-resource a.btn")
        assert link["href"] == "https://data.example.be/schaerbeek/arbres-2023.csv"
        assert text(link) == "Download Inventaire 2023 (CSV, 80 KiB)"
        assert text(html.select_one(".wepulse-resource .badge")) == "CSV"

    def test_no_bare_download_or_explore_button(self, app, trees):
        html = page(app, "/en/dataset/schaerbeek-arbres")

        names = [text(a) for a in html.select("main a, [role=main] a")]
        assert not {"Download", "Explore", "Preview", "Go to resource"} & set(names)
        assert html.select(".dropdown-toggle") == []

    def test_a_service_is_opened_not_downloaded(self, app, schaerbeek):
        service = {
            "name_translated": {"en": "Tree map"},
            "url": "https://geo.example.be/wms",
            "format": "WMS",
        }
        create(resources=[service])

        link = page(app, "/en/dataset/schaerbeek-arbres-bis").select_one(".wepulse-resource a.btn")

        assert text(link) == "Open Tree map (WMS)"

    def test_the_resource_page_has_the_same_link_format_size_and_licence(self, app, trees):
        resource_id = trees["resources"][0]["id"]
        html = page(app, f"/en/dataset/schaerbeek-arbres/resource/{resource_id}")

        assert text(html.find("h1")) == "Inventaire 2023"
        link = html.select_one("a.btn.resource-url-analytics")
        assert text(link) == "Download Inventaire 2023 (CSV, 80 KiB)"
        facts = {text(dt): text(dt.find_next_sibling("dd")) for dt in html.select("dl.row dt")}
        assert facts["Format"] == "CSV" and facts["Size"] == "80 KiB"
        assert facts["License"].startswith("Creative Commons CC0 1.0 Universal")
        # No row for an empty field, nor CKAN's raw dump of the resource's keys.
        rows = [text(th) for th in html.select(".additional-info th[scope=row], table th")]
        assert "Checksum" not in rows and "Name translated" not in rows


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestMetadata:
    @pytest.mark.parametrize(
        "media_type", ["text/turtle", "application/rdf+xml", "application/ld+json"]
    )
    def test_the_dcat_ap_links_answer_with_their_media_type(self, app, trees, media_type):
        link = page(app, "/en/dataset/schaerbeek-arbres").select_one(f'a[type="{media_type}"]')
        assert text(link).startswith("Metadata in DCAT-AP (")

        response = app.get(link["href"])

        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(media_type)

    def test_the_licence_in_plain_words(self, app, trees):
        licence = facts(page(app, "/en/dataset/schaerbeek-arbres"))["Licence"]

        assert text(licence) == (
            "Creative Commons CC0 1.0 Universal You may reuse this data for any purpose,"
            " including commercially, without conditions."
        )
        assert licence.a["href"] == "https://creativecommons.org/publicdomain/zero/1.0/"

    def test_a_non_commercial_licence_says_so(self, app, schaerbeek):
        create(license_id="CC_BYNC_4_0")

        licence = facts(page(app, "/en/dataset/schaerbeek-arbres-bis"))["Licence"]

        assert "for non-commercial purposes only" in text(licence)

    def test_without_a_licence_the_reader_is_told_to_ask(self, app, schaerbeek):
        create(license_id=None)

        licence = facts(page(app, "/en/dataset/schaerbeek-arbres-bis"))["Licence"]

        assert text(licence) == "No licence is given: ask the publisher before reusing this data."

    def test_the_facts_in_the_page_language(self, app, trees):
        found = facts(page(app, "/en/dataset/schaerbeek-arbres"))

        assert text(found["Authority"]) == "Schaerbeek"
        assert text(found["Themes"]) == "Environment"
        assert text(found["Update frequency"]) == "annual"
        assert text(found["Temporal coverage"]) == "January 1, 2023 – December 31, 2023"
        assert "Last modified" in found

    def test_empty_fields_show_no_empty_boxes(self, app, schaerbeek):
        create(
            contact=[{"name": "", "email": ""}],
            temporal_coverage=None,
            tags_translated=None,
            publisher=[{"uri": "", "name": ""}],
        )

        html = page(app, "/en/dataset/schaerbeek-arbres-bis")

        shown = set(facts(html)) | {text(th) for th in html.select(".additional-info th")}
        for label in ("Contact points", "Publisher", "Temporal coverage", "Keywords"):
            assert label not in shown
        assert "Spatial coverage" not in shown  # none given
        assert html.select(".panel") == []

    def test_a_contact_shows_only_what_it_has(self, app, trees):
        html = page(app, "/en/dataset/schaerbeek-arbres")

        contact = next(
            th.find_next_sibling("td")
            for th in html.select(".additional-info th")
            if text(th) == "Contact points"
        )
        assert [text(dt) for dt in contact.select("dt")] == ["Name", "Email"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestProvenance:
    def test_a_harvested_dataset_says_where_it_comes_from(self, app, schaerbeek):
        create(**HARVESTED)

        html = page(app, "/en/dataset/schaerbeek-arbres-bis")

        section = html.select_one(".wepulse-provenance")
        found = {text(dt): dd for dt, dd in zip(section("dt"), section("dd"), strict=True)}
        assert text(found["Harvested from"]) == "data.gov.be: Brussels datasets"
        assert found["Original address"].a["href"] == HARVESTED["harvest_url"]
        assert text(found["Original identifier"]) == HARVESTED["harvest_guid"]
        assert text(found["Last harvested change"]) == "March 2, 2025"

    def test_a_dataset_made_here_has_no_provenance_block(self, app, trees):
        html = page(app, "/en/dataset/schaerbeek-arbres")

        assert html.select_one(".wepulse-provenance") is None


def facts(html: BeautifulSoup) -> dict:
    """The dataset's facts: each label's <dd>."""
    section = html.select_one(".wepulse-facts")
    return {text(dt): dt.find_next_sibling("dd") for dt in section("dt")}
