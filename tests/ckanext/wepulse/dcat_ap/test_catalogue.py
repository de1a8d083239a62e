"""The catalogue endpoints (/catalog.ttl, .rdf, .jsonld) as a harvesting portal reads
them: every page valid DCAT-AP 3.0.1 (shapes and range), the dcat:Catalog included,
with its publisher, its languages and its title and description in each language;
made from the stored DCAT-AP texts, the same graph ckanext-dcat would build."""

from __future__ import annotations

import copy

import pytest
from ckan.plugins import toolkit as tk
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF

from ckanext.wepulse import jobs
from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.seeding import site_context

from ..conftest import TREES

FORMATS = [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld"), ("n3", "n3")]
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"


@pytest.fixture
def catalogue(schaerbeek) -> None:
    """Three datasets (two pages of two): one names its publisher by the authority's IRI
    alone, as a harvested record may."""
    for suffix in ("a", "b"):
        dataset = {**copy.deepcopy(TREES), "name": f"schaerbeek-arbres-{suffix}"}
        tk.get_action("package_create")(site_context(), dataset)
    nameless = {
        **copy.deepcopy(TREES),
        "name": "schaerbeek-arbres-c",
        "publisher": [{"uri": schaerbeek["publisher_uri"]}],
    }
    tk.get_action("package_create")(site_context(), nameless)


def stored(*names: str) -> None:
    """What the background job stores for these datasets: their DCAT-AP text and
    their quality measurements."""
    jobs.validate_datasets(
        [tk.get_action("package_show")(site_context(), {"id": name})["id"] for name in names]
    )


def catalogue_page(app, fmt: str, rdflib_format: str, number: int) -> Graph:
    response = app.get(f"/catalog.{fmt}", query_string={"page": number})
    assert response.status_code == 200
    return Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)


def the_catalogue(graph: Graph) -> URIRef:
    (catalogue,) = graph.subjects(RDF.type, DCAT.Catalog)
    return catalogue


@pytest.mark.usefixtures("with_plugins", "clean_index", "catalogue")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
class TestCatalogueEndpoints:
    @pytest.mark.parametrize(("fmt", "rdflib_format"), FORMATS)
    def test_every_page_conforms_to_dcat_ap(self, app, fmt, rdflib_format):
        for number, datasets in ((1, 2), (2, 1)):
            graph = catalogue_page(app, fmt, rdflib_format, number)
            assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == datasets

            conforms, findings = validate_graph(graph)

            assert conforms, [f.as_dict() for f in findings if f.severity == "Violation"]

    def test_the_catalogue_is_described_in_each_language_with_its_publisher(self, app):
        graph = catalogue_page(app, "ttl", "turtle", 1)
        catalogue = the_catalogue(graph)

        titles = set(graph.objects(catalogue, DCTERMS.title))
        assert {title.language for title in titles} == {"fr", "nl", "de", "en"}
        assert Literal("WePulse: open data of Belgian local authorities", lang="en") in titles
        descriptions = graph.objects(catalogue, DCTERMS.description)
        assert {description.language for description in descriptions} == {"fr", "nl", "de", "en"}
        assert set(graph.objects(catalogue, DCTERMS.language)) == {
            URIRef(LANGUAGE + code) for code in ("FRA", "NLD", "DEU", "ENG")
        }
        (homepage,) = graph.objects(catalogue, FOAF.homepage)
        assert (homepage, RDF.type, FOAF.Document) in graph
        (publisher,) = graph.objects(catalogue, DCTERMS.publisher)
        assert publisher == URIRef(tk.config["ckan.site_url"].rstrip("/") + "/about#publisher")
        assert Literal("WePulse Open Data", lang="nl") in set(graph.objects(publisher, FOAF.name))

    @pytest.mark.ckan_config(
        "ckanext.wepulse.catalogue.publisher_uri",
        "https://org.belgif.be/id/CbeRegisteredEntity/0316381039",
    )
    @pytest.mark.ckan_config(
        "ckanext.wepulse.catalogue.publisher_name.fr",
        "Services du Gouvernement de la Région bruxelloise",
    )
    @pytest.mark.ckan_config("ckanext.wepulse.catalogue.publisher_name.de", "")
    def test_the_catalogues_publisher_is_the_portals_to_set(self, app):
        graph = catalogue_page(app, "ttl", "turtle", 1)

        (publisher,) = graph.objects(the_catalogue(graph), DCTERMS.publisher)
        assert publisher == URIRef("https://org.belgif.be/id/CbeRegisteredEntity/0316381039")
        names = set(graph.objects(publisher, FOAF.name))
        assert Literal("Services du Gouvernement de la Région bruxelloise", lang="fr") in names
        assert {name.language for name in names} == {"fr", "nl", "en"}  # none set in German

    def test_a_publisher_given_by_the_authoritys_iri_alone_is_named_after_it(self, app):
        response = app.get("/dataset/schaerbeek-arbres-c.ttl")
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")

        publisher = URIRef("https://data.example.be/authority/schaerbeek")
        assert set(graph.objects(publisher, FOAF.name)) == {
            Literal("Schaerbeek", lang="fr"),
            Literal("Schaarbeek", lang="nl"),
        }


