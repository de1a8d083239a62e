"""ISO 19139 records to the portal's datasets, by SEMIC's GeoDCAT-AP mapping.

A record goes through the reference mapping (``geodcat_ap/iso-19139-to-dcat-ap.xsl``,
XSLT 2.0, run by Saxon), then through the portal's DCAT-AP parsing like any DCAT
record, and then gets what that general parsing cannot know from RDF alone:

- each distribution's format from the ISO online resource it comes from (its
  ``gmd:protocol`` and address): the mapping gives every distribution all the formats
  the record lists for the whole resource;
- the INSPIRE themes (a facet of their own) and the EU data themes they align with;
- the resource type (dataset, series, service) and, for a service, its endpoints as
  distributions with ``access_services``; for a dataset, the services that operate on
  it (found in the same catalogue) as distributions too, as GeoDCAT-AP describes;
- a publisher when the record names none but names an owner, custodian or point of
  contact (the organisation the harvest can attribute the dataset to).

Measured on the corpus (``docs/geoportals.md``): 5-10 ms a record in Saxon, and every
field of the reference mapping, multilingual texts included, without a line of
mapping of our own to keep in step with the XSLT.

The stylesheet is compiled once a process (a forked worker compiles its own: Saxon's
runtime does not survive a fork).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from lxml import etree
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from ckanext.wepulse import vocabularies
from harvesters.base import RecordError, SourceError
from harvesters.csw import NS, parse_xml, service_summary
from harvesters.dcat import repair_languages
from harvesters.language import CONTENT_LANGUAGES
from harvesters.mapping import file_type, licence_id
from harvesters.rdf_input import is_iri, read, split_notes

__all__ = ["STYLESHEET", "map_record", "to_geodcat_ap"]

STYLESHEET = Path(__file__).with_name("geodcat_ap") / "iso-19139-to-dcat-ap.xsl"
PARAMETERS = {
    "profile": "extended",
    "CoupledResourceLookUp": "disabled",  # never fetch what a record links to
    "include-deprecated": "no",
}
GEODCAT = "http://data.europa.eu/930/"
GMI = "http://www.isotc211.org/2005/gmi"
HREF = f"{{{NS['xlink']}}}href"
ORG_MEMBER_OF = URIRef("http://www.w3.org/ns/org#memberOf")
RESOURCE_TYPE = URIRef(f"{GEODCAT}resourceType")
TOPIC_CATEGORY = URIRef(f"{GEODCAT}topicCategory")
INSPIRE_THEME = "http://inspire.ec.europa.eu/theme/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
#: How Belgian and EU use limitations name a licence without its address (pattern ->
#: what ``licence_id`` knows it by). "No conditions apply" is no licence: not here.
LICENCE_WORDINGS = (
    (r"\bCC[ -]?0\b|creative commons zero|domaine public|public domain", "CC0"),
    (r"\bCC[ -]?BY[ -]?4(\.0)?\b", "CC_BY_4_0"),
    (r"\bCC[ -]?BY\b(?![ -]?(SA|NC|ND))", "CC_BY_4_0"),
    # The Flemish free re-use model licence became the Flemish open data licence (2018).
    (
        r"modellicentie (voor )?gratis hergebruik|vlaamse open ?data ?licentie",
        "BE_VLAAMSE_OPEN_DATA",
    ),
    (r"licence ouverte|open licen[cs]e.*etalab", "ETALAB_2_0"),
    (r"statbel.*open ?data|open ?data.*statbel", "BE_STATBEL_OPEN_DATA"),
)
#: ISO 639-2 codes of a record's language -> the portal's content language.
ISO_LANGUAGES = {
    "fre": "fr", "fra": "fr", "dut": "nl", "nld": "nl", "ger": "de", "deu": "de", "eng": "en",
}  # fmt: skip

# gmd:protocol values (OGC, INSPIRE, GeoNetwork's) -> EU file type, by folded prefix.
PROTOCOLS = (
    ("ogc:wmts", "WMTS_SRVC"), ("ogc:wms", "WMS_SRVC"), ("ogc:wfs", "WFS_SRVC"),
    ("ogc:wcs", "WCS_SRVC"), ("ogc:wcts", None), ("esri:rest", "REST"),
    ("esri rest", "REST"), ("atom", "ATOM"), ("inspire atom", "ATOM"),
    ("www:link", None), ("www:download", None), ("download", None),
)  # fmt: skip
# Formats an address alone tells, in the order they are tried (GeoNetwork names the
# files of a download service after their media type: …_geopackage+sqlite3_3035.zip).
_ADDRESS_FORMATS = (
    ("geopackage", "GPKG"), ("gpkg", "GPKG"), ("shapefile", "SHP"), ("shp", "SHP"),
    ("geojson", "GEOJSON"), ("gml", "GML"), ("kml", "KML"), ("csv", "CSV"),
    ("service=wms", "WMS_SRVC"), ("service=wfs", "WFS_SRVC"), ("service=wmts", "WMTS_SRVC"),
)  # fmt: skip


class _Saxon:
    """The compiled stylesheet of this process, by its parameters."""

    pid: int | None = None
    processor: Any = None
    executables: dict[tuple, Any] = {}

    @classmethod
    def get(cls, parameters: dict[str, str]) -> Any:
        if cls.pid != os.getpid():
            from saxonche import PySaxonProcessor

            cls.processor, cls.executables, cls.pid = (
                PySaxonProcessor(license=False),
                {},
                os.getpid(),
            )
        key = tuple(sorted(parameters.items()))
        if key not in cls.executables:
            compiler = cls.processor.new_xslt30_processor()
            executable = compiler.compile_stylesheet(stylesheet_file=str(STYLESHEET))
            for name, value in parameters.items():
                executable.set_parameter(name, cls.processor.make_string_value(value))
            cls.executables[key] = executable
        return cls.executables[key]


def to_geodcat_ap(record: bytes, parameters: dict[str, str] | None = None) -> str:
    """The record (an ISO 19139 document, DTD-free) as GeoDCAT-AP RDF/XML; the
    stylesheet's ``parameters`` are ours unless given (lookups stay disabled)."""
    parameters = {**PARAMETERS, **(parameters or {}), "CoupledResourceLookUp": "disabled"}
    executable = _Saxon.get(parameters)
    try:
        document = _Saxon.processor.parse_xml(xml_text=record.decode("utf-8"))
        output = executable.transform_to_string(xdm_node=document)
    except Exception as error:  # Saxon's PySaxonApiError: the message is the reason
        raise RecordError(f"the GeoDCAT-AP mapping cannot read the record: {error}") from None
    if not output:
        raise RecordError("the GeoDCAT-AP mapping gave nothing for this record")
    return output


