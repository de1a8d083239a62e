"""DCAT catalogues and feeds: Turtle, RDF/XML, JSON-LD, N-Triples, TriG and N-Quads.

A source is one document or a paged collection: Hydra (``hydra:next``) pages and
TREE/LDES pages (``tree:relation/tree:node``, how data.gov.be publishes its feed) are
followed, each page once, up to ``max_pages`` (``follow_pages: false`` reads only
the given document). A record is one ``dcat:Dataset`` with
everything it says about itself (its concise bounded description, distributions
included); its content hash is independent of blank-node labels, so an unchanged
dataset hashes the same on every harvest.

Pages are read with pyoxigraph (Oxigraph's parsers, in Rust): some fifty times faster
than rdflib's, which is what makes a re-harvest cheap when every record has to be
read and hashed to find the few that changed. Mapping reuses the portal's DCAT-AP
parsing (ckanext-dcat and the WePulse profile, on rdflib), which needs CKAN, so the
harvest passes it in as ``parse_dataset(graph, subject)``.
Before it parses, the graph is repaired for what real feeds get wrong: titles and
descriptions split into several literals of one language, and language tags that do
not match the text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from harvesters import language
from harvesters.base import Adapter, Record, RecordError, SourceError
from harvesters.safe_xml import refuse_dtd

__all__ = ["DcatAdapter", "Page", "parse_rdf", "repair_languages"]

MAX_PAGES = 1000

# Media types and file extensions -> the parser's format.
_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_EXTENSIONS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}


def _iri(text: str) -> ox.NamedNode:
    return ox.NamedNode(text)


TYPE = _iri(str(RDF.type))
DATASET = _iri(str(DCAT.Dataset))
_DATASET_TYPES = (DATASET, _iri(f"{DCAT}DatasetSeries"), _iri(str(DCAT.Catalog)))
IDENTIFIER, MODIFIED = _iri(str(DCTERMS.identifier)), _iri(str(DCTERMS.modified))
LANDING_PAGE = _iri(str(DCAT.landingPage))
HYDRA_NEXT = (
    _iri("http://www.w3.org/ns/hydra/core#next"),
    _iri("http://www.w3.org/ns/hydra/core#nextPage"),
)
TREE_RELATION, TREE_NODE = (
    _iri("https://w3id.org/tree#relation"),
    _iri("https://w3id.org/tree#node"),
)
DELETE = _iri("https://www.w3.org/ns/activitystreams#Delete")
ACTIVITY_OBJECT = _iri("https://www.w3.org/ns/activitystreams#object")
# Texts whose language tags are checked, and literals of one language joined.
_TEXTS = (DCTERMS.title, DCTERMS.description)


class Page:
    """A parsed document: what each subject says, in document order, duplicates
    (the same statement in several named graphs) once."""

    def __init__(self, quads: list[ox.Quad]) -> None:
        self.statements: dict[Any, dict[tuple[Any, Any], None]] = {}
        for quad in quads:
            self.statements.setdefault(quad.subject, {})[(quad.predicate, quad.object)] = None

    def __len__(self) -> int:
        return sum(len(said) for said in self.statements.values())

    def about(self, subject: Any) -> list[tuple[Any, Any]]:
        return list(self.statements.get(subject, ()))

    def objects(self, subject: Any, predicate: Any) -> list[Any]:
        return [o for p, o in self.statements.get(subject, ()) if p == predicate]

    def objects_of(self, predicate: Any) -> list[Any]:
        return [o for said in self.statements.values() for p, o in said if p == predicate]

    def subjects(self, rdf_type: Any) -> list[Any]:
        return [s for s, said in self.statements.items() if (TYPE, rdf_type) in said]


def parse_rdf(content: bytes, url: str, media_type: str = "") -> Page:
    """Parse an RDF document (named graphs are read as one: their union).

    The declared media type is believed unless the body plainly says otherwise
    (JSON served as XML, Turtle served as text/plain…); the error names the URL,
    the format tried and the parser's reason. JSON-LD remote contexts are not fetched;
    RDF/XML that declares a DTD is refused (``safe_xml``).
    """
    fmt = _sniff(content) or _FORMATS.get(media_type) or _by_extension(url) or ox.RdfFormat.TURTLE
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_dtd(content, url)
    try:
        base = url if "://" in url else None  # relative IRIs resolve against the page
        return Page(list(ox.parse(content, format=fmt, base_iri=base)))
    except (SyntaxError, ValueError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SourceError(f"{url}: not valid {fmt.name}: {reason}") from None


def _sniff(content: bytes) -> ox.RdfFormat | None:
    head = content.lstrip()[:200]
    # "[" also opens a Turtle blank node: JSON only when an object or "]" follows.
    if head.startswith(b"{") or (head.startswith(b"[") and head[1:].lstrip()[:1] in (b"{", b"]")):
        return ox.RdfFormat.JSON_LD
    if head.startswith((b"<?xml", b"<rdf:RDF")):
        return ox.RdfFormat.RDF_XML
    return None


def _by_extension(url: str) -> ox.RdfFormat | None:
    path = url.split("?")[0].lower()
    return next((fmt for ext, fmt in _EXTENSIONS.items() if path.endswith(ext)), None)


class DcatAdapter(Adapter):
    source_type = "dcat"
    title = "DCAT catalogue or feed (RDF, Hydra or LDES pages)"

    def __init__(
        self,
        url: str,
        http: Any,
        config: dict[str, Any] | None = None,
        parse_dataset: Callable[[Graph, URIRef | BNode], dict[str, Any]] | None = None,
        memory: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(url, http, config)
        self.parse_dataset = parse_dataset
        # Page URL -> its records' guids and hashes and its next links, kept between
        # harvests with the HTTP client's validators (conditional requests).
        self.memory = memory

    def pages(self) -> Iterator[tuple[str, list[Record | RecordError]]]:
        """Each page of the source and its records, following next links once each."""
        max_pages = int(self.config.get("max_pages", MAX_PAGES))
        queue, seen = [self.url], set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            if len(seen) >= max_pages:
                raise SourceError(f"{self.url}: stopped after {max_pages} pages (max_pages)")
            seen.add(url)
            records, hydra_next, tree_nodes = self._read_page(url)
            yield url, records
            if not self.config.get("follow_pages", True):
                return  # configured to read this document only, not the feed behind it
            # A Hydra "next" page already read is a loop; TREE relations may point back.
            for link in hydra_next:
                if link in seen:
                    raise SourceError(f"{url}: its next page {link} was already read (a loop)")
            links = [*hydra_next, *tree_nodes]
            queue += [link for link in links if link not in seen and link not in queue]

    def _read_page(self, url: str) -> tuple[list[Record | RecordError], list[str], list[str]]:
        """A page's records and next links: parsed, or remembered when the server says
        (ETag, Last-Modified) that the page has not changed since the last harvest."""
        remembered = self.memory.get(url) if self.memory is not None else None
        response = self.http.get(
            url, headers={"Accept": _ACCEPT}, conditional=remembered is not None
        )
        if response.not_modified and remembered is not None:
            records = [
                Record(g, None, h, u, m, deleted=d) for g, h, u, m, d in remembered["records"]
            ]
            return records, remembered["hydra_next"], remembered["tree"]
        page = parse_rdf(response.content, response.url, response.media_type)
        if len(page) == 0:
            raise SourceError(f"{url}: no RDF statements in it (is it an RDF document?)")
        records = list(self._page_records(page))
        hydra_next, tree_nodes = _next_pages(page)
        if self.memory is not None:
            self.memory[url] = {
                "records": [
                    [r.guid, r.content_hash, r.url, r.modified, r.deleted]
                    for r in records
                    if isinstance(r, Record)
                ],
                "hydra_next": hydra_next,
                "tree": tree_nodes,
            }
        return records, hydra_next, tree_nodes

    def records(self) -> Iterator[Record | RecordError]:
        """Each page's datasets in page order. A feed (LDES) lists a dataset again on a
        later page when it changed, and announces deletions there: the harvest keeps the
        last word on each dataset. Records of a page remembered unchanged have no payload:
        the harvest skips them as unchanged."""
        for _url, records in self.pages():
            yield from records

    def _page_records(self, page: Page) -> Iterator[Record | RecordError]:
        deleted = {
            target.value
            for event in page.subjects(DELETE)
            for target in page.objects(event, ACTIVITY_OBJECT)
        }
        # Nodes a dataset's description must not wander into.
        boundary = {s for kind in _DATASET_TYPES for s in page.subjects(kind)}
        described = set()
        for subject in page.subjects(DATASET):
            record = self._record(page, subject, boundary)
            if isinstance(record, Record):
                described.add(record.guid)
                if record.guid in deleted:
                    record = Record(record.guid, None, "", record.url, deleted=True)
            yield record
        for guid in sorted(deleted - described):
            yield Record(guid, None, "", None, deleted=True)

    def _record(self, page: Page, subject: Any, boundary: set) -> Record | RecordError:
        if isinstance(subject, ox.BlankNode):
            identifier = next(iter(page.objects(subject, IDENTIFIER)), None)
            if identifier is None:
                return RecordError("a dcat:Dataset with neither an IRI nor a dct:identifier")
            guid = identifier.value
        else:
            guid = subject.value
        triples = _describe(page, subject, boundary)
        lines = [f"{s} {p} {o}" for s, p, o in triples]
        if any(isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode) for s, _, o in triples):
            canonical = _canonical_lines(triples)
        else:  # no blank nodes: the lines are their own canonical form
            canonical = sorted(lines)
        landing = next(iter(page.objects(subject, LANDING_PAGE)), None)
        modified = next(iter(page.objects(subject, MODIFIED)), None)
        return Record(
            guid=guid,
            payload="".join(f"{line} .\n" for line in lines),
            content_hash=hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest(),
            url=landing.value if landing else (guid if guid.startswith("http") else None),
            modified=modified.value if modified else None,
        )

    def map(self, record: Record) -> dict[str, Any]:
        if self.parse_dataset is None:
            raise RuntimeError("DcatAdapter.map needs parse_dataset (the portal's DCAT-AP parser)")
        graph = Graph()
        graph.parse(data=record.payload, format="nt")
        subject = next(graph.subjects(RDF.type, DCAT.Dataset), None)
        if subject is None:
            raise RecordError("no dcat:Dataset in the record", record.guid)
        repair_languages(graph, self.config.get("default_language", "fr"))
        try:
            dataset = self.parse_dataset(graph, subject)
        except RecordError:
            raise
        except Exception as error:
            raise RecordError(f"cannot read its DCAT-AP: {error}", record.guid) from None
        if not any((dataset.get("title_translated") or {}).values()) and not dataset.get("title"):
            raise RecordError("the dataset has no dct:title", record.guid)
        return dataset


_ACCEPT = (
    "text/turtle, application/trig, application/n-triples, application/n-quads, "
    "application/ld+json;q=0.9, application/rdf+xml;q=0.9, */*;q=0.1"
)


def _next_pages(page: Page) -> tuple[list[str], list[str]]:
    """The page's Hydra next links, and the pages its TREE relations point to."""
    hydra = [link for predicate in HYDRA_NEXT for link in page.objects_of(predicate)]
    relations = page.objects_of(TREE_RELATION)
    tree = [node for relation in relations for node in page.objects(relation, TREE_NODE)]
    return _iris(hydra), _iris(tree)


