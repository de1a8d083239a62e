"""DCAT catalogues and feeds: Turtle, RDF/XML, JSON-LD, N-Triples, TriG and N-Quads.

A source is one document or a paged collection: Hydra (``hydra:next``) pages and
TREE/LDES pages (``tree:relation/tree:node``, how data.gov.be publishes its feed) are
followed, each page once, up to ``max_pages`` (``follow_pages: false`` reads only
the given document). A record is one ``dcat:Dataset`` with
everything it says about itself (its concise bounded description, distributions
included); its content hash is independent of blank-node labels, so an unchanged
dataset hashes the same on every harvest.

An LDES feed publishes each dataset, distribution and agent as a member of its own,
pages apart: its pages are read into the source's member store on disk
(``member_store``), and each dataset's description is joined across members there.
Pages before the last are immutable: a re-harvest reads only the last and new ones.

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

import dataclasses
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from harvesters import language
from harvesters.base import Adapter, Record, RecordError, SourceError
from harvesters.member_store import DCAT_DATASET, RDF_TYPE, MemberStore, Statement, new_store
from harvesters.rdf_input import ContextLoader, read, split_notes, term_value

__all__ = ["DcatAdapter", "Page", "parse_rdf", "repair_languages"]

MAX_PAGES = 1000


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
PUBLISHED = _iri("https://www.w3.org/ns/activitystreams#published")
TREE_MEMBER, TREE_NODE_TYPE = (
    _iri("https://w3id.org/tree#member"),
    _iri("https://w3id.org/tree#Node"),
)
EVENT_STREAM = _iri("https://w3id.org/ldes#EventStream")
_FEED_LINKS = (TREE_RELATION, TREE_NODE, TREE_MEMBER)
# The same terms as N-Triples text, as the member store keeps them.
_TYPE_TEXT, _DATASET_TEXT = RDF_TYPE, DCAT_DATASET
_IDENTIFIER_TEXT, _MODIFIED_TEXT = str(IDENTIFIER), str(MODIFIED)
_LANDING_PAGE_TEXT = str(LANDING_PAGE)
# What a harvest's memory holds for a feed: its store's id and last run.
_FEED_MEMORY = "feed_store"
# Texts whose language tags are checked, and literals of one language joined.
_TEXTS = (DCTERMS.title, DCTERMS.description)


class Page:
    """A parsed document: what each subject says, in document order, duplicates
    (the same statement in several named graphs) once; and the same by graph, for
    feeds whose members are named graphs."""

    def __init__(self, quads: list[ox.Quad]) -> None:
        self.digest: str | None = None  # of the document's bytes, when read from the web
        self.graphs: dict[Any, dict[Any, dict[tuple[Any, Any], None]]] = {}
        for quad in quads:
            said = self.graphs.setdefault(quad.graph_name, {}).setdefault(quad.subject, {})
            said[(quad.predicate, quad.object)] = None
        if len(self.graphs) <= 1:  # a plain graph: nothing to merge
            self.statements = next(iter(self.graphs.values()), {})
        else:
            self.statements = {}
            for graph in self.graphs.values():
                for subject, said in graph.items():
                    self.statements.setdefault(subject, {}).update(said)

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


def parse_rdf(
    content: bytes,
    url: str,
    media_type: str = "",
    load_context: Callable[[str], Any] | None = None,
) -> Page:
    """Parse an RDF document (named graphs are read as one: their union), leniently:
    see ``rdf_input.read``, which says why a document is refused, and how an IRI or a
    language tag is repaired (what a record's ``split_notes`` tells). Remote JSON-LD
    contexts are fetched with ``load_context``, if given."""
    return Page(read(content, url, media_type, load_context))


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
        # Kept between harvests with the HTTP client's validators (conditional
        # requests): page URL -> its records' guids and hashes and its next links, or
        # for a feed, which member store (``config["store_dir"]``) is its own.
        self.memory = memory
        self.contexts = ContextLoader(http)  # remote JSON-LD contexts, once a harvest

    def records(self) -> Iterator[Record | RecordError]:
        """Each dataset of the source.

        A document or Hydra collection: each page's datasets in page order. A later
        page may list a dataset again (a newer version) or announce its deletion: the
        harvest keeps the last word on each. A page remembered unchanged gives its
        records without payload: the harvest skips them as unchanged.

        A feed (TREE/LDES pages: the first page has a ``tree:relation`` or members) is
        read whole into its member store first; then each of its datasets is yielded
        once, described across all members, and without payload when that description
        has not changed since the store's last harvest.
        """
        store = self._remembered_store()
        if store is not None:
            yield from self._feed_records(store)
            return
        first = self._load(self.url)
        if first[0] is not None and _is_feed(first[0]):
            yield from self._feed_records(*self._new_store(), first[0])
            return
        for _url, records in self.pages(first):
            yield from records

    def forget(self, guids: set[str]) -> None:
        if self.memory is None:
            return
        store = self._remembered_store()  # a feed: its datasets are remembered there
        if store is not None:
            try:
                store.forget(sorted(guids))
            finally:
                store.close()
        for url, page in list(self.memory.items()):
            if isinstance(page, dict) and any(
                record[0] in guids for record in page.get("records", [])
            ):
                del self.memory[url]

    def pages(self, first: tuple | None = None) -> Iterator[tuple[str, list[Record | RecordError]]]:
        """Each page of a document or Hydra collection and its records (``first``:
        the first page, loaded already)."""

        def read(url: str):
            return self._read_page(url, first if url == self.url else None)

        yield from self._follow([self.url], read)

    def _follow(self, queue: list[str], read, known: Iterable[str] = ()) -> Iterator[tuple]:
        """``read(url)`` of each page from ``queue`` on, following next links once each
        (not into ``known`` pages), up to ``max_pages`` read; (url, what read gave)."""
        max_pages = int(self.config.get("max_pages", MAX_PAGES))
        seen, requested = set(known), 0
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            if requested >= max_pages:
                raise SourceError(f"{self.url}: stopped after {max_pages} pages (max_pages)")
            seen.add(url)
            requested += 1
            result, hydra_next, tree_nodes = read(url)
            yield url, result
            if not self.config.get("follow_pages", True):
                return  # configured to read this document only, not the feed behind it
            # A Hydra "next" page already read is a loop; TREE relations may point back.
            for link in hydra_next:
                if link in seen:
                    raise SourceError(f"{url}: its next page {link} was already read (a loop)")
            links = [*hydra_next, *tree_nodes]
            queue += [link for link in links if link not in seen and link not in queue]

    def _load(self, url: str, conditional: bool | None = None) -> tuple[Page | None, Any]:
        """(the page parsed, None), or (None, what is remembered of it) when the server
        says (ETag, Last-Modified) that it has not changed since the last harvest."""
        remembered = self.memory.get(url) if self.memory is not None else None
        if conditional is None:
            conditional = remembered is not None
        response = self.http.get(url, headers={"Accept": _ACCEPT}, conditional=conditional)
        if response.not_modified and conditional:
            return None, remembered
        # A server without ETags sends the same bytes again: the same records, unparsed.
        digest = hashlib.sha256(response.content).hexdigest()
        if conditional and remembered and remembered.get("digest") == digest:
            return None, remembered
        page = parse_rdf(response.content, response.url, response.media_type, self.contexts)
        if len(page) == 0:
            raise SourceError(f"{url}: no RDF statements in it (is it an RDF document?)")
        page.digest = digest
        return page, None

    def _read_page(
        self, url: str, loaded: tuple | None = None
    ) -> tuple[list[Record | RecordError], list[str], list[str]]:
        """A page's records and next links: parsed, or remembered unchanged."""
        page, remembered = loaded or self._load(url)
        if page is None:
            records = [
                Record(g, None, h, u, m, deleted=d) for g, h, u, m, d in remembered["records"]
            ]
            # Its records that could not be read fail again, with the same reason.
            records += [RecordError(error, guid) for guid, error in remembered.get("errors", [])]
            return records, remembered["hydra_next"], remembered["tree"]
        records = list(self.page_records(page))
        hydra_next, tree_nodes = _next_pages(page)
        if self.memory is not None:
            self.memory[url] = {
                "records": [
                    [r.guid, r.content_hash, r.url, r.modified, r.deleted]
                    for r in records
                    if isinstance(r, Record)
                ],
                "errors": [[r.guid, str(r)] for r in records if isinstance(r, RecordError)],
                "hydra_next": hydra_next,
                "tree": tree_nodes,
                "digest": page.digest,
            }
        return records, hydra_next, tree_nodes

    def page_records(self, page: Page) -> Iterator[Record | RecordError]:
        """The records of one parsed page (and its Delete events)."""
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
        triples = [(str(s), str(p), str(o)) for s, p, o in _describe(page, subject, boundary)]
        return _described(str(subject), triples)

    # -- feeds ------------------------------------------------------------------

    def _store_file(self, directory: Path, store_id: str) -> Path:
        return directory / f"{self._store_prefix()}-{store_id}.sqlite3"

    def _store_prefix(self) -> str:
        return hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:16]

    def _persistent(self) -> Path | None:
        """Where this feed's store is kept between harvests, if it is."""
        directory = self.config.get("store_dir")
        if not directory or self.memory is None or not self.config.get("follow_pages", True):
            return None
        return Path(directory)

    def _remembered_store(self) -> MemberStore | None:
        """The feed's store as the last harvest left it (None: none, or not that one)."""
        directory = self._persistent()
        state = self.memory.get(_FEED_MEMORY) if directory is not None else None
        if not state:
            return None
        path = self._store_file(directory, state["id"])
        return MemberStore.reopen(path, state["id"], state["run"])

    def _new_store(self) -> tuple[MemberStore, tempfile.TemporaryDirectory | None]:
        """A new store, and the temporary directory it is in when it is not kept."""
        directory = self._persistent()
        if directory is not None:
            return new_store(directory, self._store_prefix()), None
        temporary = tempfile.TemporaryDirectory(prefix="wepulse-feed-")
        return new_store(Path(temporary.name), self._store_prefix()), temporary

    def _feed_records(
        self,
        store: MemberStore,
        temporary: tempfile.TemporaryDirectory | None = None,
        first: Page | None = None,
    ) -> Iterator[Record | RecordError]:
        """The feed's pages into the store, then its datasets out of it. A page that
        fails ends the reading: what was read is yielded, then the error raised."""
        error = None
        try:
            try:
                self._read_feed(store, first)
            except SourceError as raised:
                error = raised
            yield from self._joined_records(store)
            run = store.finish()
            if self._persistent() is not None:
                self.memory.clear()  # what page-by-page reading remembered is moot
                self.memory[_FEED_MEMORY] = {"id": store.id, "run": run}
        finally:
            store.close()
            if temporary is not None:
                temporary.cleanup()
        if error is not None:
            raise error

    def _read_feed(self, store: MemberStore, first: Page | None) -> None:
        """Read the pages not read yet, and those that may have changed: the ones
        without a relation to a page read after them (the feed's last page)."""
        known, frontier = store.pages()
        linked_from: dict[str, str] = {}

        def read(url: str) -> tuple[None, list[str], list[str]]:
            new = url not in known
            if url == self.url and first is not None:
                page = first
            else:
                page, _ = self._load(url, conditional=not new)
            if page is None:  # unchanged since it was read: its links are remembered
                hydra_next, tree_nodes = store.links_of(url)
            else:
                hydra_next, tree_nodes = _next_pages(page)
                _store_members(store, url, page)
                store.page_read(url, hydra_next, tree_nodes)
            if new and url in linked_from:  # LDES: a page with a next page is final
                store.immutable(linked_from[url])
            for link in (*hydra_next, *tree_nodes):
                linked_from.setdefault(link, url)
            return None, hydra_next, tree_nodes

        start = frontier if known else [self.url]
        known = set(known)
        for _ in self._follow(list(start), read, known - set(start)):
            pass

    def _joined_records(self, store: MemberStore) -> Iterator[Record | RecordError]:
        """Each dataset of the store: described again (and with a payload if that
        changed its hash) when a member it reaches changed, else as last yielded."""
        for key in store.deleted_now():
            if key.startswith("<"):
                yield Record(key[1:-1], None, "", None, deleted=True)
        affected = store.affected()
        for subject, guid, content_hash, url, modified in store.datasets():
            if affected is not None and subject not in affected and guid is not None:
                yield Record(guid, None, content_hash, url, modified)
                continue
            triples = store.describe(subject)
            if (subject, _TYPE_TEXT, _DATASET_TEXT) not in triples:
                store.gone(subject)  # deleted, or no longer a dataset
                continue
            record = _described(subject, triples)
            if isinstance(record, Record):
                store.described(
                    subject, record.guid, record.content_hash, record.url, record.modified
                )
                if affected is not None and record.content_hash == content_hash:
                    record = dataclasses.replace(record, payload=None)
            yield record

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
        titled = any((dataset.get("title_translated") or {}).values()) or dataset.get("title")
        # A title only in machine translation is a title: it is shown labelled so.
        if not titled and not dataset.get("title_machine_translated"):
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


