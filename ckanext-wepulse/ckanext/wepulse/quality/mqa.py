"""data.europa.eu's Metadata Quality Assessment (MQA) of one dataset's DCAT-AP graph.

The published methodology (https://data.europa.eu/mqa/methodology), 405 points in five
dimensions, read from the same DCAT-AP graph other portals harvest from us:

- a dataset-level indicator earns its points or not;
- a distribution-level indicator earns its points times the share of distributions
  that meet it (2 of 4 distributions with a download URL: 10 of 20 points);
- interoperability is the best distribution's (its format, media type, vocabulary,
  openness and machine-readability), plus DCAT-AP compliance, a dataset-level fact;
- what cannot be known yet (a link not checked yet, a dataset not validated yet) is
  "unknown": it earns nothing, is shown as such, and the points it holds are counted
  apart (``Score.pending``) so a score is never silently read as a failure.

Pure: the graph, the stored SHACL result and the link checker's verdicts come in as
arguments, so the scoring is tested without a portal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.wepulse import vocabularies

__all__ = [
    "BANDS",
    "DIMENSIONS",
    "INDICATORS",
    "MAX_SCORE",
    "Indicator",
    "Measure",
    "Score",
    "band",
    "dataset_subject",
    "score_graph",
]

#: Dimension -> its maximum, in the methodology's order.
DIMENSIONS: dict[str, int] = {
    "findability": 100,
    "accessibility": 100,
    "interoperability": 110,
    "reusability": 75,
    "contextuality": 20,
}
#: (lowest score, band), best first.
BANDS: tuple[tuple[int, str], ...] = (
    (351, "excellent"),
    (221, "good"),
    (121, "sufficient"),
    (0, "bad"),
)

DATASET, DISTRIBUTION, BEST = "dataset", "distribution", "best distribution"

# Controlled vocabularies the methodology names, by their IRIs' namespaces.
EU_FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA_TYPES = (
    "https://www.iana.org/assignments/media-types/",
    "http://www.iana.org/assignments/media-types/",
)
EU_LICENCES = "http://publications.europa.eu/resource/authority/licence/"
EU_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    points: int
    level: str  # dataset | distribution | best distribution
    metric: str  # its name in data.europa.eu's vocabulary (https://piveau.eu/ns/voc#)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("keyword", "findability", 30, DATASET, "keywordAvailability"),
    Indicator("theme", "findability", 30, DATASET, "categoryAvailability"),
    Indicator("spatial", "findability", 20, DATASET, "spatialAvailability"),
    Indicator("temporal", "findability", 20, DATASET, "temporalAvailability"),
    Indicator("access_url_works", "accessibility", 50, DISTRIBUTION, "accessUrlStatusCode"),
    Indicator("download_url", "accessibility", 20, DISTRIBUTION, "downloadUrlAvailability"),
    Indicator("download_url_works", "accessibility", 30, DISTRIBUTION, "downloadUrlStatusCode"),
    Indicator("format", "interoperability", 20, BEST, "formatAvailability"),
    Indicator("media_type", "interoperability", 10, BEST, "mediaTypeAvailability"),
    Indicator(
        "format_vocabulary", "interoperability", 10, BEST, "formatMediaTypeVocabularyAlignment"
    ),
    Indicator("non_proprietary", "interoperability", 20, BEST, "formatMediaTypeNonProprietary"),
    Indicator(
        "machine_readable", "interoperability", 20, BEST, "formatMediaTypeMachineInterpretable"
    ),
    Indicator("dcat_ap_compliant", "interoperability", 30, DATASET, "dcatApCompliance"),
    Indicator("licence", "reusability", 20, DISTRIBUTION, "licenceAvailability"),
    Indicator("licence_vocabulary", "reusability", 10, DISTRIBUTION, "knownLicence"),
    Indicator("access_rights", "reusability", 10, DATASET, "accessRightsAvailability"),
    Indicator(
        "access_rights_vocabulary", "reusability", 5, DATASET, "accessRightsVocabularyAlignment"
    ),
    Indicator("contact_point", "reusability", 20, DATASET, "contactPointAvailability"),
    Indicator("publisher", "reusability", 10, DATASET, "publisherAvailability"),
    Indicator("rights", "contextuality", 5, DISTRIBUTION, "rightsAvailability"),
    Indicator("byte_size", "contextuality", 5, DISTRIBUTION, "byteSizeAvailability"),
    Indicator("issued", "contextuality", 5, DATASET, "dateIssuedAvailability"),
    Indicator("modified", "contextuality", 5, DATASET, "dateModifiedAvailability"),
)
MAX_SCORE = sum(DIMENSIONS.values())
assert sum(i.points for i in INDICATORS) == MAX_SCORE == 405


@dataclass(frozen=True)
class Measure:
    """One indicator's result for one dataset.

    ``met``/``unknown``/``total`` count distributions for a distribution-level
    indicator (1/0/1 or 0/0/1 for a dataset-level one, 0/1/1 when unknown);
    ``per_distribution`` holds each distribution's verdict (True, False or None for
    unknown) by its IRI, for the DQV export and for a publisher to see which file fails.
    """

    indicator: Indicator
    earned: float
    met: int
    unknown: int
    total: int
    per_distribution: dict[str, bool | None] = field(default_factory=dict)

    @property
    def state(self) -> str:
        """pass, partial, fail or unknown."""
        if self.unknown and not self.met:
            return "unknown"
        if self.total and self.met == self.total:
            return "pass"
        return "partial" if self.met else "fail"

    @property
    def missing(self) -> int:
        """Points lost for good (unknown points are pending, not lost)."""
        return round(self.indicator.points - self.earned - self.pending_points)

    @property
    def pending_points(self) -> float:
        if not self.total:
            return 0.0
        return self.indicator.points * self.unknown / self.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.key,
            "dimension": self.indicator.dimension,
            "level": self.indicator.level,
            "max": self.indicator.points,
            "points": round(self.earned),
            "state": self.state,
            "met": self.met,
            "unknown": self.unknown,
            "total": self.total,
            "missing": self.missing,
            "pending": round(self.pending_points),
            "distributions": self.per_distribution,
        }


@dataclass(frozen=True)
class Score:
    measures: tuple[Measure, ...]

    @property
    def total(self) -> int:
        return round(sum(m.earned for m in self.measures))

    @property
    def pending(self) -> int:
        """Points held by what is not known yet (links not checked, not validated)."""
        return round(sum(m.pending_points for m in self.measures))

    @property
    def band(self) -> str:
        return band(self.total)

    def dimensions(self) -> dict[str, int]:
        points = dict.fromkeys(DIMENSIONS, 0.0)
        for measure in self.measures:
            points[measure.indicator.dimension] += measure.earned
        return {dimension: round(value) for dimension, value in points.items()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.total,
            "max": MAX_SCORE,
            "band": self.band,
            "pending": self.pending,
            "dimensions": self.dimensions(),
            "indicators": [m.as_dict() for m in self.measures],
        }


def band(score: int) -> str:
    return next(name for lowest, name in BANDS if score >= lowest)


def dataset_subject(graph: Graph) -> Any:
    """The one dataset of a dataset's graph (the catalogue links it, when present)."""
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    linked = [d for d in datasets if (None, DCAT.dataset, d) in graph]
    found = linked or datasets
    if not found:
        raise ValueError("the graph describes no dcat:Dataset")
    return found[0]