def _iris(nodes: list[Any]) -> list[str]:
    return list(dict.fromkeys(n.value for n in nodes if isinstance(n, ox.NamedNode)))


def _describe(page: Page, subject: Any, boundary: set) -> list[tuple]:
    """The dataset's own statements, and those about the nodes it points to (its
    distributions, contact points, periods…), but not other datasets or catalogues."""
    triples = []
    todo, done = [subject], {subject} | boundary
    while todo:
        node = todo.pop()
        for predicate, obj in page.about(node):
            triples.append((node, predicate, obj))
            if not isinstance(obj, ox.Literal) and obj not in done and predicate != TYPE:
                done.add(obj)
                todo.append(obj)
    return triples


def _canonical_lines(triples: list[tuple]) -> list[str]:
    """Sorted N-Triples lines of a description, each blank node written as a hash of
    what it says (recursively), so the same content always gives the same lines
    whatever labels the parser gave its blank nodes."""
    by_subject: dict[Any, list[tuple]] = {}
    for triple in triples:
        by_subject.setdefault(triple[0], []).append(triple)
    labels: dict[Any, str] = {}

    def term(node: Any, path: frozenset) -> str:
        if not isinstance(node, ox.BlankNode):
            return str(node)
        if node not in labels:
            inner = sorted(
                f"{p} {term(o, path | {node}) if o not in path else '_:cycle'}"
                for _s, p, o in by_subject.get(node, [])
            )
            digest = hashlib.sha256("\n".join(inner).encode("utf-8")).hexdigest()[:16]
            labels[node] = "_:" + digest
        return labels[node]

    return sorted(f"{term(s, frozenset())} {p} {term(o, frozenset())}" for s, p, o in triples)


def repair_languages(graph: Graph, default: str) -> None:
    """Join split literals and correct language tags of titles, descriptions and keywords."""
    for subject in set(graph.subjects(RDF.type, DCAT.Dataset)) | set(
        graph.subjects(RDF.type, DCAT.Distribution)
    ):
        for predicate in _TEXTS:
            literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
            if not literals:
                continue
            fixed = language.translations([(str(o), o.language) for o in literals], default)
            graph.remove((subject, predicate, None))
            for lang, text in fixed.items():
                graph.add((subject, predicate, Literal(text, lang=lang)))
        keywords = [o for o in graph.objects(subject, DCAT.keyword) if isinstance(o, Literal)]
        if keywords:
            fixed_keywords = language.keywords([(str(o), o.language) for o in keywords], default)
            graph.remove((subject, DCAT.keyword, None))
            for lang, words in fixed_keywords.items():
                for word in words:
                    graph.add((subject, DCAT.keyword, Literal(word, lang=lang)))
