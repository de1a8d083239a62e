"""DCAT-AP out of the portal: what a harvesting portal (data.gov.be,
data.europa.eu, any CKAN with ckanext-dcat) reads from us."""

from __future__ import annotations

import io
import json

import pytest
from ckan.plugins import toolkit as tk
from ckanext.dcat.processors import RDFParser
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from werkzeug.datastructures import FileStorage

from ckanext.wepulse.dcat_ap import profile
from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def trees_graph(app, trees) -> tuple[Graph, URIRef]:
    response = app.get(f"/dataset/{trees['name']}.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    return graph, next(graph.subjects(RDF.type, DCAT.Dataset))


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDatasetRdf:
    def test_translated_fields_are_language_tagged_literals_without_untagged_copies(
        self, trees_graph
    ):
        graph, dataset = trees_graph
        titles = set(graph.objects(dataset, DCTERMS.title))
        assert titles == {
            Literal("Arbres d'alignement", lang="fr"),
            Literal("Laanbomen", lang="nl"),
            Literal("Straßenbäume", lang="de"),
            Literal("Street trees", lang="en"),
        }
        assert {d.language for d in graph.objects(dataset, DCTERMS.description)} == {
            "fr",
            "nl",
            "de",
            "en",
        }
        assert Literal("bomen", lang="nl") in set(graph.objects(dataset, DCAT.keyword))
        distribution = next(graph.objects(dataset, DCAT.distribution))
        assert set(graph.objects(distribution, DCTERMS.title)) == {
            Literal("Inventaire 2023", lang="fr"),
            Literal("Inventaris 2023", lang="nl"),
        }

    def test_the_publisher_is_the_authority_named_in_its_languages(self, trees_graph):
        graph, dataset = trees_graph
        publisher = graph.value(dataset, DCTERMS.publisher)
        assert publisher == URIRef("https://data.example.be/authority/schaerbeek")
        assert set(graph.objects(publisher, FOAF.name)) == {
            Literal("Schaerbeek", lang="fr"),
            Literal("Schaarbeek", lang="nl"),
        }
        assert graph.value(publisher, DCTERMS.type) == URIRef(
            "http://purl.org/adms/publishertype/LocalAuthority"
        )

    def test_spatial_coverage_defaults_to_the_authoritys_nis_territory(self, trees_graph):
        graph, dataset = trees_graph
        assert set(graph.objects(dataset, DCTERMS.spatial)) == {
            URIRef("http://vocab.belgif.be/auth/refnis2019/21015")
        }

    def test_licence_format_and_media_type_are_vocabulary_iris(self, trees_graph):
        graph, dataset = trees_graph
        distribution = next(graph.objects(dataset, DCAT.distribution))
        assert graph.value(distribution, DCTERMS.license) == URIRef(EU + "licence/CC0")
        # ckanext-dcat's placeholder type ("unknown IPR") is not said of a known licence.
        assert graph.value(URIRef(EU + "licence/CC0"), DCTERMS.type) is None
        assert graph.value(distribution, DCTERMS["format"]) == URIRef(EU + "file-type/CSV")
        assert graph.value(distribution, DCAT.mediaType) == URIRef(
            "https://www.iana.org/assignments/media-types/text/csv"
        )

    def test_an_uploaded_file_is_a_download_url_as_well(self, app, trees):
        upload = FileStorage(io.BytesIO(b"arbre;hauteur\nchene;12\n"), "arbres.csv")
        resource = tk.get_action("resource_create")(
            site_context(), {"package_id": trees["id"], "upload": upload, "format": "CSV"}
        )
        assert resource["url_type"] == "upload"
        response = app.get(f"/dataset/{trees['name']}.ttl")
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
        downloads = {
            str(url)
            for distribution in graph.subjects(DCAT.downloadURL, None)
            for url in graph.objects(distribution, DCAT.downloadURL)
        }
        # The uploaded file only; a link elsewhere is not known to be a file.
        assert downloads == {resource["url"]}
        assert app.get(resource["url"].removeprefix(tk.config["ckan.site_url"])).status_code == 200

    def test_themes_and_hvd_categories_are_labelled_concepts(self, trees_graph):
        graph, dataset = trees_graph
        theme = graph.value(dataset, DCAT.theme)
        assert theme == URIRef(EU + "data-theme/ENVI")
        assert (theme, RDF.type, SKOS.Concept) in graph
        assert Literal("Environnement", lang="fr") in set(graph.objects(theme, SKOS.prefLabel))
        hvd = URIRef("http://data.europa.eu/bna/c_dd313021")
        assert (dataset, URIRef("http://data.europa.eu/r5r/hvdCategory"), hvd) in graph
        assert (hvd, RDF.type, SKOS.Concept) in graph


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_a_harvested_dataset_without_description_says_so_and_conforms(app, schaerbeek):
    dataset = sync._completed(
        {
            "name": "sans-description",
            "owner_org": schaerbeek["id"],
            "title_translated": {"fr": "Sans description"},
            "harvest_guid": "https://data.example.be/sans-description",
        }
    )
    created = tk.get_action("package_create")(site_context(), dataset)
    assert not any((created.get("notes_translated") or {}).values())  # none made up

    response = app.get("/dataset/sans-description.ttl")
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    subject = next(graph.subjects(RDF.type, DCAT.Dataset))
    descriptions = {d.language: str(d) for d in graph.objects(subject, DCTERMS.description)}
    assert descriptions == profile.NO_DESCRIPTION
    conforms, findings = validate_graph(graph)
    assert conforms, [f for f in findings if f.severity == "Violation"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_a_stock_ckanext_dcat_harvester_reads_our_catalogue_back(app, trees):
    """What any CKAN harvesting us does: ckanext-dcat's RDFParser, euro_dcat_ap_3 only."""
    response = app.get("/catalog.ttl")
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(response.get_data(as_text=True), _format="turtle")
    datasets = list(parser.datasets())
    assert len(datasets) == 1
    dataset = datasets[0]
    assert dataset["title"] in TITLES
    assert dataset["notes"].startswith("Inventaire") or dataset["notes"].startswith("Inventory")
    assert len(dataset["resources"]) == 1
    assert dataset["resources"][0]["url"] == "https://data.example.be/schaerbeek/arbres-2023.csv"
    assert dataset["resources"][0]["license"] == EU + "licence/CC0"
    assert dataset["publisher"][0]["uri"] == "https://data.example.be/authority/schaerbeek"
    languages = dataset["language"]  # a JSON list when read as a plain extra
    languages = json.loads(languages) if isinstance(languages, str) else languages
    assert sorted(languages) == [EU + "language/FRA", EU + "language/NLD"]


TITLES = {"Arbres d'alignement", "Laanbomen", "Straßenbäume", "Street trees"}


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestEndpoints:
    @pytest.mark.parametrize(
        "extension,rdf_format",
        [
            ("ttl", "turtle"),
            ("rdf", "xml"),
            ("jsonld", "json-ld"),
        ],
    )
    def test_catalogue_and_dataset_in_every_format(self, app, trees, extension, rdf_format):
        for path in (f"/catalog.{extension}", f"/dataset/{trees['name']}.{extension}"):
            response = app.get(path)
            assert response.status_code == 200, path
            graph = Graph().parse(data=response.get_data(as_text=True), format=rdf_format)
            assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 1, path

    def test_the_catalogue_is_hydra_paged(self, app, trees):
        graph = Graph().parse(data=app.get("/catalog.ttl").get_data(as_text=True), format="turtle")
        hydra = "http://www.w3.org/ns/hydra/core#"
        assert set(graph.objects(None, URIRef(hydra + "totalItems"))) == {Literal(1)}

    def test_content_negotiation_on_the_dataset_page(self, app, trees):
        response = app.get(f"/dataset/{trees['name']}", headers={"Accept": "application/ld+json"})
        assert response.status_code == 200
        assert response.content_type.startswith("application/ld+json")
        html = app.get(f"/dataset/{trees['name']}", headers={"Accept": "text/html"})
        assert html.content_type.startswith("text/html")
