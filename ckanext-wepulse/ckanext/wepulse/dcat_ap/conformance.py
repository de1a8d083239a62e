"""A dataset's DCAT-AP export made to fit the ranges DCAT-AP gives its properties.

Harvested values are kept as their source wrote them, and sources write a licence as
a literal, an identifier as an IRI, a related dataset as a bare link. In the export:

- a value of the wrong kind is converted when it means the same (an address written
  as a literal becomes an IRI, an identifier written as an IRI its text);
- a value the range wants of some class is given that class when the class asks
  nothing more (a ``dct:Standard``, a ``foaf:Document``);
- any other value that cannot conform (an agent without a name, a related dataset
  described nowhere, a concept without a label) is left out of the export only: the
  dataset keeps it, and its page and API show it.

The rules are read from the official shapes (``validation.shapes``): each class's
properties with their class, node kind and minimum count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, SH

from ckanext.wepulse.dcat_ap.validation import shapes

__all__ = ["conform"]

#: What a value checked against DCAT-AP's "resource" node shape must be.
DCAT_RESOURCES = {DCAT.Catalog, DCAT.Dataset, DCAT.DataService, DCAT.DatasetSeries}
#: Passes over a dataset's nodes (each pass can only remove what depends on the last).
MAX_PASSES = 5
#: Nodes whose description is their own: the export of one dataset does not enter them.
_OTHERS = {DCAT.Catalog, DCAT.CatalogRecord, DCAT.Dataset}


@dataclass
class Rules:
    #: (subject class, property) -> the class its values must have
    classes: dict[tuple[URIRef, URIRef], URIRef] = field(default_factory=dict)
    #: (subject class, property) pairs whose values must be literals / IRIs or blank nodes
    literals: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    resources: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    #: (subject class, property) pairs whose values must be DCAT resources
    dcat_resources: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    #: class -> the properties a node of that class must have
    required: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))


@cache
def rules(profile: str = "dcat-ap-3.0.1") -> Rules:
    graph, found = shapes(profile), Rules()
    for shape, target in graph.subject_objects(SH.targetClass):
        for prop in graph.objects(shape, SH.property):
            path = graph.value(prop, SH.path)
            if not isinstance(path, URIRef):
                continue
            key = (target, path)
            if (kind := graph.value(prop, SH["class"])) is not None:
                found.classes[key] = kind
            node_kind = graph.value(prop, SH.nodeKind)
            if node_kind == SH.Literal:
                found.literals.add(key)
            elif node_kind in (SH.IRI, SH.BlankNodeOrIRI):
                found.resources.add(key)
            if graph.value(prop, SH.node) is not None and "DcatResource" in str(
                graph.value(prop, SH.node)
            ):
                found.dcat_resources.add(key)
            if int(graph.value(prop, SH.minCount) or 0) >= 1:
                found.required[target].add(path)
    return found


def conform(graph: Graph, root: URIRef, profile: str = "dcat-ap-3.0.1") -> None:
    """Make what ``graph`` says of dataset ``root`` and the nodes it describes fit
    ``profile``'s ranges, in place."""
    found = rules(profile)
    # Until nothing changes: a value left out can leave the node that held it lacking
    # (a relationship whose related resource is out), and that node is then left out.
    for _pass in range(MAX_PASSES):
        before = len(graph)
        for node in _described(graph, root):
            for kind in set(graph.objects(node, RDF.type)):
                for predicate, value in list(graph.predicate_objects(node)):
                    _fit(graph, found, node, kind, predicate, value)
        if len(graph) == before:
            break


def _fit(graph: Graph, found: Rules, node, kind, predicate, value) -> None:
    key = (kind, predicate)
    if key in found.literals and not isinstance(value, Literal):
        _replace(graph, node, predicate, value, Literal(str(value)))
        return
    wants_resource = key in found.resources or key in found.classes or key in found.dcat_resources
    if wants_resource and isinstance(value, Literal):
        address = _address(value)
        if address is None:
            graph.remove((node, predicate, value))
            return
        _replace(graph, node, predicate, value, address)
        value = address
    if key in found.dcat_resources and not (set(graph.objects(value, RDF.type)) & DCAT_RESOURCES):
        _leave_out(graph, node, predicate, value)
        return
    range_class = found.classes.get(key)
    if range_class is None:
        return
    if found.required.get(range_class, set()) - set(graph.predicates(value)):
        _leave_out(graph, node, predicate, value)  # it cannot be a conforming one
    else:
        graph.add((value, RDF.type, range_class))


def _described(graph: Graph, root: URIRef) -> list:
    """The root and the nodes its description reaches, not entering other datasets
    or catalogues (each is described, and made to fit, on its own)."""
    seen, todo = {root}, [root]
    while todo:
        for value in graph.objects(todo.pop(), None):
            if isinstance(value, Literal) or value in seen:
                continue
            seen.add(value)
            if not set(graph.objects(value, RDF.type)) & _OTHERS:
                todo.append(value)
    return [
        node for node in seen if node == root or not set(graph.objects(node, RDF.type)) & _OTHERS
    ]


def _address(value: Literal) -> URIRef | None:
    text = str(value).strip()
    if text.startswith(("http://", "https://")) and not any(c.isspace() for c in text):
        return URIRef(text)
    return None


def _replace(graph: Graph, node, predicate, old, new) -> None:
    graph.remove((node, predicate, old))
    graph.add((node, predicate, new))


def _leave_out(graph: Graph, node, predicate, value) -> None:
    """The statement, and what described its value if nothing else points at it."""
    graph.remove((node, predicate, value))
    todo = [value]
    while todo:
        orphan = todo.pop()
        if any(graph.subjects(None, orphan)):
            continue
        for inner in list(graph.objects(orphan, None)):
            graph.remove((orphan, None, inner))
            if isinstance(inner, (BNode, URIRef)):
                todo.append(inner)
