"""The export fitted to DCAT-AP's ranges: values converted, typed, or left out,
and the result checked against the official shapes."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.wepulse.dcat_ap.conformance import conform
from ckanext.wepulse.dcat_ap.validation import validate_graph

DATASET = URIRef("https://data.example.be/dataset/budget")
PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix adms: <http://www.w3.org/ns/adms#> .
"""


def described(turtle: str) -> Graph:
    return Graph().parse(
        data=PREFIXES
        + f"""<{DATASET}> a dcat:Dataset ; dct:title "Budget"@fr ;
            dct:description "Le budget communal"@fr ; {turtle} .""",
        format="turtle",
    )


def fitted(turtle: str) -> Graph:
    graph = described(turtle)
    conform(graph, DATASET)
    return graph


def violations(graph: Graph) -> list[str]:
    _conforms, findings = validate_graph(graph)
    return [f"{f.path}: {f.message}" for f in findings if f.severity == "Violation"]


def test_values_of_the_wrong_kind_are_converted_when_they_mean_the_same():
    graph = fitted(
        'dct:identifier <https://data.example.be/id/budget> ; dct:conformsTo "https://example.org/spec"'
    )
    assert graph.value(DATASET, DCTERMS.identifier) == Literal("https://data.example.be/id/budget")
    standard = URIRef("https://example.org/spec")
    assert graph.value(DATASET, DCTERMS.conformsTo) == standard
    assert (standard, RDF.type, DCTERMS.Standard) in graph  # a class that asks nothing more
    assert violations(graph) == []


def test_values_that_cannot_conform_are_left_out_with_what_described_them():
    graph = fitted(
        """dct:conformsTo "la norme communale" ;
        dct:creator <https://example.org/refine?creator=Ville> ;
        dct:hasVersion <https://example.org/other-dataset> ;
        dcat:qualifiedRelation [ a dcat:Relationship ;
            dct:relation <https://example.org/described-nowhere> ;
            dcat:hadRole <http://www.iana.org/assignments/relation/related> ] ;
        dcat:distribution [ a dcat:Distribution ; dct:title "sans adresse"@fr ]"""
    )
    for predicate in (
        DCTERMS.conformsTo,
        DCTERMS.creator,
        DCTERMS.hasVersion,
        DCAT.qualifiedRelation,
        DCAT.distribution,
    ):
        assert graph.value(DATASET, predicate) is None, predicate
    # Nothing of the left-out nodes stays behind, to be checked on its own.
    assert not any(graph.subjects(RDF.type, DCAT.Relationship))
    assert not any(graph.subjects(RDF.type, DCAT.Distribution))
    assert violations(graph) == []


def test_conforming_values_are_kept_as_they_are():
    turtle = """dct:creator <https://example.org/agent> ;
        dcat:distribution <https://data.example.be/dist/1> .
        <https://example.org/agent> a foaf:Agent ; foaf:name "Ville" .
        <https://data.example.be/dist/1> a dcat:Distribution ;
            dcat:accessURL <https://data.example.be/budget.csv>"""
    assert set(fitted(turtle)) == set(described(turtle))
    graph = fitted(turtle)
    assert violations(graph) == []
