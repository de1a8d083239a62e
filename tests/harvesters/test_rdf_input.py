"""Reading RDF as sources write it (``harvesters.rdf_input``): what Oxigraph's lenient
mode takes and still refuses, how IRIs and language tags are repaired and noted,
and the message for each document that is no RDF (real files from the corpus)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph

from harvesters import rdf_input
from harvesters.base import SourceError
from harvesters.rdf_input import REPAIRED, UNREADABLE, ContextLoader, read, split_notes

URL = "https://opendata.example.be/catalogue.ttl"
S, P = "<http://ex.org/s>", "<http://ex.org/p>"


def object_of(turtle: str, lenient: bool) -> str:
    quads = list(ox.parse(f"{S} {P} {turtle} .".encode(), format=ox.RdfFormat.TURTLE,
                          base_iri="http://ex.org/page.ttl", lenient=lenient))  # fmt: skip
    return str(quads[0].object)


def notes(quads: list[ox.Quad], kind: ox.NamedNode) -> list[str]:
    return [q.object.value for q in quads if q.predicate == kind]


def as_n_triples(quads: list[ox.Quad]) -> str:
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


# -- Oxigraph 0.5's lenient mode: what it takes, what it still refuses -----------------

# (what the source wrote, as lenient Turtle reads it); every one of them is refused
# by the strict parser.
LENIENT_TAKES = [
    ("<http://ex.org/Versements anticipes.xlsx>", "<http://ex.org/Versements anticipes.xlsx>"),
    ("<tel:+49 40 4 28 40 - 3494>", "<tel:+49 40 4 28 40 - 3494>"),
    ('<http://ex.org/a"b{c}|d^e`f<g>', '<http://ex.org/a"b{c}|d^e`f<g>'),
    ("<http://ex.org/%zz>", "<http://ex.org/%zz>"),
    ("<http://ex.org:port/x>", "<http://ex.org:port/x>"),
    ("<http://ex.org/a\\u0020b>", "<http://ex.org/a b>"),
    ('"x"^^<http://ex.org/my type>', '"x"^^<http://ex.org/my type>'),
    ('"x"@toolonglanguagetag', '"x"@toolonglanguagetag'),
]  # fmt: skip
# Syntax stays checked: these fail leniently too.
LENIENT_REFUSES = [
    "<http://ex.org/a\\b>",  # an escape Turtle does not have
    '"x"@fr_BE',  # "_" ends the tag: what follows is no Turtle
    '"x"@1fr',
    "ex:undeclared",
]


@pytest.mark.parametrize(("written", "read_as"), LENIENT_TAKES)
def test_what_oxigraph_reads_leniently_and_refuses_strictly(written, read_as):
    assert object_of(written, lenient=True) == read_as
    with pytest.raises(SyntaxError):
        object_of(written, lenient=False)


@pytest.mark.parametrize("written", LENIENT_REFUSES)
def test_what_oxigraph_refuses_even_leniently(written):
    with pytest.raises(SyntaxError):
        object_of(written, lenient=True)


def test_oxigraph_takes_a_no_break_space_in_an_iri_that_rdflib_refuses():
    """Why IRIs are looked at even after a strict reading succeeded."""
    iri = "<http://ex.org/a\u00a0b>"
    assert object_of(iri, lenient=False) == iri
    with pytest.raises(Exception, match="Invalid line"):
        Graph().parse(data=f"{S} {P} {iri} .\n", format="nt")


# -- repairs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "repaired"),
    [
        ("http://ex.org/Versements anticipes-2024.xlsx", "http://ex.org/Versements%20anticipes-2024.xlsx"),
        (" http://ex.org/a \n", "http://ex.org/a"),
        ("tel:+49 40 4 28 40 - 3494", "tel:+494042840-3494"),
        ("http://ex.org/%zz/100%", "http://ex.org/%25zz/100%25"),
        ("http://ex.org/a%20b", "http://ex.org/a%20b"),
        ('http://ex.org/a"b<c>{d}|e^f`g\\h', "http://ex.org/a%22b%3Cc%3E%7Bd%7D%7Ce%5Ef%60g%5Ch"),
        ("http://ex.org/list[1]?q=[2]#a#b", "http://ex.org/list%5B1%5D?q=%5B2%5D#a%23b"),
        ("http://[::1]:8080/a b", "http://[::1]:8080/a%20b"),
        ("http://ex.org/a\u00a0b\u2028c", "http://ex.org/a%C2%A0b%E2%80%A8c"),
        ("http://ex.org/écoles", "http://ex.org/écoles"),
    ],
)  # fmt: skip
def test_an_iri_is_repaired_as_a_browser_would_send_it(written, repaired):
    assert rdf_input.repaired_iri(written) == repaired
    ox.NamedNode(repaired)  # a valid IRI


@pytest.mark.parametrize(
    "written", ["www.example.be/data", "http://ex.org:port/x", "http://[::1/x", "", "a b"]
)
def test_what_no_repair_makes_an_iri(written):
    assert rdf_input.repaired_iri(written) is None


@pytest.mark.parametrize(
    ("tag", "repaired"), [("fr_BE", "fr-be"), ("nl_be ", "nl-be"), ("toolonglanguagetag", None)]
)
def test_a_language_tag_is_repaired_or_dropped(tag, repaired):
    assert rdf_input.repaired_language(tag) == repaired


def test_a_document_with_an_iri_with_spaces_is_read_with_it_repaired_and_noted():
    body = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
<http://ex.org/ds/1> a dcat:Dataset ;
    dcat:distribution <http://ex.org/files/Versements anticipes-2024.xlsx> .
<http://ex.org/ds/2> a dcat:Dataset ; dcat:landingPage <http://ex.org:port/arbres> .
<http://ex.org/ds/3> a dcat:Dataset ; {P} "2020"^^<http://ex.org/my type> .
""".encode()
    quads = read(body, URL, "text/turtle")
    subjects = {q.subject.value: q.subject for q in quads}
    assert "http://ex.org/files/Versements%20anticipes-2024.xlsx" in [
        q.object.value for q in quads if q.subject == subjects["http://ex.org/ds/1"]
    ]
    assert notes(quads, REPAIRED) == [
        "<http://ex.org/files/Versements anticipes-2024.xlsx> read as "
        "<http://ex.org/files/Versements%20anticipes-2024.xlsx>",
        "<http://ex.org/my type> read as <http://ex.org/my%20type>",
    ]
    # Kept as written, noted about the dataset that says it.
    [unreadable] = [q for q in quads if q.predicate == UNREADABLE]
    assert unreadable.subject.value == "http://ex.org/ds/2"
    assert unreadable.object.value == (
        "<http://ex.org:port/arbres> is not an IRI (Invalid character 'p')"
    )
    repaired = [q for q in quads if UNREADABLE not in (q.predicate,) and "port" not in str(q)]
    assert len(Graph().parse(data=as_n_triples(repaired), format="nt")) == len(repaired)


