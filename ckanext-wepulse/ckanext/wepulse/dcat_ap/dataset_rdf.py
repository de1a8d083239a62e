"""A dataset's DCAT-AP graph: built by ckanext-dcat's profile chain, checked
against the official shapes, and kept serialised for the catalogue dump.

One pass per change, in the background job, for a batch of datasets at once:
each graph is built once for each DCAT-AP version, validated with the batch's
others, and the catalogue version's text stored; one commit for the batch.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from ckan import model
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.utils import catalog_uri, dataset_uri
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from ckanext.wepulse.dcat_ap.profile import chain_input
from ckanext.wepulse.dcat_ap.validation import validate_graphs
from ckanext.wepulse.model import DatasetRdf, DatasetValidation, upsert

__all__ = [
    "CATALOGUE_PROFILE",
    "RDF_PROFILES",
    "Refreshed",
    "dataset_graph",
    "parse_dataset",
    "refresh",
    "serialise",
]

# The ckanext-dcat profile chain that writes each DCAT-AP version.
RDF_PROFILES = {
    "dcat-ap-3.0.1": ["euro_dcat_ap_3", "wepulse_dcat_ap"],
    "dcat-ap-2.1.1": ["euro_dcat_ap_2", "wepulse_dcat_ap"],
}
# The version the portal publishes (ckanext.dcat.rdf.profiles).
CATALOGUE_PROFILE = "dcat-ap-3.0.1"


def dataset_graph(dataset: dict[str, Any], profile: str = CATALOGUE_PROFILE) -> Graph:
    """The dataset's graph, linked from the catalogue as /catalog.ttl does (what
    ckanext-dcat's RDFSerializer does, without finding its profiles again each time)."""
    graph = Graph()
    dataset_ref = URIRef(dataset_uri(dataset))
    dataset = chain_input(dataset)
    for profile_class in _profile_classes(profile):
        profile_class(graph).graph_from_dataset(dataset, dataset_ref)
    graph.add((URIRef(catalog_uri()), DCAT.dataset, dataset_ref))
    return graph


def serialise(graph: Graph) -> tuple[str, str]:
    """(Turtle, N-Triples) text of a graph."""
    return graph.serialize(format="turtle"), graph.serialize(format="nt11")


@dataclass
class Refreshed:
    """A dataset after ``refresh``: its graph in the catalogue's version (None when that
    version was not asked for), which the score reads, and its validations."""

    dataset: dict[str, Any]
    graph: Graph | None = None
    validations: list[DatasetValidation] = field(default_factory=list)


def refresh(datasets: list[dict[str, Any]], profiles: list[str]) -> list[Refreshed]:
    """Validate the datasets for each DCAT-AP version and store the results; store the
    catalogue version's serialisation on the way. One commit."""
    refreshed = [Refreshed(dataset) for dataset in datasets]
    now = datetime.datetime.utcnow()
    for profile in profiles:
        graphs = [dataset_graph(dataset, profile) for dataset in datasets]
        if profile == CATALOGUE_PROFILE:
            upsert([_rdf(dataset, graph) for dataset, graph in zip(datasets, graphs, strict=True)])
            for each, graph in zip(refreshed, graphs, strict=True):
                each.graph = graph
        for each, (conforms, findings) in zip(
            refreshed, validate_graphs(graphs, profile), strict=True
        ):
            messages = [finding.as_dict() for finding in findings]
            each.validations.append(
                DatasetValidation(
                    package_id=each.dataset["id"],
                    profile=profile,
                    conforms=conforms,
                    violations=sum(1 for m in messages if m["severity"] == "Violation"),
                    messages=messages,
                    validated_at=now,
                )
            )
    upsert([row for each in refreshed for row in each.validations])
    model.Session.commit()
    return refreshed


def _rdf(dataset: dict[str, Any], graph: Graph) -> DatasetRdf:
    turtle, ntriples = serialise(graph)
    modified = datetime.datetime.fromisoformat(dataset["metadata_modified"])
    return DatasetRdf(
        package_id=dataset["id"], source_modified=modified, turtle=turtle, ntriples=ntriples
    )


def parse_dataset(graph: Graph, subject: Any, profile: str = CATALOGUE_PROFILE) -> dict[str, Any]:
    """A dataset dict in the portal's schema from its DCAT-AP description in ``graph``
    (what the DCAT harvester maps records with)."""
    dataset: dict[str, Any] = {}
    for profile_class in _profile_classes(profile):
        profile_class(graph, dataset_type="dataset").parse_dataset(dataset, subject)
    return dataset


@functools.cache
def _profile_classes(profile: str) -> tuple[type, ...]:
    """The profile chain's classes (looking them up reads every package's entry points)."""
    return tuple(RDFParser(profiles=RDF_PROFILES[profile])._profiles)