def map_record(
    record: bytes,
    services: list[dict[str, Any]],
    parse_dataset: Callable[..., dict[str, Any]],
    guid: str,
    default_language: str | None = None,
) -> dict[str, Any]:
    """The dataset dict of one ISO 19139 record (``services``: those that operate on it)."""
    iso = _as_iso_19139(parse_xml(record, guid))
    try:
        graph = _graph(to_geodcat_ap(etree.tostring(iso)), guid)
    except (RecordError, SourceError) as error:
        raise RecordError(str(error), guid) from None
    subject = _primary_topic(graph)
    if subject is None:
        raise RecordError("the GeoDCAT-AP mapping found no dataset or service in it", guid)
    is_service = (subject, RDF.type, DCAT.Dataset) not in graph
    graph.add((subject, RDF.type, DCAT.Dataset))  # a service is listed like a dataset
    language = _language(iso) or default_language or "fr"
    _drop_run_together_texts(graph)
    _add_publisher(graph, subject)
    _add_contact_point(graph, subject)
    _add_access_rights(graph, subject)
    _label_statements(graph, language)
    inspire_themes = _themes_as_keywords(graph, subject, iso, language)
    _topic_categories_as_keywords(graph, subject)
    repair_languages(graph, language)
    try:
        dataset = parse_dataset(graph, subject)
    except Exception as error:
        raise RecordError(f"cannot read its GeoDCAT-AP: {error}", guid) from None
    if not any((dataset.get("title_translated") or {}).values()) and not dataset.get("title"):
        raise RecordError("the record has no title (gmd:citation/gmd:title)", guid)
    protocols = _online_resources(iso)
    for resource in dataset.get("resources", []):
        _set_format(resource, protocols)
        _name_from_description(resource)
    if is_service:
        own = _service_of(iso, guid)
        if own is not None:
            _add_service_distributions(dataset, [own])
    _add_service_distributions(dataset, services)
    _set_themes(dataset, inspire_themes)
    if not dataset.get("license_id"):
        known, document = _licence_in(graph, subject)
        dataset["license_id"] = known or ""
        for resource in dataset.get("resources", []) if document and not known else []:
            resource.setdefault("license", document)  # the licence text the record links
    resource_type = graph.value(subject, RESOURCE_TYPE)
    if resource_type is not None:
        dataset["dcat_type"] = str(resource_type)
    return dataset


