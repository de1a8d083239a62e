"""Search in French, Dutch, German and English, through CKAN and the real Solr core.

These assert what must never regress - plurals, accents, compounds, the visitor's
language first, CKAN's API behaviour - not a whole ranking: that is measured over the
relevance set by benchmarks/search_relevance.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import QUERY_FIELDS
from ckan.plugins import toolkit as tk

from ckanext.wepulse.search.index import search_fields
from ckanext.wepulse.search.query import query_fields
from ckanext.wepulse.seeding import site_context

from .conftest import SCHAERBEEK, TREES

RELEVANCE = Path(__file__).parents[2] / "search" / "relevance.json"


def dataset(name: str, titles: dict[str, str], **fields) -> dict:
    """A dataset of Schaerbeek's with these titles (TREES' other metadata)."""
    data = copy.deepcopy(TREES)
    data.update(name=name, title_translated=titles, tags_translated={}, **fields)
    data["notes_translated"] = {lang: f"{title}." for lang, title in titles.items()}
    return tk.get_action("package_create")(site_context(), data)


def search(q: str, **params) -> list[str]:
    found = tk.get_action("package_search")({}, {"q": q, "rows": 20, **params})
    return [d["name"] for d in found["results"]]


class TestSearchFields:
    """What a dataset adds to its Solr document (no Solr needed)."""

    def test_each_language_gets_its_own_text_title_and_keywords(self):
        fields = search_fields(TREES, SCHAERBEEK)
        assert fields["title_nl"] == "Laanbomen"
        assert "Inventaris van de laanbomen langs de gemeentewegen." in fields["text_nl"]
        assert fields["keywords_fr"] == ["arbres", "environnement"]
        assert fields["labels_nl"][0] == "Schaarbeek" and fields["labels_fr"][0] == "Schaerbeek"
        assert set(fields["title_exact"]) == set(TREES["title_translated"].values())
        assert "keywords_de" not in fields  # no German keywords: no empty field

    def test_vocabulary_labels_carry_a_theme_into_every_language(self):
        fields = search_fields({**TREES, "theme": ["ENVI"]}, None)
        assert "Environnement" in fields["labels_fr"]
        assert "Milieu" in fields["labels_nl"]
        assert "Umwelt" in fields["labels_de"]
        assert "Environnement" not in fields["text_fr"]  # the description is the publisher's

    def test_facet_values_are_codes(self):
        fields = search_fields(
            {
                **TREES,
                "language": ["fr", "http://publications.europa.eu/resource/authority/language/NLD"],
            },
            SCHAERBEEK,
        )
        assert fields["theme"] == ["ENVI"]
        assert fields["language"] == ["FRA", "NLD"]
        assert fields["format"] == ["CSV"]  # written "csv" by the publisher
        assert fields["authority_type"] == "municipality" and fields["region"] == "brussels"
        # Geospatial is a top category: sub-categories would be reported as their top.
        assert fields["hvd_category"] == ["c_dd313021"]

    def test_a_dataset_without_translations_still_has_a_title_to_suggest(self):
        fields = search_fields({"title": "Budget", "name": "budget"}, None)
        assert fields["suggest_nl"] == ["Budget"] and fields["title_exact"] == ["Budget"]
        assert "theme" not in fields and "authority_type" not in fields

    def test_the_visitors_language_weighs_double(self):
        assert "title_nl^8" in query_fields("nl") and "title_fr^4" in query_fields("nl")
        assert "title_fr^8" in query_fields("fr")


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestMultilingualSearch:
    @pytest.fixture(autouse=True)
    def catalogue(self, clean_index, schaerbeek):
        dataset("ecoles", {"fr": "Écoles communales"})
        dataset("molenbeek-2025", {"nl": "Gemeentebegroting 2025"}, language=["nl"])
        dataset("eupen-2025", {"de": "Haushaltsplan der Gemeinde"}, language=["de"])
        dataset("permits", {"en": "Building permits issued"}, language=["en"])
        dataset("budget-fr", {"fr": "Budget 2024 de la commune"})
        dataset("budget-en", {"en": "Budget 2024 of the municipality"}, language=["en"])

    @pytest.mark.parametrize("q", ["école", "écoles", "ecoles", "ECOLE", "Ecoles"])
    def test_french_plural_singular_and_accents_meet(self, q):
        assert search(q) == ["ecoles"]

    @pytest.mark.parametrize("q", ["begroting", "begrotingen", "gemeentebegroting"])
    def test_a_dutch_word_finds_the_compound_it_is_part_of(self, q):
        assert search(q) == ["molenbeek-2025"]

    @pytest.mark.parametrize("q", ["Haushalt", "haushaltsplan", "Haushaltspläne"])
    def test_a_german_word_finds_the_compound_it_is_part_of(self, q):
        assert search(q) == ["eupen-2025"]

    def test_english_stemming(self):
        assert search("permit") == ["permits"]

    def test_stock_ckan_would_miss_these(self):
        """The same index, queried as stock CKAN does (dismax on the English `text`)."""
        stock = {"defType": "dismax", "qf": QUERY_FIELDS}
        assert search("begrotingen", **stock) == []
        assert search("Haushalt", **stock) == []

    @pytest.mark.parametrize(("lang", "first"), [("fr", "budget-fr"), ("en", "budget-en")])
    def test_the_visitors_language_comes_first(self, lang, first):
        """ "budget" is French and English: the visitor's language decides the order."""
        found = search("budget", ext_lang=lang)
        assert found[0] == first and set(found) == {"budget-fr", "budget-en"}

    def test_the_page_language_decides_the_order_too(self, app):
        for lang, first in (("fr", "budget-fr"), ("en", "budget-en")):
            page = app.get(f"/{lang}/dataset/?q=budget").body
            assert page.index(f"/dataset/{first}") < page.index(
                f"/dataset/{'budget-en' if first == 'budget-fr' else 'budget-fr'}"
            )

    def test_a_query_equal_to_a_title_ranks_it_first(self, schaerbeek):
        dataset(
            "ecoles-devoirs",
            {"fr": "Écoles de devoirs, écoles communales et écoles libres"},
        )
        assert search("écoles communales")[0] == "ecoles"

    def test_a_typo_gets_a_second_try_and_says_so(self, app):
        found = tk.get_action("package_search")({}, {"q": "bugdet", "ext_lang": "en"})
        assert found["approximate"] is True
        assert [d["name"] for d in found["results"]] == ["budget-en", "budget-fr"]
        assert "approximate" not in tk.get_action("package_search")({}, {"q": "budget"})
        page = app.get("/en/dataset/?q=bugdet").body
        assert "these are the ones with a close spelling" in page
        assert "/dataset/budget-en" in page
        assert "close spelling" not in app.get("/en/dataset/?q=budget").body

    def test_a_query_in_solr_syntax_gets_no_second_try(self):
        found = tk.get_action("package_search")({}, {"q": "title:bugdet"})
        assert found["count"] == 0 and "approximate" not in found

    def test_ckan_api_behaviour_is_kept(self):
        """fq, fielded queries and a client's own query parser work as before."""
        assert search("budget", fq="language:ENG") == ["budget-en"]
        assert search("name:eupen-2025") == ["eupen-2025"]
        assert search("title:Budget", defType="lucene") != []
        assert set(search("")) == {
            "ecoles",
            "molenbeek-2025",
            "eupen-2025",
            "permits",
            "budget-fr",
            "budget-en",
        }


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestFacets:
    def test_facet_values_are_labelled_in_the_visitors_language(self, trees):
        result = tk.get_action("package_search")(
            {},
            {
                "q": "",
                "facet.field": json.dumps(["theme", "authority_type", "region", "organization"]),
                "ext_lang": "nl",
            },
        )
        labels = {
            field: [item["display_name"] for item in facet["items"]]
            for field, facet in result["search_facets"].items()
        }
        assert labels == {
            "theme": ["Milieu"],
            "authority_type": ["Gemeente"],
            "region": ["Brussels Hoofdstedelijk Gewest"],
            "organization": ["Schaarbeek"],
        }

    def test_the_search_page_offers_the_portals_facets(self, app, trees):
        page = app.get("/de/dataset/").body
        for title in ("Behörde", "Art der Behörde", "Thema", "Format", "Lizenz", "Sprache"):
            assert title in page
        assert "Umwelt" in page and "Gemeinde" in page  # values in German too
        assert "/de/dataset/?theme=ENVI" in page

    def test_a_facet_filters(self, app, trees):
        dataset("budget", {"fr": "Budget"}, theme=["ECON"])
        assert search("", fq="theme:ECON") == ["budget"]
        assert "budget" in app.get("/dataset/?theme=ECON").body