def _described(root: str, triples: list[Statement]) -> Record | RecordError:
    """The record of dataset ``root`` (an N-Triples term) from its description."""
    triples, repaired, unreadable = split_notes(triples)
    own: dict[str, str] = {}  # the dataset's first value of each predicate
    for subject, predicate, obj in triples:
        if subject == root:
            own.setdefault(predicate, obj)
    if root.startswith("_:"):
        if _IDENTIFIER_TEXT not in own:
            return RecordError("a dcat:Dataset with neither an IRI nor a dct:identifier")
        guid = term_value(own[_IDENTIFIER_TEXT])
    else:
        guid = root[1:-1]
    if unreadable:  # an IRI no repair makes one: this record fails, not its document
        return RecordError("; ".join(unreadable) + ": correct it at the source", guid)
    lines = [f"{s} {p} {o}" for s, p, o in triples]
    if any(s.startswith("_:") or o.startswith("_:") for s, _, o in triples):
        canonical = _canonical_lines(triples)
    else:  # no blank nodes: the lines are their own canonical form
        canonical = sorted(lines)
    landing = own.get(_LANDING_PAGE_TEXT)
    modified = own.get(_MODIFIED_TEXT)
    return Record(
        guid=guid,
        payload="".join(f"{line} .\n" for line in lines),
        content_hash=hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest(),
        url=term_value(landing) if landing else (guid if guid.startswith("http") else None),
        modified=term_value(modified) if modified else None,
        notes=tuple(repaired),
    )