def test_split_notes_takes_the_notes_out_of_a_records_statements():
    triples = [
        (S, P, '"x"'),
        (S, str(REPAIRED), '"<a b> read as <a%20b>"'),
        (S, str(UNREADABLE), '"<http://ex.org:port/> is not an IRI (\\"p\\")"'),
    ]
    assert split_notes(triples) == (
        [(S, P, '"x"')],
        ["<a b> read as <a%20b>"],
        ['<http://ex.org:port/> is not an IRI ("p")'],
    )
    assert split_notes(triples[:1]) == (triples[:1], [], [])


def test_a_valid_document_is_read_strictly_and_untouched(corpus):
    """data.gov.be writes no-break spaces in its texts, none in an IRI."""
    body = (corpus / "belgium" / "data.gov.be" / "ldes_page_120.trig").read_bytes()
    assert "\u00a0".encode() in body
    quads = read(body, "https://fedict.github.io/dcat/root/x/index.trig", "application/trig")
    assert len(quads) == 4744
    assert not notes(quads, REPAIRED) and not notes(quads, UNREADABLE)


def test_an_iri_with_a_no_break_space_is_encoded_after_a_strict_reading():
    body = f'<http://ex.org/a\u00a0b> {P} "caf\u00e9\u00a0cr\u00e8me" .'.encode()
    quads = read(body, URL, "text/turtle")
    assert quads[0].subject.value == "http://ex.org/a%C2%A0b"
    assert quads[0].object.value == "caf\u00e9\u00a0cr\u00e8me"  # texts keep theirs
    assert notes(quads, REPAIRED) == ["<http://ex.org/a\u00a0b> read as <http://ex.org/a%C2%A0b>"]


