"""The controlled vocabularies WePulse validates, harvests and displays metadata with.

Each vocabulary is a CSV file beside this module (UTF-8, header row, sorted by code):
``uri,code,label_fr,label_nl,label_de,label_en`` and vocabulary-specific columns. They
are data, not code, so that a new code or a better translation is a one-line diff; this
module only reads them. It imports nothing from CKAN because the ``harvesters`` package,
which must stay CKAN-free, maps harvested values through it too.

The vocabularies, their concept-scheme IRIs and where the rows come from:

``data_themes``
    EU data themes, ``http://publications.europa.eu/resource/authority/data-theme``
    (the DCAT-AP ``dcat:theme`` values): every current code, OP_DATPRO included. Labels
    are the Publications Office (OP) ``skos:prefLabel``\\s.
``file_types``
    EU file types, ``http://publications.europa.eu/resource/authority/file-type``: not
    the whole table, the ~75 formats open-data portals actually publish. Codes, English
    labels, extensions and media types follow the OP table (checked against its release
    20221214-0; PARQUET and WMTS_SRVC are later additions). ``media_type`` is the IANA
    type that identifies the format (empty where IANA registers none, or where the
    format has none of its own: GeoTIFF is served as image/tiff), ``extensions`` the
    file-name extensions that identify it; both are unique across rows, so lookup()
    can map "text/csv" or "csv" to a format. ``machine_readable`` and
    ``non_proprietary`` copy data.europa.eu's Metadata Quality
    Assessment lists (``edp-machine-readable-format.rdf`` and
    ``edp-non-proprietary-format.rdf`` of the European Data Portal's edp-vocabularies).
``media_types``
    IANA media types of those formats, ``https://www.iana.org/assignments/media-types``;
    a concept's code is ``type/subtype`` and its URI the IANA page, the IRI DCAT-AP uses
    for ``dcat:mediaType``.
``languages``
    EU languages, ``http://publications.europa.eu/resource/authority/language``: the 24
    official EU languages, Luxembourgish (LTZ) and Catalan (CAT, found in Brussels
    metadata). ``iso_639_1`` holds the two-letter code that CKAN and HTML use.
``frequencies``
    EU frequencies, ``http://publications.europa.eu/resource/authority/frequency``: every
    current code. ``days`` is the nominal period in days (a month is 30.4 days, a year
    365), empty for the codes that promise no period; freshness checks compare it with
    the time since the last update. ``freshness_periods.csv`` beside it is what
    "updated on time" allows each code (data.gouv.fr's rule, quality/freshness.py):
    a period in days, ``never`` (never late) or ``unknown`` (not assessable).
``access_rights``
    EU access rights, ``http://publications.europa.eu/resource/authority/access-right``:
    every current code.
``licences``
    EU licences, ``http://publications.europa.eu/resource/authority/licence``: those open
    data portals use, plus the non-EU licences of data.gov.be's licence list (Antwerp,
    Ghent, Kortrijk, Ostend, Statbel, UrbIS, the Flemish licence), which keep their own
    IRIs. ``ckan_id`` is the CKAN default licence id that means the same licence (one
    row per id), ``url`` the licence text where it differs from the URI, ``open`` whether
    it meets the Open Definition, and ``aliases`` the other IRIs and URLs harvested
    metadata uses for it (creativecommons.org deeds, opendefinition.org pages...).
    The versionless CC codes (CC_BY...) carry versionless labels: the OP table gives them
    the labels of the 4.0 codes, which would make a label lookup ambiguous.
``hvd_categories``
    High-value dataset categories of Implementing Regulation (EU) 2023/138,
    ``http://data.europa.eu/bna/asd487ae75``, concepts ``http://data.europa.eu/bna/c_…``:
    the 6 categories and their sub-categories. ``broader`` is the URI of the top category
    a sub-category belongs to (empty for a top category) - the top, even where the
    official scheme nests deeper, because that is what grouping needs.
``inspire_themes``
    The 34 spatial data themes of the INSPIRE Directive (2007/2/EC, Annexes I-III),
    ``http://inspire.ec.europa.eu/theme``, labelled as the INSPIRE registry labels them.
    ``data_themes`` is the EU data theme (or themes) a geoportal dataset of that theme
    is given; this alignment is the portal's own, by the scope of each theme (the EU
    publishes none), so it is data here, reviewable line by line.
``topic_categories``
    ISO 19115's 19 topic categories (``MD_TopicCategoryCode``), by the INSPIRE
    registry's IRIs ``http://inspire.ec.europa.eu/metadata-codelist/TopicCategory``,
    which geoportal records use; a geoportal dataset's categories become keywords in
    each language.

Where an official label was not available in a language, the label is a translation.

A vocabulary may have a ``<name>_aliases.csv`` beside it (``alias,code,where``): the
IRIs, codes and labels other vocabularies and catalogues use for its concepts, and where
each comes from. lookup() finds a concept by them as by its own; they are never output.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = [
    "ckan_licence_register",
    "fold",
    "LANGUAGES",
    "VOCABULARIES",
    "Concept",
    "Vocabulary",
    "load",
]

#: Label languages, in the order a missing label falls back through.
LANGUAGES: tuple[str, ...] = ("fr", "en", "nl", "de")

#: Vocabulary name -> the IRI of its concept scheme.
VOCABULARIES: dict[str, str] = {
    "data_themes": "http://publications.europa.eu/resource/authority/data-theme",
    "file_types": "http://publications.europa.eu/resource/authority/file-type",
    "media_types": "https://www.iana.org/assignments/media-types",
    "languages": "http://publications.europa.eu/resource/authority/language",
    "frequencies": "http://publications.europa.eu/resource/authority/frequency",
    "access_rights": "http://publications.europa.eu/resource/authority/access-right",
    "licences": "http://publications.europa.eu/resource/authority/licence",
    "hvd_categories": "http://data.europa.eu/bna/asd487ae75",
    "inspire_themes": "http://inspire.ec.europa.eu/theme",
    "topic_categories": "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory",
}

# Extra columns holding other IRIs/URLs of a concept, matched like its URI.
_URI_COLUMNS = ("url", "aliases")
# Extra columns holding other identifiers of a concept (space-separated), matched like
# its code but after all codes: an ISO 639-1 code, a CKAN licence id, a media type or a
# file-name extension.
_IDENTIFIER_COLUMNS = ("iso_639_1", "ckan_id", "media_type", "extensions")
_BASE_COLUMNS = ("uri", "code", "label_fr", "label_nl", "label_de", "label_en")


@dataclass(frozen=True)
class Concept:
    """One concept of a vocabulary: its IRI, its code, its labels and its extra columns."""

    uri: str
    code: str
    labels: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        """By URI, the concept's identity, so concepts can go in sets and dict keys."""
        return hash(self.uri)

    def label(self, lang: str) -> str:
        """The label in ``lang``, else in fr, en, nl, de, else the code: never empty."""
        for candidate in (lang, *LANGUAGES):
            text = self.labels.get(candidate)
            if text:
                return text
        return self.code


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a label or code, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def _uri_key(text: str) -> str | None:
    """Comparable form of an http(s) IRI: no scheme, no trailing slash, case folded.

    Harvested metadata writes the same IRI with https instead of http, with or without
    a final slash; no two concepts here differ only in those or in case.
    """
    value = text.strip()
    lowered = value.lower()
    for scheme in ("https://", "http://"):
        if lowered.startswith(scheme):
            return value[len(scheme) :].rstrip("/").casefold()
    return None


