"""DCAT-AP validation: a dataset's RDF checked with pyshacl against the
official shapes and range files (in shapes/), as data.europa.eu would.

Two things make it fast enough for a harvest's thousands of datasets:
- the shapes are rearranged once per process so that pyshacl checks each
  property shape on all its focus nodes at once: it otherwise builds a property
  shape's constraints again for each focus node, most of its time;
- many datasets are checked in one pyshacl run over the union of their graphs,
  each finding given back to the graphs that hold its focus node: a run has a
  set-up that one small graph would pay alone.
Both give the results pyshacl gives for each graph alone against the official
shapes (tests/ckanext/wepulse/dcat_ap/test_batch_validation.py).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyshacl
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SH

__all__ = ["CHUNK", "PROFILES", "Finding", "validate_graph", "validate_graphs"]

# Each DCAT-AP version: its shapes and range files, all of which must conform.
PROFILES = {
    "dcat-ap-3.0.1": ("dcat-ap-3.0.1/shapes.ttl", "dcat-ap-3.0.1/range.ttl"),
    "dcat-ap-2.1.1": (
        "dcat-ap-2.1.1/dcat-ap_2.1.1_shacl_shapes.ttl",
        "dcat-ap-2.1.1/dcat-ap_2.1.1_shacl_range.ttl",
    ),
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Graphs per pyshacl run: past a few dozen a run costs as much per graph as its own
# checks (benchmarks/validation.py measures it; docs/benchmarks.md).
CHUNK = 50


@dataclass(frozen=True)
class Finding:
    focus: str
    path: str
    message: str
    severity: str  # Violation | Warning | Info

    def as_dict(self) -> dict[str, str]:
        return {
            "focus": self.focus,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }


@cache
def shapes(profile: str) -> Graph:
    """The profile's shapes and range files in one graph, parsed once per process."""
    graph = Graph()
    folder = importlib.resources.files("ckanext.wepulse.dcat_ap") / "shapes"
    for name in PROFILES[profile]:
        graph.parse(data=(folder / name).read_text(encoding="utf-8"), format="turtle")
    return graph


@cache
def _checked_shapes(profile: str) -> Graph:
    """The profile's shapes with each property shape of a targeted node shape targeted
    itself, as its node shape was, and no longer under it: the same results (a node
    shape's result from a property shape is that property shape's), one pass over the
    focus nodes for each property shape instead of one per focus node (pyshacl builds
    its constraints again for each). A node shape another shape refers to (sh:node,
    sh:or...) keeps its properties."""
    official = shapes(profile)
    graph = Graph()
    for prefix, namespace in official.namespaces():
        graph.bind(prefix, namespace)
    graph += official
    referred = {
        shape
        for p in (SH.node, SH.qualifiedValueShape, SH["not"])
        for shape in official.objects(None, p)
    }
    for p in (SH["and"], SH["or"], SH.xone):
        for shapes_list in official.objects(None, p):
            referred.update(official.items(shapes_list))
    for shape in set(official.subjects(SH.property, None)) - referred:
        targets = [(p, o) for p in TARGETS for o in official.objects(shape, p)]
        if (shape, RDF.type, RDFS.Class) in official:  # an implicit class target
            targets.append((SH.targetClass, shape))
        # A property shape's own properties apply to its values, not to its focus nodes.
        if (
            not targets
            or (shape, SH.deactivated, None) in official
            or (shape, SH.path, None) in official
        ):
            continue
        for property_shape in official.objects(shape, SH.property):
            graph.remove((shape, SH.property, property_shape))
            graph.addN((property_shape, p, o, graph) for p, o in targets)
    return graph


@cache
def _inverse_predicates(profile: str) -> frozenset[Any]:
    """Predicates the shapes follow backwards: what points at a node counts too."""
    return frozenset(shapes(profile).objects(None, SH.inversePath))


@cache
def _target_classes(profile: str) -> frozenset[Any] | None:
    """The classes whose instances the shapes check; None if they target otherwise."""
    graph = shapes(profile)
    if any((None, p, None) in graph for p in TARGETS if p != SH.targetClass):
        return None
    implicit = set(graph.subjects(RDF.type, RDFS.Class)) & set(
        graph.subjects(RDF.type, SH.NodeShape)
    )
    return frozenset(graph.objects(None, SH.targetClass)) | implicit


def validate_graph(data: Graph, profile: str = "dcat-ap-3.0.1") -> tuple[bool, list[Finding]]:
    """(conforms, findings) for ``data`` against ``profile``'s shapes."""
    [result] = validate_graphs([data], profile)
    return result