def test_govdata_telephone_iri_with_spaces(corpus):
    body = (corpus / "dcat-real" / "govdata-dcatde" / "metadata_max.rdf").read_bytes()
    quads = read(body, "https://www.govdata.de/metadata_max.rdf", "application/rdf+xml")
    assert ox.NamedNode("tel:+494042840-3494") in {q.object for q in quads}
    assert notes(quads, REPAIRED) == ["<tel:+49 40 4 28 40 - 3494> read as <tel:+494042840-3494>"]
    valid = corpus / "dcat-real" / "govdata-dcatde" / "metadata_max_only_valid_uris.rdf"
    assert len(quads) > len(read(valid.read_bytes(), "https://www.govdata.de/valid.rdf"))


RDF_XML = """<?xml version="1.0" encoding="{encoding}"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="http://ex.org/d">{properties}</rdf:Description>
</rdf:RDF>"""


def test_rdf_xml_language_tags_are_repaired_and_an_empty_one_means_none():
    """xml:lang="" is RDF/XML's "no language", which Oxigraph refuses strictly."""
    properties = (
        '<dct:title xml:lang="fr_BE">Écoles</dct:title>'
        '<dct:alternative xml:lang="">Scholen</dct:alternative>'
    )
    body = RDF_XML.format(encoding="UTF-8", properties=properties).encode()
    quads = read(body, "https://ex.org/d.rdf", "application/rdf+xml")
    literals = {str(q.object) for q in quads if q.predicate != REPAIRED}
    assert literals == {'"Écoles"@fr-be', '"Scholen"'}
    assert notes(quads, REPAIRED) == ['"Écoles"@fr_be read as "Écoles"@fr-be']


def test_rdf_xml_in_another_encoding_than_utf8_is_read():
    body = RDF_XML.format(encoding="ISO-8859-1", properties="<dct:title>Écoles</dct:title>")
    with pytest.raises(SyntaxError, match="Only UTF-8"):
        list(ox.parse(body.encode("latin-1"), format=ox.RdfFormat.RDF_XML))
    quads = read(body.encode("latin-1"), "https://ex.org/d.rdf", "application/rdf+xml")
    assert [q.object.value for q in quads] == ["Écoles"]


def test_json_ld_keeps_a_node_whose_id_needs_a_repair_and_drops_undefined_keys():
    """Strictly, Oxigraph drops the node with an invalid @id without a word."""
    document = {
        "@context": {"dct": "http://purl.org/dc/terms/"},
        "@id": "http://ex.org/ds 1",
        "dct:title": "Budget",
        "notInTheContext": "ignored, as JSON-LD says",
    }
    body = json.dumps(document).encode()
    assert list(ox.parse(body, format=ox.RdfFormat.JSON_LD)) == []
    quads = read(body, "https://ex.org/catalogue.jsonld", "application/ld+json")
    assert [(q.subject.value, q.predicate.value) for q in quads] == [
        ("http://ex.org/ds%201", "http://purl.org/dc/terms/title"),
        ("http://ex.org/ds%201", REPAIRED.value),
    ]


# -- what is no RDF -------------------------------------------------------------------

GEOPORTAL = "a geoportal is harvested by the CSW source type (wepulse_csw)"