def _graph(rdf_xml: str, guid: str) -> Graph:
    """The mapping's output read as DCAT sources are (``rdf_input``): an IRI the record
    wrote with a space is repaired; a statement whose address is none (an online
    resource at "-" or "") is left out, the rest of the record kept."""
    quads = read(rdf_xml.encode("utf-8"), f"urn:wepulse:record:{guid}", "application/rdf+xml")
    triples = [
        (str(q.subject), str(q.predicate), str(q.object))
        for q in quads
        if all(is_iri(n.value) for n in (q.subject, q.object) if isinstance(n, ox.NamedNode))
    ]
    triples, _repaired, _unreadable = split_notes(triples)
    graph = Graph()
    graph.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in triples), format="nt")
    return graph


def _as_iso_19139(root: etree._Element) -> etree._Element:
    """The record in plain ISO 19139, which is what the mapping reads: national profiles
    (geocat.ch's ``che:CHE_MD_Metadata``…) name the ISO class each of their elements
    extends in ``gco:isoType``, and ISO 19115-2 (``gmi:MI_Metadata``) extends
    ``gmd:MD_Metadata``."""
    iso_type = f"{{{NS['gco']}}}isoType"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        extended = element.get(iso_type)
        if extended and ":" in extended:
            prefix, name = extended.split(":", 1)
            if prefix in ("gmd", "srv"):
                element.tag = f"{{{NS[prefix]}}}{name}"
        elif element.tag == f"{{{GMI}}}MI_Metadata":
            element.tag = f"{{{NS['gmd']}}}MD_Metadata"
        # geo.be's exports give an anchor's address as gmx:Anchor/@gmx:Anchor, which
        # no reader knows: it is ISO's xlink:href.
        misplaced = f"{{{NS['gmx']}}}Anchor"
        if element.tag == misplaced and element.get(misplaced) and not element.get(HREF):
            element.set(HREF, element.attrib.pop(misplaced))
    return root


def _primary_topic(graph: Graph) -> Any:
    """What the record describes: the subject of its catalogue record."""
    for subject in graph.subjects(FOAF.isPrimaryTopicOf, None):
        return subject
    for kind in (DCAT.Dataset, DCAT.DataService, DCAT.Catalog):
        for subject in graph.subjects(RDF.type, kind):
            if (None, DCAT.accessService, subject) not in graph:
                return subject
    return None


def _language(iso: etree._Element) -> str | None:
    """The record's own language, as a content language."""
    code = iso.xpath(
        "string((gmd:language/gmd:LanguageCode/@codeListValue | gmd:language/*)[1])",
        namespaces=NS,
    )
    language = ISO_LANGUAGES.get(code.strip().lower()[:3])
    return language if language in CONTENT_LANGUAGES else None


def _drop_run_together_texts(graph: Graph) -> None:
    """Drop the literal the mapping makes of a multilingual text's every language run
    together (the text and all its translations on separate lines, in one language),
    beside the text in each language."""
    for subject, predicate in {(s, p) for s, p, o in graph if isinstance(o, Literal)}:
        literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
        if len(literals) < 3:
            continue
        for literal in literals:
            others = [str(o).strip() for o in literals if o is not literal and str(o).strip()]
            inside = sum(1 for other in others if other in str(literal))
            if "\n" in str(literal) and inside >= 2:
                graph.remove((subject, predicate, literal))


