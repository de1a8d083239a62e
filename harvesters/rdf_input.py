"""RDF documents as sources publish them: read leniently, repaired where they can be,
and named for what they are when they are no RDF at all.

- **The format**: the declared media type is believed unless the body plainly says
  otherwise (JSON served as XML, Turtle served as text/plain…).
- **What is not RDF** gets a message that says what it is and what to do: an empty
  answer, an HTML page, a CSW answer or an ISO 19139 record (the geoportal source
  type's), an OGC exception report (with what the server said), JSON that is no
  JSON-LD (a CKAN or Opendatasoft API answer…).
- **One bad IRI costs at most its own record.** Oxigraph's strict parsers stop at the
  first invalid IRI or language tag, so a document they refuse is read again with
  ``lenient=True``, which skips those checks (not the syntax). Every IRI is then
  checked: spaces and other characters no IRI may hold are percent-encoded (a
  telephone number's spaces dropped), and one that no repair makes an IRI is
  ``unreadable``: the record holding it fails alone, naming it. A language tag that
  is none (``fr_BE``) is read as ``fr-be``, or the text as untagged.
  JSON-LD is always read leniently: strictly, a node with an invalid ``@id`` silently
  disappears. An IRI that Oxigraph takes but rdflib's N-Triples parser does not (a
  no-break space in it) is encoded too, since each record is parsed again by rdflib.
- **RDF/XML** that nests several node elements in one property element (FAVV's
  catalogue) is read as if each had its own, and one in another encoding than UTF-8
  is read once converted.
- **JSON-LD remote contexts**: Oxigraph does not fetch them; ``ContextLoader`` does,
  through the harvest's safe HTTP client, each context once per harvest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin
from xml.etree import ElementTree
from xml.parsers import expat

import pyoxigraph as ox

from harvesters.base import SourceError
from harvesters.safe_xml import refuse_dtd

__all__ = ["REPAIRED", "UNREADABLE", "ContextLoader", "read", "split_notes", "term_value"]

# Media types and file extensions -> the parser's format.
FORMATS = {
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
EXTENSIONS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NT = ox.RdfFormat.N_TRIPLES
#: An XML start tag with an attribute (a root element declares its namespaces), an
#: XML declaration or comment: never the start of Turtle, whose IRIs hold no spaces.
_XML_START = re.compile(rb"<(\?xml|!--|!DOCTYPE|[A-Za-z_][\w.-]*(:[\w.-]+)?\s+[\w.:-]+\s*=)")
_HTML_START = re.compile(
    rb"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"
#: Text no IRI may hold, percent-encoded by the repair: every kind of space (rdflib's
#: N-Triples parser stops at those Oxigraph takes, U+00A0 for one), controls,
#: non-characters and the ASCII characters RFC 3987 leaves out.
_NOT_IN_IRI = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]')
_SPACE = re.compile(r"\s")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME_AND_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(//[^/?#]*)?")
#: The spaces Oxigraph takes in an IRI and rdflib does not (U+00A0…) in UTF-8, and
#: the escapes that could write one (Turtle's, XML's).
_UNUSUAL_SPACE = re.compile(
    rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80|\\[uU]|&#"
)
#: The most remote JSON-LD contexts one harvest fetches, and their largest size.
MAX_CONTEXTS = 10
MAX_CONTEXT_BYTES = 2 * 2**20


#: What the reading says about a statement it repaired, or holds an IRI it could not
#: repair: a statement about that statement's subject, so that it stays with the
#: record (or feed member) the subject belongs to, until ``split_notes`` takes it out.
REPAIRED = ox.NamedNode("urn:wepulse:harvest:repaired")
UNREADABLE = ox.NamedNode("urn:wepulse:harvest:unreadable")
_NOTES = {str(REPAIRED): "repaired", str(UNREADABLE): "unreadable"}


def split_notes(
    triples: list[tuple[str, str, str]],
) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    """A record's N-Triples statements without the reading's notes; and the notes:
    what was repaired (the record is kept, with a warning), and why it cannot be read
    (it fails)."""
    if not any(triple[1] in _NOTES for triple in triples):
        return triples, [], []
    kept, notes = [], {"repaired": [], "unreadable": []}
    for triple in triples:
        kind = _NOTES.get(triple[1])
        if kind is None:
            kept.append(triple)
        else:
            notes[kind].append(term_value(triple[2]))
    return kept, sorted(set(notes["repaired"])), sorted(set(notes["unreadable"]))


def term_value(term: str) -> str:
    """The value of an N-Triples term: an IRI's, a literal's lexical form."""
    if term.startswith("<"):
        return term[1:-1]
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {term} .", format=_NT)))
    return triple.object.value


def read(
    content: bytes,
    url: str,
    media_type: str = "",
    load_context: Callable[[str], Any] | None = None,
) -> list[ox.Quad]:
    """The document's statements, repaired, with notes on what was (``REPAIRED``,
    ``UNREADABLE``).

    Raises ``SourceError`` naming the URL: what the document is when it is no RDF,
    else the format tried and the parser's reason. RDF/XML that declares a DTD is
    refused (``safe_xml``). ``load_context(url)`` gives a remote JSON-LD context.
    """
    head = content[:65536].lstrip(_BOM_AND_SPACE)
    if not head and not content.strip(_BOM_AND_SPACE):
        raise SourceError(f"{url}: the server sent an empty answer, not a DCAT document")
    if _HTML_START.match(head):
        raise SourceError(_html_message(content, url))
    fmt = sniff(content) or FORMATS.get(media_type) or by_extension(url) or ox.RdfFormat.TURTLE
    base = url if "://" in url else None  # relative IRIs resolve against the page
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_dtd(content, url)
        if message := _other_xml(content, url):
            raise SourceError(message)
    if fmt == ox.RdfFormat.JSON_LD:
        quads = _checked(_json_ld(content, url, base, load_context), fmt, every_iri=True)
        if not quads and (message := _json_message(content, url)):
            raise SourceError(message)
        return quads
    try:  # strictly first: the fast way, and all but a few documents pass
        quads = list(ox.parse(content, format=fmt, base_iri=base))
    except (SyntaxError, ValueError, OSError):
        return _checked(_leniently(content, fmt, base, url), fmt, every_iri=True)
    if _space_in_a_tag(content):  # valid IRIs, but one of them may stop rdflib
        return _checked(quads, fmt, every_iri=False)
    return quads


def _space_in_a_tag(content: bytes) -> bool:
    """Whether an unusual space (or an escape) is between a "<" and its ">": in a
    Turtle-like document's IRI, an RDF/XML tag's attributes (or, now and then, in
    a text that holds a "<", which costs a closer look and nothing else)."""
    for match in _UNUSUAL_SPACE.finditer(content):
        start, end = max(0, match.start() - 4096), match.start()
        if content.rfind(b"<", start, end) > content.rfind(b">", start, end):
            return True
    return False


def sniff(content: bytes) -> ox.RdfFormat | None:
    head = content[:65536].lstrip(_BOM_AND_SPACE)[:200]
    # "[" also opens a Turtle blank node: JSON only when an object or "]" follows.
    if head.startswith(b"{") or (head.startswith(b"[") and head[1:].lstrip()[:1] in (b"{", b"]")):
        return ox.RdfFormat.JSON_LD
    if head.startswith(b"<rdf:RDF") or _XML_START.match(head):
        return ox.RdfFormat.RDF_XML
    return None


def by_extension(url: str) -> ox.RdfFormat | None:
    path = url.split("?")[0].lower()
    return next((fmt for ext, fmt in EXTENSIONS.items() if path.endswith(ext)), None)


def _parse(content: bytes | str, fmt: ox.RdfFormat, base: str | None, url: str) -> list[ox.Quad]:
    try:
        return list(ox.parse(content, format=fmt, base_iri=base, lenient=True))
    except (SyntaxError, ValueError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SourceError(f"{url}: not valid {fmt.name}: {reason}") from None


def _leniently(content: bytes, fmt: ox.RdfFormat, base: str | None, url: str) -> list[ox.Quad]:
    """The quads of a document the strict parser refused; RDF/XML rewritten if need be."""
    try:
        return _parse(content, fmt, base, url)
    except SourceError as error:
        refused = error
    rewritten = _rewritten_rdf_xml(content) if fmt == ox.RdfFormat.RDF_XML else None
    if rewritten is not None:
        try:
            return _parse(rewritten, fmt, base, url)
        except SourceError:
            pass
    raise refused  # the document's own error, not the rewritten one's


# -- checking and repairing terms ---------------------------------------------------


#: None if a term is fine, else (it repaired, how it was, why it cannot be repaired).
Change = tuple[Any, str | None, str | None] | None


def _checked(quads: list[ox.Quad], fmt: ox.RdfFormat, every_iri: bool) -> list[ox.Quad]:
    """The quads with their IRIs and language tags repaired where they need it, each
    repair (and each IRI that cannot be) noted.

    ``every_iri``: check each IRI (after a lenient reading); else only look for the
    spaces rdflib refuses (after a strict one). In JSON-LD, a key its context does
    not define reads as a relative IRI when lenient: JSON-LD drops it, so do we.
    """
    checked: list[ox.Quad] = []
    fixed: dict[Any, Change] = {}

    def term(node: Any) -> Change:
        if node not in fixed:
            if isinstance(node, ox.NamedNode):
                fixed[node] = _checked_iri(node, every_iri)
            elif isinstance(node, ox.Literal):
                fixed[node] = _checked_literal(node, every_iri)
            else:
                fixed[node] = None
        return fixed[node]

    for quad in quads:
        if fmt == ox.RdfFormat.JSON_LD and ":" not in quad.predicate.value:
            continue
        said = (quad.subject, quad.predicate, quad.object, quad.graph_name)
        changes = [term(node) for node in said]
        if not any(changes):
            checked.append(quad)
            continue
        parts = [
            old if change is None else change[0] for old, change in zip(said, changes, strict=True)
        ]
        checked.append(ox.Quad(*parts))
        for _, repaired, unreadable in filter(None, changes):
            if repaired:
                checked.append(ox.Quad(parts[0], REPAIRED, ox.Literal(repaired), parts[3]))
            if unreadable:
                checked.append(ox.Quad(parts[0], UNREADABLE, ox.Literal(unreadable), parts[3]))
    return checked


def _checked_iri(node: ox.NamedNode, every_iri: bool) -> Change:
    problem = _iri_problem(node.value, every_iri)
    if problem is None:
        return None
    repaired = repaired_iri(node.value)
    if repaired is None:
        return node, None, f"<{_short(node.value)}> is not an IRI ({problem})"
    return ox.NamedNode(repaired), f"<{node.value}> read as <{repaired}>", None


def is_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI as the strict parsers check it."""
    return _iri_problem(value, every_iri=True) is None


