"""The dataset form in the browser's place: one input per language, posted back."""

from __future__ import annotations

import re

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories


@pytest.fixture
def editor(schaerbeek) -> dict:
    return factories.SysadminWithToken()


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDatasetForm:
    def test_the_form_offers_each_field_in_each_language(self, app, editor):
        html = app.get("/dataset/new", headers={"Authorization": editor["token"]}).get_data(
            as_text=True
        )
        for lang in ("fr", "nl", "de", "en"):
            assert f'name="title_translated-{lang}"' in html
            assert f'name="notes_translated-{lang}"' in html
        assert 'lang="nl"' in html

    def test_posting_per_language_inputs_stores_the_translations(self, app, editor):
        form = {
            "name": "schaerbeek-velos",
            "owner_org": "schaerbeek",
            "title_translated-fr": "Stationnements vélo",
            "title_translated-nl": "Fietsparkeerplaatsen",
            "notes_translated-fr": "Emplacements des arceaux.",
            "tags_translated-fr": "vélo, mobilité",
            "theme": "http://publications.europa.eu/resource/authority/data-theme/TRAN",
            "license_id": "cc-by",
            "save": "continue",
            "_ckan_phase": "dataset_new_1",
        }
        response = app.post(
            "/dataset/new",
            data=form,
            headers={"Authorization": editor["token"]},
            follow_redirects=False,
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": "schaerbeek-velos"})
        assert dataset["title_translated"] == {
            "fr": "Stationnements vélo",
            "nl": "Fietsparkeerplaatsen",
        }
        assert dataset["tags_translated"] == {"fr": ["vélo", "mobilité"]}
        assert dataset["notes_translated"] == {"fr": "Emplacements des arceaux."}

    def test_a_form_without_a_title_comes_back_with_the_error(self, app, editor):
        form = {
            "name": "sans-titre",
            "owner_org": "schaerbeek",
            "notes_translated-fr": "Rien.",
            "save": "continue",
            "_ckan_phase": "dataset_new_1",
        }
        response = app.post("/dataset/new", data=form, headers={"Authorization": editor["token"]})
        html = response.get_data(as_text=True)
        # The message, in the site's default language (French).
        assert "au moins une de ces langues : fr, nl, de, en" in html
        assert 'value="Rien."' in html or ">Rien.<" in html  # what was typed is kept


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestVocabularyLabels:
    ENVI = "http://publications.europa.eu/resource/authority/data-theme/ENVI"

    def test_the_form_offers_themes_by_their_label_in_the_page_language(self, app, editor):
        headers = {"Authorization": editor["token"]}
        french = app.get("/dataset/new", headers=headers).get_data(as_text=True)
        assert f'value="{self.ENVI}"' in french
        assert re.search(r">\s*Environnement\s*</option>", french)
        dutch = app.get("/nl/dataset/new", headers=headers).get_data(as_text=True)
        assert re.search(r">\s*Milieu\s*</option>", dutch)

    def test_the_dataset_page_names_its_themes_in_the_page_language(self, app, trees):
        assert "Environnement" in app.get(f"/dataset/{trees['name']}").get_data(as_text=True)
        assert "Milieu" in app.get(f"/nl/dataset/{trees['name']}").get_data(as_text=True)