def _add_publisher(graph: Graph, subject: Any) -> None:
    """The dataset's publisher as an organisation: the one a publishing person works
    for; else, when the record names no publisher (ISO's "publisher" role is what the
    mapping makes one of), the resource's owner, custodian or point of contact; else
    the organisation responsible for the metadata. It is whom the harvest attributes
    the dataset to, so never a person when an organisation is named."""
    candidates = list(graph.objects(subject, DCTERMS.publisher))
    for role in ("owner", "custodian", "pointOfContact", "distributor", "originator"):
        candidates += graph.objects(subject, URIRef(f"{GEODCAT}{role}"))
    for record in graph.objects(subject, FOAF.isPrimaryTopicOf):
        for attribution in graph.objects(record, PROV.qualifiedAttribution):
            candidates += graph.objects(attribution, PROV.agent)
    for agent in candidates:
        organisation = _organisation(graph, agent)
        if organisation is None:
            continue
        for publisher in list(graph.objects(subject, DCTERMS.publisher)):
            graph.remove((subject, DCTERMS.publisher, publisher))
        graph.add((subject, DCTERMS.publisher, organisation))
        graph.add((organisation, RDF.type, FOAF.Organization))
        for mailbox in graph.objects(agent, FOAF.mbox):
            graph.add((organisation, FOAF.mbox, mailbox))
        return


def _organisation(graph: Graph, agent: Any) -> Any:
    """The named organisation an agent is or works for, or None."""
    if (agent, RDF.type, FOAF.Person) not in graph and graph.value(agent, FOAF.name):
        return agent
    employer = graph.value(agent, ORG_MEMBER_OF)
    if employer is not None and graph.value(employer, FOAF.name) is not None:
        return employer
    return None


def _add_contact_point(graph: Graph, subject: Any) -> None:
    """The metadata's point of contact for a resource that names none of its own
    (geoportals often give an e-mail address only for the record)."""
    if graph.value(subject, DCAT.contactPoint) is not None:
        return
    for record in graph.objects(subject, FOAF.isPrimaryTopicOf):
        for contact in graph.objects(record, DCAT.contactPoint):
            graph.add((subject, DCAT.contactPoint, contact))


def _add_access_rights(graph: Graph, subject: Any) -> None:
    """The dataset's access rights: those all its distributions share (the mapping puts
    INSPIRE's limitations on public access on each distribution)."""
    if graph.value(subject, DCTERMS.accessRights) is not None:
        return
    shared = None
    for distribution in graph.objects(subject, DCAT.distribution):
        rights = set(graph.objects(distribution, DCTERMS.accessRights))
        shared = rights if shared is None else shared & rights
    for rights in sorted(shared or (), key=str)[:1]:
        graph.add((subject, DCTERMS.accessRights, rights))


_STATEMENTS = (DCTERMS.rights, DCTERMS.provenance, DCTERMS.license, DCTERMS.accessRights)


def _label_statements(graph: Graph, language: str) -> None:
    """An ``rdfs:label`` for each rights, provenance and licence statement the mapping
    describes with ``dct:description`` only: the label is what DCAT-AP parsing reads."""
    for predicate in _STATEMENTS:
        for statement in set(graph.objects(None, predicate)):
            if isinstance(statement, Literal) or graph.value(statement, RDFS.label) is not None:
                continue
            texts = [o for o in graph.objects(statement, DCTERMS.description) if str(o).strip()]
            if texts:
                own = [t for t in texts if t.language == language] or texts
                graph.add((statement, RDFS.label, own[0]))