def score_graph(
    graph: Graph,
    dataset: Any,
    compliant: bool | None,
    link_works: Mapping[str, bool | None] | Callable[[str], bool | None],
) -> Score:
    """Score the dataset ``dataset`` of ``graph``.

    ``compliant``: the stored SHACL result (None: not validated yet).
    ``link_works``: URL -> True (answers 2xx), False (does not) or None (not checked
    yet); a URL it does not know is not checked yet.
    """
    works = link_works if callable(link_works) else link_works.get
    distributions = sorted(graph.objects(dataset, DCAT.distribution), key=str)

    def has(subject: Any, predicate: Any) -> bool:
        return graph.value(subject, predicate) is not None

    def iris(subject: Any, predicate: Any) -> list[str]:
        return [str(o) for o in graph.objects(subject, predicate) if isinstance(o, URIRef)]

    def all_work(subject: Any, predicate: Any) -> bool | None:
        """Whether every URL of the distribution answers (None: some not checked yet)."""
        urls = iris(subject, predicate)
        if not urls:
            return False
        verdicts = [works(url) for url in urls]
        if any(v is False for v in verdicts):
            return False
        return None if any(v is None for v in verdicts) else True

    formats = {d: _format_facts(graph, d) for d in distributions}
    best = max(formats.values(), key=_interoperability, default=None)
    checks: dict[str, Callable[[Any], bool | None]] = {
        "access_url_works": lambda d: all_work(d, DCAT.accessURL),
        "download_url": lambda d: has(d, DCAT.downloadURL),
        "download_url_works": lambda d: all_work(d, DCAT.downloadURL),
        "licence": lambda d: has(d, DCTERMS.license),
        "licence_vocabulary": lambda d: any(
            iri.startswith(EU_LICENCES) for iri in iris(d, DCTERMS.license)
        ),
        "rights": lambda d: has(d, DCTERMS.rights),
        "byte_size": lambda d: has(d, DCAT.byteSize),
    }
    dataset_facts: dict[str, bool | None] = {
        "keyword": has(dataset, DCAT.keyword),
        "theme": has(dataset, DCAT.theme),
        "spatial": has(dataset, DCTERMS.spatial),
        "temporal": has(dataset, DCTERMS.temporal),
        "dcat_ap_compliant": compliant,
        "access_rights": has(dataset, DCTERMS.accessRights),
        "access_rights_vocabulary": any(
            iri.startswith(EU_ACCESS_RIGHTS) for iri in iris(dataset, DCTERMS.accessRights)
        ),
        "contact_point": has(dataset, DCAT.contactPoint),
        "publisher": has(dataset, DCTERMS.publisher),
        "issued": has(dataset, DCTERMS.issued),
        "modified": has(dataset, DCTERMS.modified),
    }

    measures = []
    for indicator in INDICATORS:
        if indicator.level == DATASET:
            fact = dataset_facts[indicator.key]
            measures.append(
                Measure(
                    indicator,
                    indicator.points if fact else 0.0,
                    met=int(fact is True),
                    unknown=int(fact is None),
                    total=1,
                )
            )
        elif indicator.level == BEST:
            fact = bool(best and best[indicator.key])
            measures.append(
                Measure(
                    indicator,
                    indicator.points if fact else 0.0,
                    met=int(fact),
                    unknown=0,
                    total=1,
                    per_distribution={str(d): f[indicator.key] for d, f in formats.items()},
                )
            )
        else:
            verdicts = {str(d): checks[indicator.key](d) for d in distributions}
            met = sum(1 for v in verdicts.values() if v is True)
            unknown = sum(1 for v in verdicts.values() if v is None)
            total = len(verdicts)
            earned = indicator.points * met / total if total else 0.0
            measures.append(Measure(indicator, earned, met, unknown, total, verdicts))
    return Score(tuple(measures))