CSW, ISO = "a CSW (catalogue service) answer, csw:", "an ISO 19139 metadata record"


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("OWSLib/inspire-getrecords-response.xml", f"{CSW}GetRecordsResponse"),
        ("udata/geonetwork-dcat-page-1.xml", f"{CSW}GetRecordsResponse"),  # DCAT inside
        ("ckanext-geocat/capabilities.xml", f"{CSW}Capabilities"),
        ("geonetwork-microservices/0202b8dd-1c7e-4331-8ba7-35e1fef4037a.xml",
         f"{ISO} (MD_Metadata)"),  # geo.be
        ("OWSLib/iso_che.xml", f"{ISO} (CHE_MD_Metadata)"),
        ("ckanext-spatial/error_bad_xml.xml", f"{ISO} (MD_Metadata)"),  # truncated
    ],
)  # fmt: skip
def test_geoportal_documents_are_named_and_sent_to_the_geoportal_type(corpus, path, said):
    url = "https://geo.example.be/csw"
    with pytest.raises(SourceError) as raised:
        read((corpus / "geoportals" / path).read_bytes(), url, "application/xml")
    assert str(raised.value).startswith(f"{url}: {said}, not RDF: {GEOPORTAL}")


def test_an_iso_19115_3_record_is_named_too(corpus):
    body = (corpus / "geoportals" / "OWSLib" / "metawal.wallonie.be-srv.xml").read_bytes()
    with pytest.raises(SourceError, match="an ISO 19115-3 metadata record .* geoportal source"):
        read(body, "https://metawal.wallonie.be/csw", "text/xml")


@pytest.mark.parametrize(
    ("path", "server_said"),
    [
        ("harvesting/post_Exception-Havest-csw-404.xml",
         "“Harvest failed: record parsing failed: HTTP error: HTTP Error 404: Not Found”"),
        ("default/post_Exception-GetRecords-invalid-xml.xml",
         "“Exception: the document is not valid. Error: Element "
         "'{http://www.opengis.net/cat/csw/2.0.2}ElementNamefoo': This element is not expected."),
    ],
)  # fmt: skip
def test_an_ows_exception_report_says_what_the_server_said(corpus, path, server_said):
    body = (corpus / "geoportals" / "pycsw" / path).read_bytes()
    with pytest.raises(SourceError) as raised:
        read(body, "https://geo.example.be/csw", "application/xml")
    message = str(raised.value)
    assert message.startswith(
        "https://geo.example.be/csw: the server answered with an error report instead of "
        "a catalogue: "
    )
    assert server_said in message


def test_an_html_page_is_named_and_its_rdf_alternate_given():
    body = b"""<!DOCTYPE html>
<html lang="fr"><head><title>Portail open data</title>
<link rel="alternate" type="text/turtle" href="/catalog.ttl">
</head><body>Bienvenue</body></html>"""
    with pytest.raises(SourceError) as raised:
        read(body, "https://opendata.example.be/", "text/html")
    assert str(raised.value) == (
        "https://opendata.example.be/: a web page (HTML), not a DCAT document: give the "
        "address of the catalogue's DCAT feed or file (Turtle, RDF/XML or JSON-LD). "
        "The page names one: https://opendata.example.be/catalog.ttl"
    )


@pytest.mark.parametrize("body", [b"", b" \r\n", b"\xef\xbb\xbf\n"])
def test_an_empty_answer(body):
    with pytest.raises(SourceError, match=f"^{URL}: the server sent an empty answer"):
        read(body, URL, "text/turtle")


def test_a_ckan_api_answer_points_to_the_ckan_source_type(corpus):
    body = (corpus / "ckan-api" / "package_search.json").read_bytes()
    url = "https://www.envidat.ch/api/3/action/package_search"
    with pytest.raises(SourceError) as raised:
        read(body, url, "application/json")
    assert str(raised.value) == (
        f"{url}: a CKAN API answer, not a DCAT document: harvest https://www.envidat.ch "
        "with the CKAN source type (or, if the portal has ckanext-dcat, its catalogue "
        "https://www.envidat.ch/catalog.ttl with this one)"
    )


@pytest.mark.parametrize("name", ["v1/search.json", "example_datasets-v2.1.json"])
def test_an_opendatasoft_api_answer_points_to_the_opendatasoft_type(corpus, name):
    body = (corpus / "opendatasoft" / name).read_bytes()
    url = "https://opendata.bruxelles.be/api/datasets/1.0/search/"
    with pytest.raises(SourceError, match="an Opendatasoft API answer, not a DCAT document: "
                       "harvest https://opendata.bruxelles.be with the Opendatasoft"):  # fmt: skip
        read(body, url, "application/json")