def box(west: float, south: float, east: float, north: float) -> list[dict]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return [{"bbox": json.dumps({"type": "Polygon", "coordinates": [ring]})}]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestGeographicSearch:
    """Geoportal datasets: by INSPIRE theme, by place name and by the municipalities
    their extent covers."""

    def test_the_inspire_theme_facet_is_labelled_in_the_visitors_language(self, trees):
        dataset(
            "hydrographie",
            {"fr": "Eaux de surface"},
            inspire_theme=["http://inspire.ec.europa.eu/theme/hy"],
        )
        result = tk.get_action("package_search")(
            {}, {"q": "", "facet.field": json.dumps(["inspire_theme"]), "ext_lang": "nl"}
        )
        (item,) = result["search_facets"]["inspire_theme"]["items"]
        assert (item["name"], item["display_name"]) == ("hy", "Hydrografie")
        assert search("", fq="inspire_theme:hy") == ["hydrographie"]
        # Its label carries a query across languages, as a data theme's does.
        assert search("Gewässernetz") == ["hydrographie"]

    def test_a_dataset_is_found_by_the_municipalities_its_extent_covers(self, trees):
        # A box inside Ixelles/Elsene (4.36-4.38 E, 50.82-50.83 N).
        dataset(
            "plan-ixelles",
            {"fr": "Plan des voiries"},
            spatial_coverage=box(4.365, 50.825, 4.375, 50.83),
        )
        dataset(
            "belgique",
            {"fr": "Plan des voiries du pays"},
            spatial_coverage=box(2.5, 49.5, 6.4, 51.5),
        )
        assert search("Elsene") == ["plan-ixelles"]
        assert search("Ixelles") == ["plan-ixelles"]
        assert "belgique" not in search("Liège")  # too wide an extent to name each one

    def test_a_place_name_is_searchable(self, trees):
        dataset(
            "grondwater", {"nl": "Grondwatermeetnetten"}, spatial_coverage=[{"text": "Vlaanderen"}]
        )
        assert search("Vlaanderen") == ["grondwater"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSuggestions:
    def suggest(self, **params):
        return tk.get_action("wepulse_suggest")({"ignore_auth": False}, params)

    def test_titles_and_keywords_in_the_visitors_language(self, trees):
        found = self.suggest(q="laanb", lang="nl")
        assert found["datasets"] == [{"name": "schaerbeek-arbres", "title": "Laanbomen"}]
        assert self.suggest(q="arb", lang="fr")["keywords"] == ["arbres"]
        assert self.suggest(q="Arbres d'al", lang="fr")["datasets"][0]["title"] == (
            "Arbres d'alignement"
        )

    def test_accents_need_not_be_typed(self, trees):
        assert self.suggest(q="strassenb", lang="de")["datasets"][0]["title"] == "Straßenbäume"

    def test_a_private_dataset_is_never_suggested(self, schaerbeek):
        dataset("secret", {"fr": "Registre confidentiel"}, private=True)
        assert self.suggest(q="registre", lang="fr")["datasets"] == []

    def test_bad_requests_get_clear_errors(self, trees):
        with pytest.raises(tk.ValidationError, match="lang"):
            self.suggest(q="arb", lang="xx")
        with pytest.raises(tk.ValidationError, match="limit"):
            self.suggest(q="arb", lang="fr", limit="many")
        assert self.suggest(q="  ?! ", lang="fr") == {"datasets": [], "keywords": []}

    def test_anyone_may_ask_through_the_api(self, app, trees):
        response = app.get("/api/3/action/wepulse_suggest?q=trees&lang=en")
        assert response.json["result"]["datasets"][0]["title"] == "Street trees"


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestReindex:
    def test_reindex_restores_a_lost_document_and_drops_a_stale_one(self, cli, trees):
        conn = make_connection(decode_dates=False)
        # A document whose dataset is gone (deleted while Solr was down, say)...
        stale = conn.search(q=f"id:{trees['id']}", fl="*").docs[0]
        stale.pop("_version_")
        conn.add([{**stale, "id": "gone", "name": "gone", "index_id": "gone"}])
        # ...and a dataset whose document is lost.
        conn.delete(q=f"id:{trees['id']}", commit=True)

        def indexed() -> set[str]:
            return {d["id"] for d in conn.search(q="title_nl:laanbomen", fl="id").docs}

        assert indexed() == {"gone"} and search("laanbomen") == []

        result = cli.invoke(ckan_command, ["wepulse", "search", "reindex"])
        assert result.exit_code == 0, result.output
        assert "1 indexed, 1 removed" in result.output
        assert indexed() == {trees["id"]} and search("laanbomen") == ["schaerbeek-arbres"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestAcceptance:
    """The issue's acceptance queries, over the demo catalogue's own datasets."""

    @pytest.fixture(autouse=True)
    def demo_catalogue(self, clean_db, clean_index):
        from ckanext.wepulse import demo

        from .test_demo import create_demo_authorities

        create_demo_authorities()
        list(demo.seed())

    @pytest.mark.parametrize("q", ["budgets", "begrotingen", "école", "ecoles", "Haushalt"])
    def test_the_matching_demo_datasets_come_first(self, q):
        case = next(c for c in json.loads(RELEVANCE.read_text())["queries"] if c["q"] == q)
        found = search(q, ext_lang=case["lang"])
        assert found and found[0] in case["expect"], (q, found[:5], case["expect"])
