"""A dataset's DCAT-AP graph: built by ckanext-dcat's profile chain, checked
against the official shapes, and kept serialised for the catalogue dump.

One pass per change, in the background job: the graph is built once for each
DCAT-AP version, validated, and the catalogue version's text stored.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.utils import catalog_uri
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.model import DatasetRdf, DatasetValidation

__all__ = [
    "CATALOGUE_PROFILE",
    "RDF_PROFILES",
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
    """The dataset's graph, linked from the catalogue as /catalog.ttl does."""
    serializer = RDFSerializer(profiles=RDF_PROFILES[profile])
    serializer.g = Graph()
    dataset_ref = serializer.graph_from_dataset(dataset)
    serializer.g.add((URIRef(catalog_uri()), DCAT.dataset, dataset_ref))
    return serializer.g


def serialise(graph: Graph) -> tuple[str, str]:
    """(Turtle, N-Triples) text of a graph."""
    return graph.serialize(format="turtle"), graph.serialize(format="nt11")


def refresh(dataset: dict[str, Any], profiles: list[str]) -> list[DatasetValidation]:
    """Validate the dataset for each DCAT-AP version and store the results;
    store the catalogue version's serialisation on the way."""
    results = []
    for profile in profiles:
        graph = dataset_graph(dataset, profile)
        if profile == CATALOGUE_PROFILE:
            modified = datetime.datetime.fromisoformat(dataset["metadata_modified"])
            DatasetRdf.save(dataset["id"], modified, *serialise(graph))
        conforms, findings = validate_graph(graph, profile)
        results.append(
            DatasetValidation.save(
                dataset["id"], profile, conforms, [f.as_dict() for f in findings]
            )
        )
    return results


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