def _iri_problem(value: str, every_iri: bool) -> str | None:
    if every_iri:
        try:
            ox.NamedNode(value)  # the strict parsers' check
        except ValueError as error:
            return str(error)
    return "a space in it" if _SPACE.search(value) else None


def _checked_literal(node: ox.Literal, every_iri: bool) -> Change:
    value, language = node.value, node.language
    if language is None:
        change = _checked_iri(node.datatype, every_iri)
        if change is None:
            return None
        datatype, repaired, unreadable = change
        return ox.Literal(value, datatype=datatype), repaired, unreadable
    if language == "":  # xml:lang="" is RDF/XML's "no language" (lenient reads it so)
        return ox.Literal(value), None, None
    if not every_iri or _is_language(language):
        return None
    tag = repaired_language(language)
    fixed = ox.Literal(value, language=tag) if tag else ox.Literal(value)
    return fixed, f'"{_short(value, 60)}"@{language} read as {fixed}', None


def _is_language(tag: str) -> bool:
    try:
        ox.Literal("", language=tag)
    except ValueError:
        return False
    return True


def repaired_iri(value: str) -> str | None:
    """The IRI ``value`` was meant to be, or None when no repair makes it one.

    Spaces and what no IRI may hold are percent-encoded (``tel:`` numbers lose their
    spaces instead: RFC 3966 separates digits with "-" or "."), a ``%`` that starts
    no percent-encoding is written ``%25``, and so are brackets after the host and a
    second ``#``. A value without a scheme, or with a broken host or port, stays broken.
    """
    text = value.strip()
    if text[:4].lower() == "tel:":
        text = "tel:" + "".join(text[4:].split())
    head = _SCHEME_AND_AUTHORITY.match(text)
    start = head.end() if head else 0
    rest = text[start:].replace("[", "%5B").replace("]", "%5D")
    first_hash = rest.find("#")
    if first_hash >= 0:
        rest = rest[: first_hash + 1] + rest[first_hash + 1 :].replace("#", "%23")
    text = _LONE_PERCENT.sub("%25", text[:start] + rest)
    text = _NOT_IN_IRI.sub(lambda match: quote(match.group(), safe=""), text)
    try:
        ox.NamedNode(text)
    except ValueError:
        return None
    return text