def _themes_as_keywords(
    graph: Graph, subject: Any, iso: etree._Element, language: str
) -> list[str]:
    """The record's thesaurus keywords (INSPIRE themes, GEMET…), which the mapping makes
    ``dcat:theme``\\s, as keywords in their languages (their labels in the record when
    the mapping kept only their IRI); ``dcat:theme`` keeps the EU data themes only.
    Returns the INSPIRE themes among them, by IRI or, in an INSPIRE themes thesaurus
    that gives no IRI, by label."""
    inspire = vocabularies.load("inspire_themes")
    anchored = _anchor_labels(iso, language)
    found = []
    for theme in list(graph.objects(subject, DCAT.theme)):
        if isinstance(theme, URIRef) and str(theme).startswith(EU_DATA_THEME):
            continue
        graph.remove((subject, DCAT.theme, theme))
        labels = [o for o in graph.objects(theme, SKOS.prefLabel) if isinstance(o, Literal)]
        labels = labels or anchored.get(str(theme), [])
        concept = inspire.lookup(str(theme).rstrip("/")) if isinstance(theme, URIRef) else None
        schemes = " ".join(
            str(t)
            for s in graph.objects(theme, SKOS.inScheme)
            for t in graph.objects(s, DCTERMS.title)
        )
        if concept is None and "inspire" in schemes.lower() and "theme" in schemes.lower():
            concept = next(filter(None, (inspire.lookup(str(label)) for label in labels)), None)
        if concept is not None:
            found.append(concept.uri)  # a facet of its own, and its EU data themes
        else:
            for label in labels:
                graph.add((subject, DCAT.keyword, label))
    return list(dict.fromkeys(found))


def _topic_categories_as_keywords(graph: Graph, subject: Any) -> None:
    """ISO topic categories ("society", "inlandWaters"…) as keywords, in each language."""
    categories = vocabularies.load("topic_categories")
    for category in graph.objects(subject, TOPIC_CATEGORY):
        concept = categories.lookup(str(category))
        for lang, label in (concept.labels if concept else {}).items():
            graph.add((subject, DCAT.keyword, Literal(label, lang=lang)))


def _anchor_labels(iso: etree._Element, default: str) -> dict[str, list[Literal]]:
    """Each anchored keyword's address -> its texts, in the record's languages
    (``default``: the record's own)."""
    languages = _locales(iso)
    found: dict[str, list[Literal]] = {}
    for keyword in iso.iterfind(".//gmd:descriptiveKeywords//gmd:keyword", NS):
        anchor = keyword.find("gmx:Anchor", NS)
        if anchor is None or not anchor.get(HREF):
            continue
        texts = found.setdefault(anchor.get(HREF).strip(), [])
        if (anchor.text or "").strip():
            texts.append(Literal(anchor.text.strip(), lang=default))
        for text in keyword.iterfind(".//gmd:LocalisedCharacterString", NS):
            language = languages.get((text.get("locale") or "").lstrip("#"))
            if language and (text.text or "").strip() and language != default:
                texts.append(Literal(text.text.strip(), lang=language))
    return found


def _locales(iso: etree._Element) -> dict[str, str]:
    """The record's PT_Locale ids -> the content language each stands for."""
    found = {}
    for locale in iso.iterfind(".//gmd:PT_Locale", NS):
        code = locale.xpath("string(gmd:languageCode/*/@codeListValue)", namespaces=NS)
        language = ISO_LANGUAGES.get(code.strip().lower()[:3])
        if language and locale.get("id"):
            found[locale.get("id")] = language
    return found


def _licence_in(graph: Graph, subject: Any) -> tuple[str | None, str | None]:
    """The licence the record's use limitations name, when the mapping found none:
    (the portal's licence id, by a licence address in their text or their usual
    wording; else None, and the address of a licence text they link to, if any)."""
    texts = []
    nodes = [subject, *graph.objects(subject, DCAT.distribution)]
    for node in nodes:
        for predicate in _STATEMENTS:
            for statement in graph.objects(node, predicate):
                texts.append(str(statement))
                texts += [str(o) for o in graph.objects(statement, RDFS.label)]
                texts += [str(o) for o in graph.objects(statement, DCTERMS.description)]
    document = None
    for text in texts:
        for address in re.findall(r"https?://[^\s<>\"')]+", text):
            address = address.rstrip(".,;")
            found = licence_id(address)
            if found:
                return found, None
            if document is None and re.search(r"licen[cs]|licentie|lizenz", text, re.IGNORECASE):
                document = address
    for text in texts:
        for pattern, code in LICENCE_WORDINGS:
            if re.search(pattern, text, re.IGNORECASE):
                return licence_id(code), None
    return None, document