# -- feeds: members into the store ------------------------------------------------


def _is_feed(page: Page) -> bool:
    """A TREE/LDES page: relations to other pages, members, or typed so."""
    return any(page.objects_of(p) for p in (TREE_RELATION, TREE_MEMBER)) or any(
        page.subjects(kind) for kind in (TREE_NODE_TYPE, EVENT_STREAM)
    )


def _store_members(store: MemberStore, url: str, page: Page) -> None:
    """Each member of a feed page into the store, as the latest version of its entity
    unless a newer one is known. Blank-node labels are scoped to the page."""
    scope = f"p{store.page_scope(url)}x"
    read = store.next_read()

    def text(term: Any) -> str:
        return f"_:{scope}{term.value}" if isinstance(term, ox.BlankNode) else str(term)

    for position, (entity, published, statements) in enumerate(_members(page), start=1):
        key = text(entity) if entity is not None else f"page {url}"
        version = (published, read, position)
        if statements is None:
            store.delete(key, version)
            continue
        triples = [(text(s), str(p), text(o)) for s, p, o in statements]
        digest = hashlib.sha256("\n".join(_canonical_lines(triples)).encode("utf-8"))
        store.put(key, version, digest.hexdigest(), triples)


def _members(page: Page) -> Iterator[tuple[Any, str, list[tuple] | None]]:
    """(entity, published, its statements or None if deleted) of each member, in page
    order. A named graph is the member its event names (``as:object``), else of its
    own; in the default graph, each IRI with its blank nodes is a member of its own,
    and the rest one of the page's (entity None). The feed's own machinery (events,
    relations, the node and the stream) is no member."""
    events: dict[Any, tuple[Any, str, bool]] = {}
    machinery = set()
    for subject, said in page.statements.items():
        kinds = {o for p, o in said if p == TYPE}
        if kinds & {TREE_NODE_TYPE, EVENT_STREAM} or any(p in _FEED_LINKS for p, _ in said):
            machinery.add(subject)
        target = next((o for p, o in said if p == ACTIVITY_OBJECT), None)
        if target is not None:
            machinery.add(subject)
            published = next(
                (o.value for p, o in said if p == PUBLISHED and isinstance(o, ox.Literal)), ""
            )
            events[subject] = (target, published, DELETE in kinds)
    for graph, said in page.graphs.items():
        if isinstance(graph, ox.DefaultGraph):
            yield from _default_graph_members(said, machinery)
        else:
            entity, published, _ = events.get(graph, (graph, "", False))
            yield entity, published, [(s, p, o) for s, st in said.items() for p, o in st]
    for entity, published, deleted in events.values():
        if deleted:
            yield entity, published, None


