"""Machine translations stay machine translations (issue 13), through the real stack.

data.gov.be's LDES page 120 holds 100 ODWB datasets written in French, each with
machine translations tagged @nl-t-fr, @de-t-fr and @en-t-fr. Harvested, the French
is the original (title_translated, the name, the title shown first) and the
translations have fields of their own: kept, exported with their tag, searchable below
originals, and shown labelled on the dataset page.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ckan import plugins
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.search.index import search_fields
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, file

from ....conftest import PLUGINS_WITH_TABLES
from ..conftest import TREES, allowing, make_source

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"
PAGE = CORPUS / "belgium" / "data.gov.be" / "ldes_page_120.trig"
VERVIERS = "https://www.odwb.be/explore/dataset/services-publics-et-parapublics-verviers/"
NETWORKING = "https://www.odwb.be/explore/dataset/nombre-d-evenements-de-networking/"


@pytest.fixture(scope="module")
def harvested(reset_db, migrate_db_for, reset_index) -> dict[str, dict]:
    """The page harvested as a source, once for the tests that only read it (a
    harvest of 100 datasets takes minutes): its datasets by their source IRI."""
    plugins.load_all()  # as with_plugins does for one test
    reset_db()
    for plugin in PLUGINS_WITH_TABLES:
        migrate_db_for(plugin)
    reset_index()
    authority = factories.Organization(name="odwb")
    with FixtureServer({"/" + PAGE.name: file(PAGE)}) as server, allowing(server):
        source = make_source(
            server, authority, "odwb-ldes", "/" + PAGE.name, config={"follow_pages": False}
        )
        _job, summary = sync.run_source(source["name"])
    assert summary.added == 100, summary
    found = tk.get_action("package_search")(
        site_context(), {"q": "*:*", "fq": "+dataset_type:dataset", "rows": 1000}
    )["results"]
    return {dataset["harvest_guid"]: dataset for dataset in found}


pytestmark = pytest.mark.usefixtures("with_plugins")


def show(name: str) -> dict:
    return tk.get_action("package_show")(site_context(), {"id": name})


def test_originals_and_machine_translations_are_stored_apart(harvested):
    verviers = show(harvested[VERVIERS]["name"])

    assert {k: v for k, v in verviers["title_translated"].items() if v} == {
        "fr": "Services publics et parapublics - Verviers"
    }
    assert verviers["title_machine_translated"] == {
        "nl": {"text": "Openbare en parapublieke diensten - Verviers", "from": "fr"},
        "de": {"text": "Öffentliche und halböffentliche Dienstleistungen - Verviers", "from": "fr"},
        "en": {"text": "Public and parapublic services - Verviers", "from": "fr"},
    }
    assert verviers["notes_machine_translated"]["nl"] == {
        "text": "Locatie van publieke en parapublieke diensten in Verviers",
        "from": "fr",
    }
    # No dataset of the page has an original in another language than French.
    for dataset in harvested.values():
        originals = {lang for lang, text in dataset["title_translated"].items() if text}
        assert originals == {"fr"}, (dataset["harvest_guid"], dataset["title_translated"])


def test_names_come_from_the_french_originals(harvested):
    assert harvested[VERVIERS]["name"] == "services-publics-et-parapublics-verviers"
    assert harvested[NETWORKING]["name"] == "nombre-devenements-de-networking"
    # The core title (CKAN's pages, sorting) is the original too.
    assert harvested[NETWORKING]["title"] == "Nombre d'événements de networking"


def test_the_dcat_ap_output_tags_machine_translations(app, harvested):
    name = harvested[VERVIERS]["name"]
    response = app.get(f"/dataset/{name}.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    dataset = graph.value(predicate=RDF.type, object=DCAT.Dataset)

    assert set(graph.objects(dataset, DCTERMS.title)) == {
        Literal("Services publics et parapublics - Verviers", lang="fr"),
        Literal("Openbare en parapublieke diensten - Verviers", lang="nl-t-fr"),
        Literal("Öffentliche und halböffentliche Dienstleistungen - Verviers", lang="de-t-fr"),
        Literal("Public and parapublic services - Verviers", lang="en-t-fr"),
    }
    descriptions = {o.language for o in graph.objects(dataset, DCTERMS.description)}
    assert descriptions == {"fr", "nl-t-fr", "de-t-fr", "en-t-fr"}


def test_a_dutch_search_finds_a_machine_translation_below_an_original(harvested, request):
    query = {"q": "netwerkevenementen", "ext_lang": "nl", "rows": 10}
    found = tk.get_action("package_search")({}, query)["results"]
    assert [d["harvest_guid"] for d in found] == [NETWORKING]

    # The same words as an original Dutch title and description rank above.
    original = copy.deepcopy(TREES)
    original.update(
        name="aantal-netwerkevenementen",
        owner_org=harvested[NETWORKING]["owner_org"],
        title_translated={"nl": "Aantal netwerkevenementen"},
        notes_translated={"nl": "Aantal netwerkevenementen"},
        tags_translated={},
        resources=[],
    )
    created = tk.get_action("package_create")(site_context(), original)
    request.addfinalizer(
        lambda: tk.get_action("dataset_purge")(site_context(), {"id": created["id"]})
    )
    found = tk.get_action("package_search")({}, query)["results"]
    assert [d["name"] for d in found] == [
        "aantal-netwerkevenementen",
        harvested[NETWORKING]["name"],
    ]


def test_the_dutch_page_shows_the_machine_translation_labelled(app, harvested):
    name = harvested[VERVIERS]["name"]
    html = BeautifulSoup(app.get(f"/nl/dataset/{name}").get_data(as_text=True), "html.parser")

    # The original comes first, in its language.
    title = html.find("h1")
    assert " ".join(title.get_text(" ").split()) == "Services publics et parapublics - Verviers"
    assert title["lang"] == "fr"
    box = html.select_one(".wepulse-machine-translation")
    label = box.select_one("#machine-translation-label")
    assert label.get_text(strip=True) == "Automatische vertaling uit het Frans"
    assert not label.has_attr("lang")  # in the page's language
    texts = {e.get_text(" ", strip=True): e["lang"] for e in box.select("[lang]")}
    assert texts == {
        "Openbare en parapublieke diensten - Verviers": "nl",
        "Locatie van publieke en parapublieke diensten in Verviers": "nl",
    }


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("fr", None),  # the original is in French: nothing translated is shown above
        ("de", "Automatische Übersetzung aus dem Französischen"),
        ("en", "Automatic translation from French"),
    ],
)
def test_each_page_labels_its_own_languages_machine_translation(app, harvested, lang, label):
    name = harvested[VERVIERS]["name"]
    html = BeautifulSoup(app.get(f"/{lang}/dataset/{name}").get_data(as_text=True), "html.parser")
    box = html.select_one(".wepulse-machine-translation")
    if label is None:
        assert box is None
    else:
        assert box.select_one("#machine-translation-label").get_text(strip=True) == label
    # Every machine translation is listed with the dataset's fields, each labelled.
    info = html.select_one(".additional-info")
    listed = {dd["lang"] for dd in info.select("dd[lang]")}
    assert {"nl", "de", "en"} <= listed


# -- the field, through the API ------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestTheField:
    def test_it_takes_translations_with_their_source(self, schaerbeek):
        data = copy.deepcopy(TREES)
        data["title_machine_translated"] = {"de": {"text": " Laanbäume ", "from": "nl"}}
        created = tk.get_action("package_create")(site_context(), data)
        assert created["title_machine_translated"] == {"de": {"text": "Laanbäume", "from": "nl"}}

    @pytest.mark.parametrize(
        "value",
        [
            {"nl": "Laanbomen"},  # no source language
            {"nl": {"text": "Laanbomen"}},
            {"nl": {"text": "Laanbomen", "from": "fr", "by": "deepl"}},
            {"nl": {"text": ["Laanbomen"], "from": "fr"}},
            {"xx": {"text": "Laanbomen", "from": "fr"}},
            {"nl": {"text": "Laanbomen", "from": "xx"}},
            ["Laanbomen"],
        ],
    )
    def test_it_refuses_anything_else(self, schaerbeek, value):
        data = copy.deepcopy(TREES)
        data["title_machine_translated"] = value
        with pytest.raises(tk.ValidationError) as error:
            tk.get_action("package_create")(site_context(), data)
        assert list(error.value.error_dict) == ["title_machine_translated"]


def test_search_fields_keep_machine_translations_apart():
    dataset = {
        "title_translated": {"fr": "Arbres"},
        "title_machine_translated": {"nl": {"text": "Bomen", "from": "fr"}},
        "resources": [
            {"description_machine_translated": {"nl": {"text": "Een boom per rij", "from": "fr"}}}
        ],
    }
    fields = search_fields(dataset, None)
    assert fields["machine_translated_nl"] == ["Bomen", "Een boom per rij"]
    assert "title_nl" not in fields and "text_nl" not in fields
    assert fields["title_exact"] == ["Arbres"]