def _format_facts(graph: Graph, distribution: Any) -> dict[str, bool]:
    """The interoperability facts of one distribution."""
    format_ = graph.value(distribution, DCTERMS["format"])
    media_type = graph.value(distribution, DCAT.mediaType)
    concept = None
    if format_ is not None:
        concept = vocabularies.load("file_types").lookup(str(format_))
    if concept is None and media_type is not None:  # the format its media type names
        type_subtype = "/".join(str(media_type).rsplit("/", 2)[-2:])  # IANA IRI or text
        concept = vocabularies.load("file_types").lookup(type_subtype)
    from_vocabulary = (isinstance(format_, URIRef) and str(format_).startswith(EU_FILE_TYPES)) or (
        isinstance(media_type, URIRef) and str(media_type).startswith(IANA_MEDIA_TYPES)
    )
    return {
        "format": format_ is not None,
        "media_type": media_type is not None,
        "format_vocabulary": from_vocabulary,
        "non_proprietary": bool(concept and concept.extra.get("non_proprietary") == "true"),
        "machine_readable": bool(concept and concept.extra.get("machine_readable") == "true"),
    }


def _interoperability(facts: dict[str, bool]) -> int:
    """A distribution's interoperability points (which one is the best)."""
    return sum(i.points for i in INDICATORS if i.level == BEST and facts[i.key])
