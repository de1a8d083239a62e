"""The dataset schema through the Action API: translations and vocabularies."""

from __future__ import annotations

import copy

import pytest
from ckan.plugins import toolkit as tk

from ckanext.wepulse.seeding import site_context

from .conftest import TREES

EU = "http://publications.europa.eu/resource/authority/"


def create(**changes):
    return tk.get_action("package_create")(site_context(), {**copy.deepcopy(TREES), **changes})


def errors_of(**changes) -> dict:
    with pytest.raises(tk.ValidationError) as error:
        create(**changes)
    return error.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_index", "schaerbeek")
class TestTranslatedFields:
    def test_every_language_is_kept_and_the_core_title_is_the_default_language(self, trees):
        shown = tk.get_action("package_show")({}, {"id": trees["id"]})
        assert shown["title_translated"] == TREES["title_translated"]
        assert shown["notes_translated"]["nl"] == TREES["notes_translated"]["nl"]
        assert shown["tags_translated"] == TREES["tags_translated"]
        assert shown["title"] == "Arbres d'alignement"  # ckan.locale_default = fr
        assert shown["resources"][0]["name"] == "Inventaire 2023"

    def test_a_dataset_only_in_dutch_shows_dutch_as_its_title(self):
        dataset = create(title_translated={"nl": "Laanbomen"})
        assert dataset["title"] == "Laanbomen"

    def test_plain_ckan_title_and_notes_are_accepted_as_french(self):
        dataset = create(
            title_translated=None, notes_translated=None, title="Arbres", notes="Inventaire."
        )
        assert dataset["title_translated"] == {"fr": "Arbres"}
        assert dataset["notes_translated"] == {"fr": "Inventaire."}

    def test_an_unknown_language_is_refused_clearly(self):
        errors = errors_of(title_translated={"fr": "Arbres", "xx": "?"})
        assert errors["title_translated"] == [
            "Unknown language xx: use a two-letter code such as fr, nl, de, en"
        ]

    def test_other_eu_languages_are_kept(self):
        dataset = create(title_translated={"fr": "Arbres", "es": "Árboles"})
        assert dataset["title_translated"] == {"fr": "Arbres", "es": "Árboles"}

    def test_a_title_in_no_language_is_refused(self):
        errors = errors_of(title_translated={"fr": "  "}, title=None)
        assert "at least one of fr, nl, de, en" in errors["title_translated"][0]

    def test_keywords_are_checked_per_language(self):
        errors = errors_of(tags_translated={"fr": ["ok", "pas<bon>"]})
        assert "fr keyword 'pas<bon>'" in errors["tags_translated"][0]


@pytest.mark.usefixtures("with_plugins", "clean_index", "schaerbeek")
class TestVocabularies:
    def test_codes_labels_and_iris_are_stored_as_iris(self, trees):
        assert trees["theme"] == [EU + "data-theme/ENVI"]
        assert trees["language"] == [EU + "language/FRA", EU + "language/NLD"]
        assert trees["frequency"] == EU + "frequency/ANNUAL"  # given as its French label
        assert trees["access_rights"] == EU + "access-right/PUBLIC"
        assert trees["hvd_category"] == ["http://data.europa.eu/bna/c_dd313021"]

    def test_a_value_outside_the_vocabulary_is_refused_with_its_scheme(self):
        errors = errors_of(theme=["ENVI", "SPORTS"])
        assert errors["theme"] == [
            f"Unknown value 'SPORTS': expected a concept of {EU}data-theme (its IRI, code or label)"
        ]

    def test_no_theme_is_stored_as_none_and_round_trips(self):
        """An empty list (a harvested dataset without themes) must come back as sent."""
        dataset = create(theme=[], hvd_category=[])
        assert not dataset.get("theme") and not dataset.get("hvd_category")
        updated = tk.get_action("package_update")(site_context(), dataset)
        assert not updated.get("theme")

    def test_known_formats_become_file_type_codes_and_others_are_kept(self):
        resources = [
            {"url": "https://x.example/a.csv", "format": ".csv"},
            {"url": "https://x.example/b", "format": "text/csv"},
            {"url": "https://x.example/c", "format": "Mon format maison"},
        ]
        dataset = create(resources=resources)
        assert [r["format"] for r in dataset["resources"]] == ["CSV", "CSV", "Mon format maison"]


@pytest.mark.usefixtures("with_plugins", "clean_index", "schaerbeek")
class TestLicences:
    def test_a_licence_may_be_given_by_id_code_iri_or_url(self):
        for given in (
            "CC_BY_4_0",
            EU + "licence/CC_BY_4_0",
            "https://creativecommons.org/licenses/by/4.0/",
        ):
            dataset = create(name=f"d-{abs(hash(given))}", license_id=given)
            assert dataset["license_id"] == "CC_BY_4_0"
            assert dataset["license_url"] == EU + "licence/CC_BY_4_0"
            assert dataset["isopen"] is True

    def test_belgian_licences_are_offered(self):
        licences = {lic["id"]: lic for lic in tk.get_action("license_list")({}, {})}
        assert licences["BE_URBIS_OPEN_DATA"]["url"].startswith("http://cirb.brussels/")
        assert licences["cc-by"]["url"] == EU + "licence/CC_BY"

    def test_an_unknown_licence_is_refused(self):
        errors = errors_of(license_id="WTFPL")
        assert errors["license_id"][0].startswith("Unknown licence 'WTFPL'")

    def test_a_non_commercial_licence_is_not_open(self):
        assert create(license_id="CC_BYNC_4_0")["isopen"] is False