def test_json_without_a_context_is_no_json_ld():
    with pytest.raises(SourceError, match=f"^{URL}: JSON but not JSON-LD \\(no @context"):
        read(b'{"datasets": [{"title": "Budget"}]}', URL, "application/json")


def test_expanded_json_ld_needs_no_context(corpus):
    """udata's flat.jsonld: full IRIs as keys."""
    body = (corpus / "dcat-real" / "udata" / "flat.jsonld").read_bytes()
    assert len(read(body, "https://data.test.org/catalog.jsonld")) == 93


# -- remote JSON-LD contexts ------------------------------------------------------------

EXAMPLES = "dcat-ap-semic/releases/3.0.1/html/examples"
#: The context SEMIC's DCAT-AP examples name.
CONTEXT_URL = (
    "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/"
    "context.jsonld"
)
BEE_POPULATION = "https://data.gov.gr/id/dataset/BeePopulation"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture
def bee_population(corpus) -> bytes:
    return (corpus / EXAMPLES / "example-bee-population.jsonld").read_bytes()


@pytest.fixture
def context_http(recorded_http, corpus):
    """The examples' context served at the address they name (the corpus's copy)."""
    context = (corpus / EXAMPLES / "context.jsonld").read_bytes()
    return recorded_http({CONTEXT_URL: (context, "application/ld+json")})


def test_a_remote_context_is_fetched_once_for_the_whole_harvest(bee_population, context_http):
    contexts = ContextLoader(context_http)
    for page in ("p1", "p2"):
        quads = read(bee_population, f"https://data.gov.gr/{page}.jsonld", "", contexts)
        said = {
            (q.predicate.value, str(q.object)) for q in quads if q.subject.value == BEE_POPULATION
        }
        assert said == {
            ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "<http://www.w3.org/ns/dcat#Dataset>"),
            (f"{DCT}title", '"Bee population"@en'),
            (f"{DCT}description", '"A dataset about bee population in Greece"@en'),
            (f"{DCT}publisher", "<https://agencies.gov.gr/id/GreekEnvironmentAgency>"),
        }  # fmt: skip
    assert context_http.requested == [CONTEXT_URL]


def test_a_remote_context_is_named_when_it_cannot_be_fetched(bee_population, recorded_http):
    url = "https://data.gov.gr/catalogue.jsonld"
    with pytest.raises(SourceError) as raised:
        read(bee_population, url, "", ContextLoader(recorded_http({})))
    assert str(raised.value) == (
        f"{url}: its JSON-LD @context cannot be read: {CONTEXT_URL}: HTTP 404"
    )
    with pytest.raises(SourceError, match="its JSON-LD @context is another document"):
        read(bee_population, url, "")  # no loader


def test_a_remote_context_that_is_not_json(bee_population, recorded_http):
    http = recorded_http({CONTEXT_URL: (b"<html></html>", "text/html")})
    with pytest.raises(SourceError, match="the JSON-LD context is not JSON"):
        read(bee_population, "https://data.gov.gr/c.jsonld", "", ContextLoader(http))


def test_the_official_dcat_ap_3_0_1_context_is_refused_with_the_parsers_reason(
    bee_population, recorded_http, corpus
):
    """SEMIC's dcat-ap.jsonld defines "Xsd:duration" as a term, which JSON-LD 1.1 does
    not allow (a prefix that is no term): no JSON-LD 1.1 processor can use it."""
    official = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"
    context = corpus / "dcat-ap-semic" / "releases" / "3.0.1" / "context" / "dcat-ap.jsonld"
    http = recorded_http({official: (context.read_bytes(), "application/ld+json")})
    body = bee_population.replace(CONTEXT_URL.encode(), official.encode())
    with pytest.raises(SourceError, match="not valid JSON-LD: Inconsistent expansion of Xsd:"):
        read(body, "https://data.gov.gr/c.jsonld", "", ContextLoader(http))
