"""The catalogue through the whole stack: Action API, PostgreSQL, Solr, DCAT-AP."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS

ORGANIZATION = {"name": "anderlecht", "title": "Commune d'Anderlecht"}
DATASET = {
    "name": "anderlecht-arbres-remarquables",
    "title": "Arbres remarquables d'Anderlecht",
    "notes": "Inventaire des arbres remarquables sur le territoire communal.",
    "owner_org": "anderlecht",
    "license_id": "cc-by",
    "tag_string": "arbres,environnement",
    "resources": [
        {"name": "Inventaire (CSV)", "url": "https://example.org/arbres.csv", "format": "CSV"}
    ],
}


def call_action(app, action: str, token: str, data: dict) -> dict:
    response = app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": token})
    body = response.get_json()
    assert response.status_code == 200 and body["success"], body
    return body["result"]


@pytest.fixture
def published_dataset(app, sysadmin_token) -> dict:
    call_action(app, "organization_create", sysadmin_token, ORGANIZATION)
    return call_action(app, "package_create", sysadmin_token, DATASET)


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestPublishedDataset:
    def test_package_search_finds_it_through_solr(self, app, published_dataset):
        result = app.get(
            "/api/3/action/package_search", query_string={"q": "remarquables"}
        ).get_json()
        assert [d["name"] for d in result["result"]["results"]] == [DATASET["name"]]

    def test_search_filters_on_its_authority(self, app, published_dataset):
        result = app.get(
            "/api/3/action/package_search", query_string={"fq": "organization:anderlecht"}
        ).get_json()["result"]
        assert result["count"] == 1
        empty = app.get(
            "/api/3/action/package_search", query_string={"fq": "organization:ixelles"}
        ).get_json()["result"]
        assert empty["count"] == 0

    def test_dataset_page_renders(self, app, published_dataset):
        response = app.get(f"/dataset/{DATASET['name']}")
        assert response.status_code == 200
        assert DATASET["title"] in response.get_data(as_text=True)

    def test_catalog_ttl_lists_it_and_parses(self, app, published_dataset):
        response = app.get("/catalog.ttl")
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        titles = {
            str(t)
            for d in graph.subjects(rdflib.RDF.type, DCAT.Dataset)
            for t in graph.objects(d, DCTERMS.title)
        }
        assert titles == {DATASET["title"]}
        distributions = list(graph.subjects(rdflib.RDF.type, DCAT.Distribution))
        assert len(distributions) == 1

    def test_dataset_rdf_is_served_by_content_negotiation(self, app, published_dataset):
        response = app.get(f"/dataset/{DATASET['name']}", headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert (None, rdflib.RDF.type, DCAT.Dataset) in graph

    def test_anonymous_cannot_create(self, app, clean_db):
        response = app.post("/api/3/action/package_create", json=DATASET)
        assert response.status_code == 403