def repaired_language(tag: str) -> str | None:
    """A language tag written with "_" (``fr_BE``) as BCP 47 writes it; None if it is
    still none (``toolonglanguagetag``): the text is then read as untagged."""
    tag = tag.strip().replace("_", "-")
    return ox.Literal("", language=tag).language if _is_language(tag) else None


def _short(text: str, length: int = 200) -> str:
    return text if len(text) <= length else text[:length] + "…"


# -- RDF/XML: one node element per property element, in UTF-8 ------------------------


def _rewritten_rdf_xml(content: bytes) -> bytes | None:
    """The document in UTF-8 with each property element that holds several node
    elements (which RDF/XML does not allow: FAVV writes its three datasets in one
    ``dcat:dataset``) repeated for each; None if it is no well-formed XML. The DTD
    check has run: ElementTree expands no entity here."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return None
    nodes = list(root) if root.tag == f"{{{RDF_NS}}}RDF" else [root]
    for node in nodes:
        _one_node_per_property(node)
    return ElementTree.tostring(root, encoding="utf-8")


def _one_node_per_property(node: ElementTree.Element) -> None:
    for index, prop in reversed(list(enumerate(node))):
        parse_type = prop.get(f"{{{RDF_NS}}}parseType")
        if parse_type == "Resource":  # its children are properties
            _one_node_per_property(prop)
            continue
        if parse_type is not None:  # a literal or a collection: as written
            continue
        children = list(prop)
        for child in children:
            _one_node_per_property(child)
        if len(children) > 1:
            node.remove(prop)
            for offset, child in enumerate(children):
                single = ElementTree.Element(prop.tag, prop.attrib)
                single.append(child)
                single.tail = prop.tail
                node.insert(index + offset, single)


# -- JSON-LD ------------------------------------------------------------------------


def _json_ld(
    content: bytes, url: str, base: str | None, load_context: Callable[[str], Any] | None
) -> list[ox.Quad]:
    try:
        return _parse(content, ox.RdfFormat.JSON_LD, base, url)
    except SourceError as error:
        refused = error
    try:
        document = json.loads(content)
    except ValueError:
        raise refused from None
    remote = _remote_contexts(document)
    if not remote:
        raise refused
    if load_context is None:
        raise SourceError(
            f"{url}: its JSON-LD @context is another document ({remote[0]}), which the "
            "portal does not fetch here: publish the context inline, or the catalogue "
            "in Turtle or RDF/XML"
        )
    inlined = _inlined(document, load_context, url)
    return _parse(json.dumps(inlined), ox.RdfFormat.JSON_LD, base, url)


def _remote_contexts(value: Any) -> list[str]:
    """The URLs of the remote contexts anywhere in a JSON-LD document or context."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "@context":
                contexts = inner if isinstance(inner, list) else [inner]
                found += [c for c in contexts if isinstance(c, str)]
            found += _remote_contexts(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _remote_contexts(inner)
    return list(dict.fromkeys(found))


def _inlined(value: Any, load_context: Callable[[str], Any], url: str, depth: int = 0) -> Any:
    """The document with each remote context replaced by what it defines (contexts
    that name contexts too, up to a few levels)."""
    if depth > 4:
        raise SourceError(f"{url}: its JSON-LD contexts name contexts more than 4 levels deep")
    if isinstance(value, list):
        return [_inlined(inner, load_context, url, depth) for inner in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, inner in value.items():
        if key == "@context":
            contexts = inner if isinstance(inner, list) else [inner]
            loaded = [
                _inlined(_loaded(load_context, urljoin(url, c), url), load_context, url, depth + 1)
                if isinstance(c, str)
                else _inlined(c, load_context, url, depth)
                for c in contexts
            ]
            result[key] = loaded if isinstance(inner, list) else loaded[0]
        else:
            result[key] = _inlined(inner, load_context, url, depth)
    return result


def _loaded(load_context: Callable[[str], Any], context: str, url: str) -> Any:
    try:
        return load_context(context)
    except SourceError as error:
        raise SourceError(f"{url}: its JSON-LD @context cannot be read: {error}") from None


class ContextLoader:
    """Remote JSON-LD contexts through the harvest's HTTP client (its SSRF guard, size
    cap and timeouts), each fetched once per harvest, at most ``MAX_CONTEXTS``."""

    def __init__(self, http: Any) -> None:
        self.http = http
        self.loaded: dict[str, Any] = {}

    def __call__(self, url: str) -> Any:
        if url not in self.loaded:
            if len(self.loaded) >= MAX_CONTEXTS:
                raise SourceError(f"{url}: more than {MAX_CONTEXTS} JSON-LD contexts to fetch")
            response = self.http.get(url, headers={"Accept": "application/ld+json, */*;q=0.1"})
            if len(response.content) > MAX_CONTEXT_BYTES:
                raise SourceError(f"{url}: a JSON-LD context larger than 2 MB")
            try:
                document = json.loads(response.content)
            except ValueError as error:
                raise SourceError(f"{url}: the JSON-LD context is not JSON ({error})") from None
            if not isinstance(document, dict) or "@context" not in document:
                raise SourceError(f"{url}: not a JSON-LD context (no @context in it)")
            self.loaded[url] = document["@context"]
        return self.loaded[url]


def _json_message(content: bytes, url: str) -> str | None:
    """What a JSON document without a single statement is, if it is no JSON-LD."""
    try:
        document = json.loads(content)
    except ValueError:
        return None
    if _json_ld_keys(document):
        return None  # JSON-LD that says nothing: the caller says so
    portal = url.split("/api/")[0] if "/api/" in url else None
    if isinstance(document, dict) and {"success", "result"} <= document.keys():
        where = portal or "the portal's address"
        return (
            f"{url}: a CKAN API answer, not a DCAT document: harvest {where} with the CKAN "
            "source type (or, if the portal has ckanext-dcat, its catalogue "
            f"{portal or '…'}/catalog.ttl with this one)"
        )
    if isinstance(document, dict) and (
        {"nhits", "datasets"} <= document.keys() or {"total_count", "results"} <= document.keys()
    ):
        return (
            f"{url}: an Opendatasoft API answer, not a DCAT document: harvest "
            f"{portal or 'the portal address'} with the Opendatasoft source type"
        )
    return (
        f"{url}: JSON but not JSON-LD (no @context: none of its keys names an RDF "
        "property), so no DCAT can be read from it. Give the address of the catalogue "
        "in DCAT: JSON-LD with its @context, Turtle or RDF/XML"
    )


def _json_ld_keys(value: Any, depth: int = 0) -> bool:
    """Whether a JSON value has a key only JSON-LD has: "@context", "@id", an IRI."""
    if depth > 3:
        return False
    if isinstance(value, list):
        return any(_json_ld_keys(inner, depth + 1) for inner in value[:20])
    if isinstance(value, dict):
        return any(key.startswith("@") or "://" in key for key in value) or any(
            _json_ld_keys(inner, depth + 1) for inner in list(value.values())[:50]
        )
    return False


# -- HTML and XML that is no RDF ----------------------------------------------------


class _AlternateLinks(HTMLParser):
    """The RDF alternates an HTML page names (``<link rel="alternate" type=…>``)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        rels = named.get("rel", "").lower().split()
        if tag == "link" and "alternate" in rels and named.get("type", "") in FORMATS:
            if named.get("href"):
                self.found.append(named["href"])


def _html_message(content: bytes, url: str) -> str:
    parser = _AlternateLinks()
    parser.feed(content[: 256 * 1024].decode("utf-8", errors="replace"))
    found = [urljoin(url, href) for href in dict.fromkeys(parser.found)]
    hint = f" The page names one: {found[0]}" if found else ""
    return (
        f"{url}: a web page (HTML), not a DCAT document: give the address of the "
        f"catalogue's DCAT feed or file (Turtle, RDF/XML or JSON-LD).{hint}"
    )


_CSW = ("http://www.opengis.net/cat/csw/2.0.2", "http://www.opengis.net/cat/csw/3.0")
_ISO_19139 = (
    "http://www.isotc211.org/2005/gmd",
    "http://www.isotc211.org/2005/gmi",
    "http://www.geocat.ch/2008/che",
)
_ISO_19115_3 = "http://standards.iso.org/iso/19115/-3/"
_EXCEPTION_REPORTS = {
    ("http://www.opengis.net/ows", "ExceptionReport"),
    ("http://www.opengis.net/ows/1.1", "ExceptionReport"),
    ("http://www.opengis.net/ows/2.0", "ExceptionReport"),
    ("http://www.opengis.net/ogc", "ServiceExceptionReport"),
    ("", "ServiceExceptionReport"),
}
_GEOPORTAL = (
    "a geoportal is harvested by the CSW source type (wepulse_csw): give its CSW "
    "address, e.g. https://geoportail.example/geonetwork/srv/fre/csw"
)


def _other_xml(content: bytes, url: str) -> str | None:
    """What an XML document is when its root says it is no RDF, else None."""
    root = _XmlRoot.read(content)
    if root is None:
        return None
    namespace, name = root.namespace, root.name
    if namespace in _CSW:
        return f"{url}: a CSW (catalogue service) answer, csw:{name}, not RDF: {_GEOPORTAL}"
    if namespace in _ISO_19139:
        return f"{url}: an ISO 19139 metadata record ({name}), not RDF: {_GEOPORTAL}"
    if namespace.startswith(_ISO_19115_3):
        return (
            f"{url}: an ISO 19115-3 metadata record ({name}), not RDF: like ISO 19139, "
            "it is for the geoportal source type, which is not available yet"
        )
    if (namespace, name) in _EXCEPTION_REPORTS:
        said = root.exception or "no reason given"
        return (
            f"{url}: the server answered with an error report instead of a catalogue: "
            f"“{said}”. Check the address and its parameters with the server's manager"
        )
    return None


class _XmlRoot:
    """An XML document's root element, and an OGC exception report's text, read by
    expat (after ``refuse_dtd``: nothing is expanded)."""

    def __init__(self) -> None:
        self.namespace = self.name = ""
        self.exception = ""
        self._texts: list[str] = []
        self._in_text = False

    @classmethod
    def read(cls, content: bytes) -> _XmlRoot | None:
        root = cls()
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = root._start
        parser.EndElementHandler = root._end
        parser.CharacterDataHandler = root._text
        try:
            parser.Parse(content[: 256 * 1024], False)
        except (expat.ExpatError, _Done):
            pass
        if not root.name:
            return None
        root.exception = " ".join(" ".join(root._texts).split())[:500]
        return root

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, name = tag.rpartition(" ")
        if not self.name:
            self.namespace, self.name = namespace, name
            if (namespace, name) not in _EXCEPTION_REPORTS:
                raise _Done  # the root is all that is wanted
        elif name in ("ExceptionText", "ServiceException"):
            self._in_text = True

    def _end(self, tag: str) -> None:
        self._in_text = False

    def _text(self, data: str) -> None:
        if self._in_text:
            self._texts.append(data)


class _Done(Exception):
    """Stops expat once it has read what was wanted."""
