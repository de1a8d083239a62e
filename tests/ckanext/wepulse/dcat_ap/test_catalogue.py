"""The catalogue endpoints (/catalog.ttl, .rdf, .jsonld) as a harvesting portal reads
them: every page valid DCAT-AP 3.0.1 (shapes and range), the dcat:Catalog included,
with its publisher, its languages and its title and description in each language."""

from __future__ import annotations

import copy

import pytest
from ckan.plugins import toolkit as tk
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.seeding import site_context

from ..conftest import TREES

FORMATS = [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")]
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