class Vocabulary:
    """A loaded vocabulary: its concepts, indexed for lookup by URI, code or label."""

    def __init__(self, name: str, scheme: str, concepts: tuple[Concept, ...]) -> None:
        self.name = name
        self.scheme = scheme
        self.concepts = concepts
        self._by_uri: dict[str, Concept] = {c.uri: c for c in concepts}
        self._by_own_uri_key: dict[str, Concept] = {
            key: c for c in concepts if (key := _uri_key(c.uri)) is not None
        }
        self._by_uri_key: dict[str, Concept] = {}
        self._by_code: dict[str, Concept] = {}
        self._by_identifier: dict[str, Concept] = {}
        self._by_label: dict[str, Concept] = {}
        for concept in concepts:
            uris = [concept.uri]
            for column in _URI_COLUMNS:
                uris += concept.extra.get(column, "").split()
            for uri in uris:
                key = _uri_key(uri)
                if key:
                    self._index(self._by_uri_key, key, concept, uri)
            self._index(self._by_code, fold(concept.code), concept, concept.code)
            for column in _IDENTIFIER_COLUMNS:
                for identifier in concept.extra.get(column, "").split():
                    self._index(self._by_identifier, fold(identifier), concept, identifier)
            for text in filter(None, concept.labels.values()):
                self._index(self._by_label, fold(text), concept, text)

    def _index(self, index: dict[str, Concept], key: str, concept: Concept, value: str) -> None:
        """Add ``key``; two concepts sharing a key would make lookups silently arbitrary."""
        known = index.setdefault(key, concept)
        if known is not concept:
            raise ValueError(
                f"vocabulary {self.name!r}: {value!r} names both {known.code} and {concept.code}"
            )

    def add_aliases(self, rows: list[dict[str, str]]) -> None:
        """Other names sources use for concepts (``alias,code`` rows): IRIs of other
        vocabularies (DCMI frequencies, Library of Congress languages, INSPIRE access
        codes) and codes or labels of other catalogues (Etalab's ``lov2``)."""
        for row in rows:
            concept = self._by_code.get(fold(row["code"]))
            if concept is None:
                raise ValueError(f"{self.name}_aliases.csv: no concept {row['code']!r}")
            key = _uri_key(row["alias"])
            if key is not None:
                self._index(self._by_uri_key, key, concept, row["alias"])
            else:
                self._index(self._by_identifier, fold(row["alias"]), concept, row["alias"])

    def get(self, uri: str) -> Concept | None:
        """The concept with this URI (or its http/https, trailing-slash variant), or None.

        Unlike lookup(), get() accepts only the concept's own URI, not an alias or a code.
        """
        concept = self._by_uri.get(uri)
        key = _uri_key(uri) if isinstance(uri, str) else None
        if concept is None and key is not None:
            concept = self._by_own_uri_key.get(key)
        return concept

    def lookup(self, value: str) -> Concept | None:
        """The concept a harvested or submitted value denotes, or None.

        Tries, in order: a URI (exact, http/https or trailing-slash variants, or one of
        the concept's aliases or its licence ``url``); a code (case-insensitive); another
        identifier (an ISO 639-1 code, a CKAN licence id, a file type's media type or
        extension; case-insensitive); then a label in any language (case- and
        accent-insensitive). So "text/csv", "csv" and "CSV" all give the CSV file type.
        """
        if not isinstance(value, str) or not value.strip():
            return None
        key = _uri_key(value)
        if key is not None:
            return self._by_uri_key.get(key)
        folded = fold(value)
        return (
            self._by_code.get(folded)
            or self._by_identifier.get(folded)
            or self._by_label.get(folded)
        )

    def choices(self, lang: str) -> list[dict[str, str]]:
        """``{"value": uri, "label": label}`` per concept, sorted by label, for form selects."""
        options = [{"value": c.uri, "label": c.label(lang)} for c in self.concepts]
        return sorted(options, key=lambda option: (fold(option["label"]), option["value"]))

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` (a Concept of this vocabulary, or a string lookup accepts) is here."""
        if isinstance(value, Concept):
            return self._by_uri.get(value.uri) == value
        return isinstance(value, str) and self.lookup(value) is not None

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def __repr__(self) -> str:
        return f"<Vocabulary {self.name} ({len(self)} concepts)>"


@cache
def load(name: str) -> Vocabulary:
    """The vocabulary ``name`` (a key of VOCABULARIES), read once from its CSV file."""
    if name not in VOCABULARIES:
        known = ", ".join(sorted(VOCABULARIES))
        raise KeyError(f"unknown vocabulary {name!r}; known vocabularies: {known}")
    text = resources.files(__name__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = set(_BASE_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{name}.csv lacks the columns {sorted(missing)}")
    concepts = tuple(
        Concept(
            uri=row["uri"],
            code=row["code"],
            labels={lang: row[f"label_{lang}"] for lang in ("fr", "nl", "de", "en")},
            extra={k: v for k, v in row.items() if k not in _BASE_COLUMNS},
        )
        for row in reader
    )
    vocabulary = Vocabulary(name, VOCABULARIES[name], concepts)
    aliases = resources.files(__name__).joinpath(f"{name}_aliases.csv")
    if aliases.is_file():
        vocabulary.add_aliases(list(csv.DictReader(io.StringIO(aliases.read_text("utf-8")))))
    return vocabulary


def ckan_licence_register(lang: str = "fr") -> list[dict[str, str]]:
    """The licences as CKAN's licence list: CKAN's own id where one means the
    same licence (existing datasets keep theirs), else the EU code."""
    return [
        {
            "id": concept.extra.get("ckan_id") or concept.code,
            "title": concept.label(lang),
            "url": concept.uri,
            "od_conformance": "approved" if concept.extra.get("open") == "true" else "not reviewed",
            "status": "active",
        }
        for concept in sorted(load("licences"), key=lambda c: c.label(lang).casefold())
    ]
