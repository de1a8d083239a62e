"""The MQA measurements in DCAT-AP, as W3C's Data Quality Vocabulary (DQV), the way
data.europa.eu publishes its own: one ``dqv:QualityMeasurement`` per indicator, of
data.europa.eu's metric (``https://piveau.eu/ns/voc#keywordAvailability``...), on the
dataset, or on each distribution for the distribution-level indicators, plus the
score itself (``pv:scoring``). What is not known yet (a link not checked) is left
out, not written as false.

``QualityProfile`` is the last profile of the endpoints' chain
(``ckanext.dcat.rdf.profiles``). The text the validation job stores and validates
leaves the measurements out, since they change when links do and the dataset does
not: the dump appends each dataset's stored measurements after its text.
"""

from __future__ import annotations

from typing import Any

from ckanext.dcat.profiles import RDFProfile
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from ckanext.wepulse.quality.mqa import INDICATORS

__all__ = ["DQV", "PV", "QualityProfile", "measurements", "serialise_measurements"]

DQV = Namespace("http://www.w3.org/ns/dqv#")
PV = Namespace("https://piveau.eu/ns/voc#")


def measurements(dataset_ref: Any, quality: dict[str, Any]) -> Graph:
    """The DQV graph of a stored score (``DatasetQuality.as_dict()`` or a Score's)."""
    graph = Graph()
    graph.bind("dqv", DQV)
    graph.bind("pv", PV)

    def measure(on: Any, metric: str, value: Literal) -> None:
        node = BNode()
        graph.add((on, DQV.hasQualityMeasurement, node))
        graph.add((node, RDF.type, DQV.QualityMeasurement))
        graph.add((node, DQV.isMeasurementOf, PV[metric]))
        graph.add((node, DQV.computedOn, on))
        graph.add((node, DQV.value, value))

    measure(dataset_ref, "scoring", Literal(quality["score"], datatype=XSD.integer))
    metrics = {indicator.key: indicator.metric for indicator in INDICATORS}
    for found in quality["indicators"]:
        metric = metrics[found["indicator"]]
        if found["level"] == "dataset":
            if found["state"] in ("pass", "fail"):
                measure(dataset_ref, metric, Literal(found["state"] == "pass"))
            continue
        for distribution, verdict in sorted((found.get("distributions") or {}).items()):
            # Blank-node distributions cannot be named from another document.
            if verdict is not None and distribution.startswith(("http://", "https://")):
                measure(URIRef(distribution), metric, Literal(bool(verdict)))
    return graph


def serialise_measurements(dataset_ref: Any, quality: dict[str, Any]) -> tuple[str, str]:
    """(Turtle, N-Triples) of the measurements, for the dump."""
    graph = measurements(dataset_ref, quality)
    return graph.serialize(format="turtle"), graph.serialize(format="nt11")


class QualityProfile(RDFProfile):
    """Adds the dataset's stored MQA measurements to what the DCAT-AP endpoints serve."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        from ckanext.wepulse.quality.model import DatasetQuality

        row = DatasetQuality.get(dataset_dict.get("id")) if dataset_dict.get("id") else None
        if row is not None:
            self.g.bind("dqv", DQV)
            self.g.bind("pv", PV)
            self.g += measurements(dataset_ref, row.as_dict())