def _online_resources(iso: etree._Element) -> dict[str, str]:
    """Each online resource's address -> its protocol, as the record gives them."""
    found = {}
    for online in iso.iterfind(".//gmd:CI_OnlineResource", NS):
        url = online.findtext("gmd:linkage/gmd:URL", namespaces=NS)
        protocol = online.xpath("string(gmd:protocol/*)", namespaces=NS).strip()
        if url and url.strip():
            found.setdefault(url.strip(), protocol)
    return found


def format_of(url: str | None, protocol: str | None) -> str | None:
    """The EU file type of an online resource, by its protocol, else its address."""
    folded = (protocol or "").strip().lower()
    for prefix, code in PROTOCOLS:
        if folded.startswith(prefix):
            if code:
                return code
            break
    address = (url or "").lower()
    path = urlsplit(address).path
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    for word, code in _ADDRESS_FORMATS:
        if re.search(rf"(^|[^a-z]){re.escape(word)}([^a-z]|$)", address):
            return code
    if extension:
        known = file_type(extension)
        if known and known.isupper():
            return known
    return None


def _set_format(resource: dict[str, Any], protocols: dict[str, str]) -> None:
    """The distribution's own format, instead of all the resource's (see above)."""
    url = resource.get("access_url") or resource.get("url")
    found = format_of(url, protocols.get(url or ""))
    if found:
        resource["format"] = found
        resource.pop("mimetype", None)


def _name_from_description(resource: dict[str, Any]) -> None:
    """A distribution the record gives no name (ISO's online resource name is optional)
    is named by its short description ("Données téléchargeables", "View service") in
    each language, rather than by its address."""
    names = {k: v for k, v in (resource.get("name_translated") or {}).items() if v}
    if names or resource.get("name"):
        return
    descriptions = resource.get("description_translated") or {}
    short = {lang: text for lang, text in descriptions.items() if text and len(text) <= 80}
    if short:
        resource["name_translated"] = short
        resource["name"] = (
            resource.get("description")
            if len(resource.get("description") or "") <= 80
            else next(iter(short.values()))
        )


def _service_of(iso: etree._Element, guid: str) -> dict[str, Any] | None:
    service = service_summary(iso, guid)
    if service is not None:
        service.pop("operates_on", None)
    return service


def _add_service_distributions(dataset: dict[str, Any], services: list[dict[str, Any]]) -> None:
    """A distribution for each endpoint of each service not already among the
    dataset's files, with the service as its ``access_services``."""
    resources = dataset.setdefault("resources", [])
    # A service is known by its endpoint: its GetCapabilities and its bare address are
    # one service, not two files.
    known = {_endpoint(r.get("access_url") or r.get("url") or "") for r in resources}
    for service in services:
        for link in service.get("links", []):
            url = link["url"]
            if _endpoint(url) in known or not url.lower().startswith(("http://", "https://")):
                continue
            known.add(_endpoint(url))
            title = service.get("title") or url
            endpoint = url.split("?", 1)[0]
            resources.append(
                {
                    "url": url,
                    "access_url": url,
                    "name": title,
                    "format": format_of(url, link.get("protocol")) or "",
                    "access_services": [
                        {
                            "title": title,
                            "endpoint_url": [endpoint],
                            "endpoint_description": url,
                        }
                    ],
                }
            )


def _endpoint(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").lower()


def _set_themes(dataset: dict[str, Any], inspire_themes: list[str]) -> None:
    """The INSPIRE themes, and the EU data themes they align with added."""
    inspire = vocabularies.load("inspire_themes")
    data_themes = vocabularies.load("data_themes")
    dataset["inspire_theme"] = inspire_themes
    current = list(dataset.get("theme") or [])
    for uri in inspire_themes:
        for code in inspire.lookup(uri).extra.get("data_themes", "").split():
            concept = data_themes.lookup(code)
            if concept is not None and concept.uri not in current:
                current.append(concept.uri)
    dataset["theme"] = current
