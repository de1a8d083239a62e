"""DCAT-AP validation: a dataset's RDF checked with pyshacl against the
official shapes and range files (in shapes/), as data.europa.eu would."""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

__all__ = ["PROFILES", "Finding", "validate_graph"]

# Each DCAT-AP version: its shapes and range files, all of which must conform.
PROFILES = {
    "dcat-ap-3.0.1": ("dcat-ap-3.0.1/shapes.ttl", "dcat-ap-3.0.1/range.ttl"),
    "dcat-ap-2.1.1": (
        "dcat-ap-2.1.1/dcat-ap_2.1.1_shacl_shapes.ttl",
        "dcat-ap-2.1.1/dcat-ap_2.1.1_shacl_range.ttl",
    ),
}


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


def validate_graph(data: Graph, profile: str = "dcat-ap-3.0.1") -> tuple[bool, list[Finding]]:
    """(conforms, findings) for ``data`` against ``profile``'s shapes."""
    conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes(profile),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    findings = sorted(
        (_finding(report, result) for result in report.subjects(SH.resultSeverity, None)),
        key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message),
    )
    return bool(conforms), findings


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