def validate_graphs(
    graphs: Sequence[Graph], profile: str = "dcat-ap-3.0.1", chunk: int = CHUNK
) -> list[tuple[bool, list[Finding]]]:
    """Each graph's (conforms, findings), the same as validating it alone, from one
    pyshacl run per ``chunk`` graphs, over their union.

    A finding counts for every graph that holds its focus node (a publisher or a
    licence that many datasets name). That is exact when each node the graphs share is
    described alike in each of them (shapes see a node's own triples, and those that
    point at it along an inverse path); a graph that describes a shared node otherwise,
    or writes prefixes or classes of its own, is validated alone."""
    results: list[tuple[bool, list[Finding]]] = []
    for start in range(0, len(graphs), chunk):
        part = graphs[start : start + chunk]
        together, alone = _partition(part, profile)
        found = dict(zip(together, _validate([part[i] for i in together], profile), strict=True))
        found.update((i, _validate([part[i]], profile)[0]) for i in alone)
        results.extend(found[i] for i in range(len(part)))
    return results


def _partition(graphs: Sequence[Graph], profile: str) -> tuple[list[int], list[int]]:
    """(indexes of the graphs that can share a union, indexes to validate alone)."""
    inverse = _inverse_predicates(profile)
    held: dict[Any, list[frozenset[Any]]] = {}  # node -> its description in each holder
    holders: dict[Any, list[int]] = {}
    alone = set()
    prefixes = set(graphs[0].namespaces()) if graphs else set()
    for i, graph in enumerate(graphs):
        # Another graph's prefixes name nodes in messages; its classes change targets.
        if set(graph.namespaces()) != prefixes or (None, RDFS.subClassOf, None) in graph:
            alone.add(i)
            continue
        for node, description in _descriptions(graph, inverse).items():
            held.setdefault(node, []).append(description)
            holders.setdefault(node, []).append(i)
    # A node described otherwise by its holders (the catalogue, which lists each graph's
    # dataset) matters only if a shape can reach it.
    differing = [node for node, descriptions in held.items() if len(set(descriptions)) > 1]
    if differing:
        seen = _reachable(held, _target_classes(profile))
        for node in differing:
            if node in seen:
                alone.update(holders[node])
    return [i for i in range(len(graphs)) if i not in alone], sorted(alone)


def _descriptions(graph: Graph, inverse: frozenset[Any]) -> dict[Any, frozenset[Any]]:
    """Each IRI or blank node of the graph with what the shapes can see of it here: its
    own triples, and the inverse paths' triples that point at it."""
    seen: dict[Any, set[Any]] = {}
    for s, p, o in graph:
        seen.setdefault(s, set()).add((p, o))
        if not isinstance(o, Literal):
            facts = seen.setdefault(o, set())
            if p in inverse:
                facts.add((s, p, "^"))
    return {node: frozenset(facts) for node, facts in seen.items()}


def _reachable(held: dict[Any, list[frozenset[Any]]], classes: frozenset[Any] | None) -> set[Any]:
    """The nodes the shapes can reach in the union: their targets, then along any path."""
    if classes is None:
        return set(held)
    facts = {node: frozenset().union(*descriptions) for node, descriptions in held.items()}
    todo = [node for node, known in facts.items() if any((RDF.type, c) in known for c in classes)]
    seen = set(todo)
    while todo:
        for fact in facts[todo.pop()]:
            # (predicate, object) forward; (subject, predicate, "^") along an inverse path
            after = fact[0] if len(fact) == 3 else fact[1]
            if after in facts and after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def _validate(graphs: list[Graph], profile: str) -> list[tuple[bool, list[Finding]]]:
    """One pyshacl run over the union of ``graphs``; each graph's (conforms, findings)."""
    if not graphs:
        return []
    if len(graphs) == 1:
        data = graphs[0]
    else:
        data = Graph()
        for prefix, namespace in graphs[0].namespaces():
            data.bind(prefix, namespace, override=True, replace=True)
        for graph in graphs:
            data += graph
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=_checked_shapes(profile),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    findings: list[list[Finding]] = [[] for _ in graphs]
    for result in report.subjects(SH.resultSeverity, None):
        finding = _finding(report, result)
        focus = report.value(result, SH.focusNode)
        for i, graph in enumerate(graphs):
            if len(graphs) == 1 or _holds(graph, focus):
                findings[i].append(finding)
    return [
        (
            not any(f.severity == "Violation" for f in found),
            sorted(found, key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message)),
        )
        for found in findings
    ]


def _holds(graph: Graph, node: Any) -> bool:
    return (node, None, None) in graph or (None, None, node) in graph


def _finding(report: Graph, result: Any) -> Finding:
    def value(predicate) -> str:
        found = report.value(result, predicate)
        return "" if found is None else str(found)

    return Finding(
        focus=value(SH.focusNode),
        path=value(SH.resultPath),
        message=value(SH.resultMessage),
        severity=value(SH.resultSeverity).rsplit("#", 1)[-1],
    )