def _default_graph_members(said: dict, machinery: set) -> Iterator[tuple[Any, str, list]]:
    claimed = set()
    for subject in said:
        if isinstance(subject, ox.BlankNode) or subject in machinery:
            continue
        statements, todo = [], [subject]
        claimed.add(subject)
        while todo:
            node = todo.pop()
            for predicate, obj in said.get(node, ()):
                statements.append((node, predicate, obj))
                if isinstance(obj, ox.BlankNode) and obj not in claimed and obj not in machinery:
                    claimed.add(obj)
                    todo.append(obj)
        yield subject, "", statements
    rest = [
        (s, p, o)
        for s, st in said.items()
        if s not in claimed and s not in machinery
        for p, o in st
    ]
    if rest:
        yield None, "", rest


def _canonical_lines(triples: list[Statement]) -> list[str]:
    """Sorted N-Triples lines of a description (N-Triples terms), each blank node
    written as a hash of what it says (recursively), so the same content always gives
    the same lines whatever labels the parser gave its blank nodes."""
    by_subject: dict[str, list[Statement]] = {}
    for triple in triples:
        by_subject.setdefault(triple[0], []).append(triple)
    labels: dict[str, str] = {}

    def term(node: str, path: frozenset) -> str:
        if not node.startswith("_:"):
            return node
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
    """Join split literals and correct language tags of titles, descriptions and keywords.

    Machine translations keep a tag of their own (``nl-t-fr``, see
    ``language.machine_translations``): they are never taken for originals.
    """
    for subject in set(graph.subjects(RDF.type, DCAT.Dataset)) | set(
        graph.subjects(RDF.type, DCAT.Distribution)
    ):
        for predicate in _TEXTS:
            literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
            if not literals:
                continue
            pairs = [(str(o), o.language) for o in literals]
            fixed = language.translations(pairs, default)
            machine = language.machine_translations(pairs, fixed)
            graph.remove((subject, predicate, None))
            for lang, text in fixed.items():
                graph.add((subject, predicate, Literal(text, lang=lang)))
            for lang, translation in machine.items():
                tag = language.machine_translation_tag(lang, translation["from"])
                graph.add((subject, predicate, Literal(translation["text"], lang=tag)))
        keywords = [o for o in graph.objects(subject, DCAT.keyword) if isinstance(o, Literal)]
        if keywords:
            pairs = [(str(o), o.language) for o in keywords]
            fixed_keywords = language.keywords(pairs, default)
            graph.remove((subject, DCAT.keyword, None))
            for lang, words in fixed_keywords.items():
                for word in words:
                    graph.add((subject, DCAT.keyword, Literal(word, lang=lang)))
            for keyword in keywords:  # machine-translated keywords stay as they are
                if language.translated_from(keyword.language) is not None:
                    graph.add((subject, DCAT.keyword, keyword))