@pytest.mark.usefixtures("with_plugins", "clean_index", "catalogue")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
class TestPagesFromStoredTexts:
    @pytest.mark.parametrize(("fmt", "rdflib_format"), FORMATS)
    def test_a_page_is_the_graph_ckanext_dcat_builds(self, app, fmt, rdflib_format):
        stored("schaerbeek-arbres-a", "schaerbeek-arbres-b")  # the first page; not the second
        for number in (1, 2):
            page = catalogue_page(app, fmt, rdflib_format, number)
            # ckanext-dcat's own building, for the same URL (the paging links name it)
            with app.flask_app.test_request_context(f"/catalog.{fmt}?page={number}"):
                built = dcat_logic.dcat_catalog_show(
                    {"ignore_auth": True}, {"format": fmt, "page": number}
                )

            assert isomorphic(page, Graph().parse(data=built, format=rdflib_format))
        assert any(page.subjects(RDF.type, URIRef("http://www.w3.org/ns/dqv#QualityMeasurement")))

    @pytest.mark.parametrize(("fmt", "rdflib_format"), FORMATS)
    def test_a_page_of_stored_datasets_builds_no_graph(self, app, monkeypatch, fmt, rdflib_format):
        stored("schaerbeek-arbres-a", "schaerbeek-arbres-b", "schaerbeek-arbres-c")

        def no_building(*args, **kwargs):
            raise AssertionError("a dataset's graph was built for the page")

        monkeypatch.setattr(dataset_rdf, "dataset_graph", no_building)
        monkeypatch.setattr(RDFSerializer, "graph_from_dataset", no_building)
        graph = catalogue_page(app, fmt, rdflib_format, 1)

        assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 2

    def test_a_dataset_changed_since_its_text_was_stored_is_shown_as_it_is_now(self, app):
        stored("schaerbeek-arbres-a", "schaerbeek-arbres-b", "schaerbeek-arbres-c")
        tk.get_action("package_patch")(
            site_context(), {"id": "schaerbeek-arbres-a", "title_translated": {"fr": "Arbres 2026"}}
        )  # its job still queued

        graph = catalogue_page(app, "ttl", "turtle", 1)  # the latest changed first

        titles = {str(t) for t in graph.objects(None, DCTERMS.title) if t.language == "fr"}
        assert "Arbres 2026" in titles


@pytest.mark.usefixtures("with_plugins", "clean_index", "catalogue")
@pytest.mark.parametrize(
    "path", ["/catalog.exe", "/catalog.nt", "/dataset/schaerbeek-arbres-a.php"]
)
def test_an_unknown_format_is_refused_with_the_known_ones(app, path):
    response = app.get(path)

    assert response.status_code == 409
    assert "jsonld" in response.get_data(as_text=True)


@pytest.mark.usefixtures("with_plugins", "clean_index", "catalogue")
@pytest.mark.parametrize("fmt", ["nt", ["ttl"], {"a": 1}])
def test_the_action_api_refuses_a_format_it_cannot_answer_with(app, fmt):
    response = app.post("/api/3/action/dcat_catalog_show", json={"format": fmt})

    assert response.status_code == 409
    assert "format" in response.json["error"]
