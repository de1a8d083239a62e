"""The validation job on a batch of datasets finds and stores what validating each dataset
alone finds: pyshacl on the official shapes, one graph at a time, is the reference."""

from __future__ import annotations

import copy

import pyshacl
import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from ckanext.wepulse.dcat_ap import validation
from ckanext.wepulse.dcat_ap.dataset_rdf import dataset_graph
from ckanext.wepulse.jobs import validate_dataset, validate_datasets
from ckanext.wepulse.model import DatasetRdf
from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck
from ckanext.wepulse.seeding import site_context

from ..conftest import SCHAERBEEK, TREES

BOTH = ["dcat-ap-3.0.1", "dcat-ap-2.1.1"]


def alone(graph: Graph, profile: str) -> tuple[bool, list[validation.Finding]]:
    """pyshacl on the official shapes, the graph alone: what the batch must agree with."""
    conforms, report, _text = pyshacl.validate(
        graph, shacl_graph=validation.shapes(profile), inference="none", allow_warnings=True
    )
    findings = [
        validation._finding(report, result) for result in report.subjects(SH.resultSeverity, None)
    ]
    return bool(conforms), sorted(
        findings, key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message)
    )


@pytest.fixture
def batch(schaerbeek) -> list[dict]:
    """Five datasets: three of Schaerbeek (one publisher node for all), one of them with
    a distribution nobody can reach; one of another authority; one without a contact."""
    tk.get_action("organization_create")(
        site_context(),
        {
            **SCHAERBEEK,
            "name": "evere",
            "title": "Evere",
            "nis_code": "21006",
            "title_translated": {"fr": "Evere", "nl": "Evere"},
            "publisher_uri": "https://data.example.be/authority/evere",
        },
    )
    made = []
    for name, changes in (
        ("arbres", {}),
        ("bancs", {"resources": [{**TREES["resources"][0], "url": ""}]}),
        ("fontaines", {}),
        ("evere-arbres", {"owner_org": "evere"}),
        ("sans-contact", {"contact": []}),
    ):
        data = {**copy.deepcopy(TREES), "name": name, **changes}
        made.append(tk.get_action("package_create")(site_context(), data))
    return [tk.get_action("package_show")(site_context(), {"id": d["id"]}) for d in made]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestBatchValidation:
    @pytest.mark.parametrize("profile", BOTH)
    def test_each_graph_gets_what_pyshacl_finds_in_it_alone(self, batch, profile):
        graphs = [dataset_graph(dataset, profile) for dataset in batch]
        expected = [alone(graph, profile) for graph in graphs]
        # The broken one has its violation, and only it; a shared publisher is checked.
        assert [conforms for conforms, _ in expected] == [True, False, True, True, True]
        assert any(str(URIRef(SCHAERBEEK["publisher_uri"])) in g.serialize() for g in graphs)
        for chunk in (2, len(graphs)):  # chunks of a batch, and one union
            assert validation.validate_graphs(graphs, profile, chunk=chunk) == expected

    def test_the_job_stores_for_a_batch_what_it_stores_one_by_one(self, batch):
        validate_datasets([dataset["id"] for dataset in batch])
        together = _stored(batch)
        _forget(batch)
        for dataset in batch:
            validate_dataset(dataset["id"])
        assert _stored(batch) == together
        validations, _quality, links, texts = together
        assert [v[0][1:3] for v in validations] == [
            (True, 0),
            (False, 1),
            (True, 0),
            (True, 0),
            (True, 0),
        ]
        assert all(texts) and sum(len(urls) for urls in links) == 4  # "bancs" has none
        # The facets are indexed: search finds each dataset by its band.
        bands = {row.band for row in model.Session.query(DatasetQuality)}
        found = tk.get_action("package_search")(
            {}, {"fq": " OR ".join(f'quality_band:"{band}"' for band in bands)}
        )
        assert found["count"] == len(batch)

    def test_a_dataset_deleted_meanwhile_leaves_the_batch_to_the_others(self, batch):
        tk.get_action("dataset_purge")(site_context(), {"id": batch[0]["id"]})
        validate_datasets([dataset["id"] for dataset in batch])
        assert model.Session.query(DatasetQuality).count() == len(batch) - 1


def test_a_finding_on_a_shared_node_counts_for_every_graph_that_has_it():
    publisher = URIRef("https://example.be/publisher")  # an agent without a name
    graphs = [_dataset(n, publisher) for n in range(3)]
    found = validation.validate_graphs(graphs)
    assert found == [alone(graph, "dcat-ap-3.0.1") for graph in graphs]
    for conforms, findings in found:
        assert not conforms
        assert [(f.focus, f.path) for f in findings] == [(str(publisher), str(FOAF.name))]


def test_a_node_two_graphs_describe_otherwise_is_validated_alone():
    """Together, the publisher would have two types, where DCAT-AP allows one."""
    publisher = URIRef("https://example.be/publisher")
    graphs = [_dataset(n, publisher, named=True) for n in range(2)]
    for n, graph in enumerate(graphs):
        graph.add((publisher, DCTERMS.type, URIRef(f"https://example.be/type/{n}")))
    expected = [alone(graph, "dcat-ap-3.0.1") for graph in graphs]
    _conforms, together = alone(graphs[0] + graphs[1], "dcat-ap-3.0.1")
    assert any("More than 1 values" in f.message for f in together)
    assert not any("More than 1 values" in f.message for _, found in expected for f in found)
    assert validation.validate_graphs(graphs) == expected


def _dataset(n: int, publisher: URIRef, named: bool = False) -> Graph:
    """A tiny conforming DCAT-AP 3 dataset graph whose publisher is ``publisher``."""
    graph = Graph()
    dataset = URIRef(f"https://example.be/dataset/{n}")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(f"Jeu {n}", lang="fr")))
    graph.add((dataset, DCTERMS.description, Literal(f"Le jeu {n}.", lang="fr")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    if named:
        graph.add((publisher, FOAF.name, Literal("Commune", lang="fr")))
    graph.add((URIRef("https://example.be/catalogue"), DCAT.dataset, dataset))
    graph.add((dataset, DCAT.keyword, Literal(f"mot {n}", lang="fr")))
    graph.add((BNode(), DCTERMS.title, Literal("sans lien")))  # a node no shape reaches
    return graph


def _stored(datasets: list[dict]) -> tuple[list, list, list, list]:
    """What the job stored for each dataset, without times and blank node names."""
    model.Session.expire_all()
    ids = [d["id"] for d in datasets]
    validations = [
        [
            (v["profile"], v["conforms"], v["violations"], [_named(m) for m in v["messages"]])
            for v in tk.get_action("wepulse_dataset_validation_show")({}, {"id": i})
        ]
        for i in ids
    ]
    quality = []
    for i in ids:
        row = model.Session.get(DatasetQuality, i).as_dict()
        quality.append({k: v for k, v in row.items() if k != "computed_at"})
    links = [sorted(r.url for r in LinkCheck.for_package(i)) for i in ids]
    texts = [bool(model.Session.get(DatasetRdf, i).turtle) for i in ids]
    return validations, quality, links, texts


def _named(message: dict) -> dict:
    focus = message["focus"]
    return {**message, "focus": focus if focus.startswith("http") else "_:blank"}


def _forget(datasets: list[dict]) -> None:
    ids = [d["id"] for d in datasets]
    for table in (DatasetRdf, DatasetQuality, LinkCheck):
        model.Session.query(table).filter(table.package_id.in_(ids)).delete()
    model.Session.commit()
