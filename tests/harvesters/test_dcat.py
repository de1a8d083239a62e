"""The DCAT adapter's records and pages on real feeds (data.gov.be's LDES, Fedict,
ckanext-dcat's examples), its content hash, and the language repair before mapping.

``map()`` needs CKAN's DCAT-AP parser and is not exercised here.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from harvesters.base import Record, RecordError, SourceError
from harvesters.dcat import DATASET, DcatAdapter, parse_rdf, repair_languages

TRIG = "application/trig"
TURTLE = "text/turtle"
RDF_XML = "application/rdf+xml"
GOV = "http://data.gov.be/dataset/brussels/"
# Where the page is published (Fedict/dcat's docs folder on GitHub Pages); its IRIs
# are relative to it, as is its tree:node "../2025-02-05T15%3A28%3A07.500Z_123187500_10/…".
LDES = "https://fedict.github.io/dcat/root/2025-02-05T15%3A28%3A07.500Z_123187500_9/index.trig"
LDES_NEXT = (
    "https://fedict.github.io/dcat/root/2025-02-05T15%3A28%3A07.500Z_123187500_10/index.trig"
)
PERMITS = f"{GOV}demandes-de-permis-environnement-introduites-vbx"
TREES = f"{GOV}c7aca298-7988-11ef-afd2-010101010000"
HERITAGE = f"{GOV}d81707aa-7989-11ef-875c-010101010000"
NURSERIES = f"{GOV}f4f60a03-b60d-444e-b69e-452ab966b3ac"

PREFIXES = """\
@prefix as: <https://www.w3.org/ns/activitystreams#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix tree: <https://w3id.org/tree#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# The next LDES page: one member, as data.gov.be writes them (an event, a named graph).
NEXT_PAGE = f"""{PREFIXES}
<index.trig> a tree:Node .
<../../../index.trig> tree:member <#m1> .
<#m1> a as:Create ;
    as:object <{GOV}toilettes-publiques-vbx> ;
    as:published "2025-02-06T18:50:02.000Z"^^xsd:dateTime .
<#m1> {{
<{GOV}toilettes-publiques-vbx> a dcat:Dataset ;
    dct:identifier "toilettes-publiques-vbx" ;
    dct:title "Toilettes publiques (Ville de Bruxelles)"@fr,
        "Openbare toiletten (Stad Brussel)"@nl .
}}
"""


@pytest.fixture
def ldes_page(corpus) -> bytes:
    return (corpus / "belgium" / "data.gov.be" / "ldes_page_9.trig").read_bytes()


@pytest.fixture
def page_graph(ldes_page) -> Dataset:
    """The LDES page as rdflib reads it, independently of the adapter."""
    graphs = Dataset(default_union=True)
    graphs.parse(data=ldes_page, format="trig", publicID=LDES)
    return graphs


def collect(adapter: DcatAdapter) -> tuple[list, Exception | None]:
    """The adapter's records up to the exception that ended them, if any."""
    results: list = []
    try:
        for item in adapter.records():
            results.append(item)
    except Exception as error:  # noqa: BLE001 - the test asserts what it is
        return results, error
    return results, None


def harvest(recorded_http, responses, url, **config) -> tuple[list, list[str]]:
    http = recorded_http(responses)
    return list(DcatAdapter(url, http, config).records()), http.requested


def one_record(recorded_http, body: bytes | str, media_type=TURTLE, url=None) -> Record:
    url = url or "https://opendata.example.be/catalog.ttl"
    if isinstance(body, str):
        body = body.encode()
    records, _ = harvest(recorded_http, {url: (body, media_type)}, url, follow_pages=False)
    assert len(records) == 1
    return records[0]


def payload_graph(record: Record) -> Graph:
    graph = Graph()
    graph.parse(data=record.payload, format="nt")
    return graph


# -- the data.gov.be LDES page ---------------------------------------------------


def test_ldes_page_gives_its_hundred_datasets(recorded_http, ldes_page, page_graph):
    records, requested = harvest(recorded_http, {LDES: (ldes_page, TRIG)}, LDES, follow_pages=False)
    text = ldes_page.decode("utf-8")
    in_file = re.findall(
        r"^<(http://data\.gov\.be/dataset/[^>]+)> a <http://www\.w3\.org/ns/dcat#Dataset>",
        text,
        re.M,
    )

    assert requested == [LDES]
    assert len(in_file) == 100
    assert all(isinstance(r, Record) and not r.deleted for r in records)
    assert len(records) == 100
    assert sorted(r.guid for r in records) == sorted(in_file)
    for record in records:
        subject = URIRef(record.guid)
        titles = set(payload_graph(record).objects(subject, DCTERMS.title))
        assert titles and titles == set(page_graph.objects(subject, DCTERMS.title))


def test_ldes_record_payload_url_and_modified(recorded_http, ldes_page, page_graph):
    records, _ = harvest(recorded_http, {LDES: (ldes_page, TRIG)}, LDES, follow_pages=False)
    by_guid = {r.guid: r for r in records}
    permits = by_guid[PERMITS]
    graph = payload_graph(permits)

    assert (
        URIRef(PERMITS),
        DCTERMS.title,
        Literal("Demandes de permis d'environnement introduites (Ville de Bruxelles)", lang="fr"),
    ) in graph
    # The contact point and the period are blank nodes: their statements come along.
    contact = graph.value(URIRef(PERMITS), DCAT.contactPoint)
    assert {
        str(n) for n in graph.objects(contact, URIRef("http://www.w3.org/2006/vcard/ns#fn"))
    } == {
        "Stad Brussel",
        "Ville de Bruxelles",
        "Ville de Bruxelles/Stad Brussel",
    }
    temporal = graph.value(URIRef(PERMITS), DCTERMS.temporal)
    assert str(graph.value(temporal, DCAT.endDate)) == "2025-02-04"
    # No other dataset of the page slips into this one's description.
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {URIRef(PERMITS)}
    assert permits.url == (
        "https://datastore.brussels/web/data/dataset/demandes-de-permis-environnement-introduites-vbx"
    )
    # dct:modified "2014-04-06T00:00:00.000Z"^^xsd:dateTime
    assert datetime.fromisoformat(permits.modified) == datetime.fromisoformat(
        "2014-04-06T00:00:00.000Z"
    )
    # 69 of the 100 datasets have a dct:modified; the others have none.
    assert len(re.findall(rb"<http://purl.org/dc/terms/modified>", ldes_page)) == 69
    assert sum(r.modified is not None for r in records) == 69
    for record in records:
        modified = page_graph.value(URIRef(record.guid), DCTERMS.modified)
        if modified is None:
            assert record.modified is None
        else:
            assert datetime.fromisoformat(record.modified) == modified.toPython()


def test_ldes_follows_the_tree_relation_to_the_next_page(recorded_http, ldes_page):
    responses = {LDES: (ldes_page, TRIG), LDES_NEXT: (NEXT_PAGE.encode(), TRIG)}
    records, requested = harvest(recorded_http, responses, LDES)

    assert requested == [LDES, LDES_NEXT]
    assert len(records) == 101
    assert records[-1].guid == f"{GOV}toilettes-publiques-vbx"
    assert PERMITS in {r.guid for r in records[:100]}


def test_an_unreachable_next_page_is_a_source_error_after_the_first_pages_records(
    recorded_http, ldes_page
):
    adapter = DcatAdapter(LDES, recorded_http({LDES: (ldes_page, TRIG)}))
    records, error = collect(adapter)

    assert len(records) == 100 and all(isinstance(r, Record) for r in records)
    assert isinstance(error, SourceError)
    assert LDES_NEXT in str(error) and "404" in str(error)


def test_tree_relations_pointing_back_are_read_once(recorded_http):
    first = "https://ldes.example.be/feed/1.ttl"
    second = "https://ldes.example.be/feed/2.ttl"

    def page(n: int, other: str) -> bytes:
        return f"""{PREFIXES}
<{first if n == 1 else second}> tree:relation [ tree:node <{other}> ] .
<https://ldes.example.be/dataset/{n}> a dcat:Dataset ; dct:title "Dataset {n}"@en .
""".encode()

    responses = {first: (page(1, second), TURTLE), second: (page(2, first), TURTLE)}
    records, requested = harvest(recorded_http, responses, first)

    assert requested == [first, second]
    assert [r.guid for r in records] == [
        "https://ldes.example.be/dataset/1",
        "https://ldes.example.be/dataset/2",
    ]


def test_ldes_delete_event_gives_a_deleted_record(recorded_http):
    page = f"""{PREFIXES}
<#c1> a as:Create ; as:object <{GOV}toilettes-publiques-vbx> .
<#c1> {{
<{GOV}toilettes-publiques-vbx> a dcat:Dataset ; dct:title "Toilettes publiques"@fr .
}}
<#d1> a as:Delete ;
    as:object <{PERMITS}> ;
    as:published "2025-02-07T09:00:00.000Z"^^xsd:dateTime .
"""
    url = "https://ldes.example.be/feed/page.trig"
    records, _ = harvest(recorded_http, {url: (page.encode(), TRIG)}, url)

    by_guid = {r.guid: r for r in records}
    assert set(by_guid) == {PERMITS, f"{GOV}toilettes-publiques-vbx"}
    assert by_guid[PERMITS].deleted is True
    assert by_guid[PERMITS].payload is None
    assert by_guid[f"{GOV}toilettes-publiques-vbx"].deleted is False


def test_a_delete_on_a_later_ldes_page_deletes_a_dataset_of_an_earlier_page(
    recorded_http, ldes_page
):
    """The usual LDES story: created on page 9, deleted on page 10."""
    later = f"""{PREFIXES}
<../../../index.trig> tree:member <#d1> .
<#d1> a as:Delete ;
    as:object <{PERMITS}> ;
    as:published "2025-02-07T09:00:00.000Z"^^xsd:dateTime .
"""
    responses = {LDES: (ldes_page, TRIG), LDES_NEXT: (later.encode(), TRIG)}
    records, _ = harvest(recorded_http, responses, LDES)

    assert len(records[:100]) == 100
    deletions = [r for r in records if r.deleted]
    assert [r.guid for r in deletions] == [PERMITS]


# -- Hydra paging ----------------------------------------------------------------

CATALOG = "https://opendata.example.be/catalog.ttl"


def hydra_page(n: int, next_page: int | None, link: str = "hydra:next") -> tuple[bytes, str]:
    view = f"<{CATALOG}?page={n}> a hydra:PartialCollectionView"
    if next_page:
        view += f" ;\n    {link} <{CATALOG}?page={next_page}>"
    datasets = "\n".join(
        f"<https://opendata.example.be/dataset/{n}-{i}> a dcat:Dataset ;"
        f' dct:title "Page {n}, {i}"@fr .'
        for i in (1, 2)
    )
    return f"{PREFIXES}\n{view} .\n{datasets}\n".encode(), TURTLE


def page_url(n: int) -> str:
    return f"{CATALOG}?page={n}"


def guids(*pages: int) -> list[str]:
    return [f"https://opendata.example.be/dataset/{n}-{i}" for n in pages for i in (1, 2)]


@pytest.mark.parametrize("link", ["hydra:next", "hydra:nextPage"])
def test_hydra_pages_are_followed_to_the_last(recorded_http, link):
    responses = {
        page_url(1): hydra_page(1, 2, link),
        page_url(2): hydra_page(2, 3, link),
        page_url(3): hydra_page(3, None, link),
    }
    records, requested = harvest(recorded_http, responses, page_url(1))

    assert requested == [page_url(1), page_url(2), page_url(3)]
    assert sorted(r.guid for r in records) == guids(1, 2, 3)


def test_pages_sent_again_byte_for_byte_are_not_parsed_again(recorded_http):
    """A server without ETags sends an unchanged page again: its records come from the
    last harvest's memory, without payload (the harvest counts them unchanged), its
    unreadable record fails again with its reason; a changed page is parsed."""
    bad = (
        f"<{CATALOG}?page=2> a hydra:PartialCollectionView .\n<https://x.be:bad/> a dcat:Dataset ."
    )
    responses = {
        page_url(1): hydra_page(1, 2),
        page_url(2): ((hydra_page(2, None)[0].decode() + bad).encode(), TURTLE),
    }
    memory: dict = {}
    first = list(DcatAdapter(page_url(1), recorded_http(responses), {}, memory=memory).records())
    responses[page_url(2)] = ((hydra_page(2, None)[0].decode() + bad + "\n").encode(), TURTLE)

    again = list(DcatAdapter(page_url(1), recorded_http(responses), {}, memory=memory).records())

    def described(records):
        return [
            (r.guid, r.content_hash) if isinstance(r, Record) else (r.guid, str(r)) for r in records
        ]

    assert sorted(described(again), key=str) == sorted(described(first), key=str)
    by_page = {r.guid: r.payload for r in again if isinstance(r, Record)}
    assert [by_page[guid] for guid in guids(1)] == [None, None]  # the same bytes: remembered
    assert all(by_page[guid] for guid in guids(2))  # one byte more: parsed
    assert [str(r) for r in again if isinstance(r, RecordError)][0].startswith(
        "<https://x.be:bad/>"
    )


def test_follow_pages_false_reads_the_first_page_only(recorded_http):
    responses = {page_url(1): hydra_page(1, 2), page_url(2): hydra_page(2, None)}
    records, requested = harvest(recorded_http, responses, page_url(1), follow_pages=False)

    assert requested == [page_url(1)]
    assert sorted(r.guid for r in records) == guids(1)


def test_a_hydra_loop_is_a_source_error_after_the_pages_read(recorded_http):
    responses = {page_url(1): hydra_page(1, 2), page_url(2): hydra_page(2, 1)}
    adapter = DcatAdapter(page_url(1), recorded_http(responses))
    records, error = collect(adapter)

    assert sorted(r.guid for r in records) == guids(1, 2)
    assert isinstance(error, SourceError)
    assert "loop" in str(error)
    assert page_url(1) in str(error)


def test_max_pages_stops_a_long_feed_with_a_source_error(recorded_http):
    responses = {
        page_url(1): hydra_page(1, 2),
        page_url(2): hydra_page(2, 3),
        page_url(3): hydra_page(3, None),
    }
    http = recorded_http(responses)
    records, error = collect(DcatAdapter(page_url(1), http, {"max_pages": 2}))

    assert http.requested == [page_url(1), page_url(2)]
    assert sorted(r.guid for r in records) == guids(1, 2)
    assert isinstance(error, SourceError)
    assert "max_pages" in str(error)


def test_max_pages_allows_exactly_that_many(recorded_http):
    responses = {
        page_url(1): hydra_page(1, 2),
        page_url(2): hydra_page(2, 3),
        page_url(3): hydra_page(3, None),
    }
    records, _ = harvest(recorded_http, responses, page_url(1), max_pages=3)
    assert sorted(r.guid for r in records) == guids(1, 2, 3)


def test_a_dataset_repeated_on_a_later_page_is_yielded_again_as_its_newer_version(
    recorded_http,
):
    """Feeds list a dataset again when it changed: the harvest keeps the last version."""
    page_2 = hydra_page(2, None)[0] + (
        b'<https://opendata.example.be/dataset/1-1> a dcat:Dataset ; dct:title "Again"@fr .\n'
    )
    responses = {page_url(1): hydra_page(1, 2), page_url(2): (page_2, TURTLE)}
    records, _ = harvest(recorded_http, responses, page_url(1))

    assert sorted(set(r.guid for r in records)) == guids(1, 2)
    repeated = [r for r in records if r.guid == "https://opendata.example.be/dataset/1-1"]
    assert len(repeated) == 2 and '"Again"@fr' in repeated[-1].payload


# -- content hash ----------------------------------------------------------------

CONTACT_DATASET = f"""{PREFIXES}
<{PERMITS}> a dcat:Dataset ;
    dct:title "Demandes de permis d'environnement introduites (Ville de Bruxelles)"@fr ;
    dct:identifier "demandes-de-permis-environnement-introduites-vbx" ;
    dcat:contactPoint _:contact ;
    dct:temporal _:period .
_:contact a vcard:Kind ;
    vcard:fn "Stad Brussel"@nl, "Ville de Bruxelles"@fr ;
    vcard:hasEmail <mailto:cellule.web@brucity.be> .
_:period a dct:PeriodOfTime ;
    dcat:startDate "2014-04-06T00:00:00+00:00"^^xsd:dateTime ;
    dcat:endDate "2025-02-04"^^xsd:date .
"""

# The same statements in another order, with other blank-node labels.
CONTACT_DATASET_REORDERED = f"""{PREFIXES}
_:b2722_b2721_b2720_df_71_1262 dcat:endDate "2025-02-04"^^xsd:date ;
    a dct:PeriodOfTime ;
    dcat:startDate "2014-04-06T00:00:00+00:00"^^xsd:dateTime .
_:b2722_b2721_b2720_df_71_1261 vcard:hasEmail <mailto:cellule.web@brucity.be> ;
    vcard:fn "Ville de Bruxelles"@fr, "Stad Brussel"@nl ;
    a vcard:Kind .
<{PERMITS}> dct:temporal _:b2722_b2721_b2720_df_71_1262 ;
    dcat:contactPoint _:b2722_b2721_b2720_df_71_1261 ;
    dct:identifier "demandes-de-permis-environnement-introduites-vbx" ;
    dct:title "Demandes de permis d'environnement introduites (Ville de Bruxelles)"@fr ;
    a dcat:Dataset .
"""


def test_content_hash_does_not_depend_on_blank_node_labels_or_order(recorded_http):
    first = one_record(recorded_http, CONTACT_DATASET)
    again = one_record(recorded_http, CONTACT_DATASET)
    reordered = one_record(recorded_http, CONTACT_DATASET_REORDERED)

    # The other document labels its blank nodes otherwise.
    assert first.payload != reordered.payload
    assert first.content_hash == again.content_hash == reordered.content_hash


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"Stad Brussel"@nl', '"Stad Brussel - Cel Web"@nl'),
        ("<mailto:cellule.web@brucity.be>", "<mailto:opendata@brucity.be>"),
        ('"2025-02-04"^^xsd:date', '"2025-03-04"^^xsd:date'),
        ('(Ville de Bruxelles)"@fr ;', '(Stad Brussel)"@fr ;'),
    ],
    ids=["contact-name", "contact-email", "period-end", "title"],
)
def test_content_hash_changes_with_a_blank_nodes_literal(recorded_http, old, new):
    changed = CONTACT_DATASET.replace(old, new)
    assert changed != CONTACT_DATASET
    original = one_record(recorded_http, CONTACT_DATASET)
    assert one_record(recorded_http, changed).content_hash != original.content_hash


def test_content_hash_of_every_ldes_dataset_is_stable_across_harvests(recorded_http, ldes_page):
    """Two harvests of the same page: rdflib gives its blank nodes new labels each time."""
    first, _ = harvest(recorded_http, {LDES: (ldes_page, TRIG)}, LDES, follow_pages=False)
    second, _ = harvest(recorded_http, {LDES: (ldes_page, TRIG)}, LDES, follow_pages=False)
    assert {r.guid: r.content_hash for r in first} == {r.guid: r.content_hash for r in second}
    assert len({r.content_hash for r in first}) == 100


def test_content_hash_changes_with_a_distribution_that_has_an_iri(recorded_http, corpus):
    """Fedict's distribution <http://data.gov.be/dist/fodbosadt/best/nl> gets a new
    download URL: the payload changes, so the hash must, or the change is skipped."""
    body = (corpus / "belgium" / "fedict-dcattools" / "dcatlib_dcat-multilang.rdf").read_bytes()
    changed = body.replace(b"best-full-latest.zip", b"best-full-2025-02.zip")
    assert changed != body
    url = "https://opendata.bosa.be/dcat.rdf"
    before = one_record(recorded_http, body, RDF_XML, url)
    after = one_record(recorded_http, changed, RDF_XML, url)

    assert "best-full-2025-02.zip" in after.payload
    assert after.content_hash != before.content_hash


# -- formats ---------------------------------------------------------------------


def test_rdf_xml_fedict_multilingual_catalogue(recorded_http, corpus):
    body = (corpus / "belgium" / "fedict-dcattools" / "dcatlib_dcat-multilang.rdf").read_bytes()
    record = one_record(recorded_http, body, RDF_XML, "https://opendata.bosa.be/dcat.rdf")
    subject = URIRef("http://data.gov.be/dataset/fodbosadt/best")

    assert record.guid == str(subject)
    graph = payload_graph(record)
    assert set(graph.objects(subject, DCTERMS.title)) == {
        Literal("BeSt adressen", lang="nl"),
        Literal("Adresses BeSt", lang="fr"),
    }
    # The distribution and its download URL come with the dataset.
    distribution = URIRef("http://data.gov.be/dist/fodbosadt/best/nl")
    assert (subject, DCAT.distribution, distribution) in graph
    assert graph.value(distribution, DCAT.downloadURL) == URIRef(
        "https://opendata.bosa.be/download/best/best-full-latest.zip"
    )
    # The catalogue itself is no record, nor part of one.
    assert URIRef("http://data.gov.be/catalog/fodbosadt") not in set(graph.subjects())


def test_rdf_xml_with_two_datasets(recorded_http, corpus):
    body = (corpus / "ckanext-dcat-examples" / "dcat" / "catalog.rdf").read_bytes()
    url = "https://data.some.org/catalog.rdf"
    records, _ = harvest(recorded_http, {url: (body, RDF_XML)}, url)
    assert sorted(r.guid for r in records) == [
        "https://data.some.org/catalog/datasets/1",
        "https://data.some.org/catalog/datasets/2",
    ]


JSONLD_DATASET = "https://ckan.example.org/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset"


@pytest.mark.parametrize(
    "media_type", ["application/ld+json", "application/json", RDF_XML, "text/html"]
)
def test_json_ld_is_read_whatever_its_declared_type(recorded_http, corpus, media_type):
    body = (corpus / "ckanext-dcat-examples" / "dcat" / "catalog_with_at_graph.jsonld").read_bytes()
    record = one_record(recorded_http, body, media_type, "https://ckan.example.org/catalog")

    assert record.guid == JSONLD_DATASET
    graph = payload_graph(record)
    assert graph.value(URIRef(JSONLD_DATASET), DCTERMS.title) == Literal("Title dataset")
    contact = graph.value(URIRef(JSONLD_DATASET), DCAT.contactPoint)
    assert str(graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#fn"))) == "Jane Doe"


MULTILINGUAL = "https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad"


@pytest.fixture
def multilingual_ttl(corpus) -> bytes:
    return (corpus / "ckanext-dcat-examples" / "dcat" / "dataset_multilingual.ttl").read_bytes()


def as_format(turtle: bytes, fmt: str) -> bytes:
    """The Turtle example in another syntax (N-Quads: in a named graph)."""
    if fmt == "nquads":
        graphs = Dataset()
        graphs.graph(URIRef("https://example.org/graph/1")).parse(data=turtle, format="turtle")
        return graphs.serialize(format="nquads", encoding="utf-8")
    return Graph().parse(data=turtle, format="turtle").serialize(format=fmt, encoding="utf-8")


@pytest.mark.parametrize(
    ("fmt", "media_type", "url"),
    [
        ("turtle", TURTLE, "https://example.org/catalog"),
        ("turtle", "application/octet-stream", "https://example.org/dataset.ttl"),
        ("nt", "application/n-triples", "https://example.org/catalog"),
        ("nt", "text/plain", "https://example.org/catalog"),
        ("nquads", "application/n-quads", "https://example.org/catalog"),
        ("nquads", "application/octet-stream", "https://example.org/dataset.nq"),
        ("trig", TRIG, "https://example.org/catalog"),
        ("xml", RDF_XML, "https://example.org/catalog"),
        ("json-ld", "application/ld+json", "https://example.org/catalog"),
    ],
)
def test_every_rdf_syntax_gives_the_dataset(recorded_http, multilingual_ttl, fmt, media_type, url):
    body = multilingual_ttl if fmt == "turtle" else as_format(multilingual_ttl, fmt)
    record = one_record(recorded_http, body, media_type, url)

    assert record.guid == MULTILINGUAL
    titles = set(payload_graph(record).objects(URIRef(MULTILINGUAL), DCTERMS.title))
    assert Literal("Conjunt de dades de prova DCAT", lang="ca") in titles
    assert len(titles) == 3


def test_the_same_dataset_hashes_the_same_in_every_syntax(recorded_http, multilingual_ttl):
    hashes = {
        one_record(recorded_http, multilingual_ttl).content_hash,
        one_record(
            recorded_http, as_format(multilingual_ttl, "nt"), "application/n-triples"
        ).content_hash,
        one_record(recorded_http, as_format(multilingual_ttl, "xml"), RDF_XML).content_hash,
    }
    assert len(hashes) == 1


def test_turtle_served_as_text_plain(recorded_http, multilingual_ttl):
    url = "https://raw.githubusercontent.com/ckan/ckanext-dcat/master/examples/dcat/catalog"
    record = one_record(recorded_http, multilingual_ttl, "text/plain", url)
    assert record.guid == MULTILINGUAL


def test_turtle_starting_with_a_blank_node(recorded_http):
    body = (
        "[ a <http://www.w3.org/ns/dcat#Dataset> ;\n"
        '  <http://purl.org/dc/terms/identifier> "espaces-verts" ;\n'
        '  <http://purl.org/dc/terms/title> "Espaces verts accessibles au public"@fr ] .\n'
    )
    record = one_record(recorded_http, body, TURTLE)
    assert record.guid == "espaces-verts"


def test_rdf_xml_with_several_datasets_in_one_property_element_gives_each(recorded_http, corpus):
    """FAVV's published file nests its three datasets in one dcat:dataset (and two
    distributions in one dcat:distribution), which RDF/XML does not allow: neither
    Oxigraph nor rdflib reads it as it is, each dataset is kept as it was meant."""
    body = (corpus / "belgium" / "fedict-dcattools" / "favv_dcat.rdf").read_bytes()
    url = "https://www.favv-afsca.be/opendata/dcat.rdf"
    with pytest.raises(SyntaxError, match="text value is already present"):
        list(ox.parse(body, format=ox.RdfFormat.RDF_XML, lenient=True))
    records, _ = harvest(recorded_http, {url: (body, RDF_XML)}, url)

    fasfc = "http://data.gov.be/dataset/fasfc/"
    assert [r.guid for r in records] == [f"{fasfc}smileys", f"{fasfc}operators", f"{fasfc}codelist"]
    codelist = payload_graph(records[2])
    assert set(codelist.objects(URIRef(f"{fasfc}codelist"), DCAT.distribution)) == {
        URIRef("http://data.gov.be/dist/fasfc/codelist/csv/nl"),
        URIRef("http://data.gov.be/dist/fasfc/codelist/csv/fr"),
    }


def test_invalid_rdf_xml_is_a_source_error_naming_the_url(recorded_http, corpus):
    """FAVV's file cut short: no rewriting makes it RDF/XML."""
    body = (corpus / "belgium" / "fedict-dcattools" / "favv_dcat.rdf").read_bytes()[:5000]
    url = "https://www.favv-afsca.be/opendata/dcat.rdf"
    with pytest.raises(SourceError, match=f"^{re.escape(url)}: not valid RDF/XML: "):
        harvest(recorded_http, {url: (body, RDF_XML)}, url)


def test_invalid_turtle_is_a_source_error(recorded_http, corpus):
    """ckanext-dcat's dataset.ttl does not parse (an upstream bug)."""
    body = (corpus / "ckanext-dcat-examples" / "dcat" / "dataset.ttl").read_bytes()
    url = "https://example.org/dataset.ttl"
    with pytest.raises(SourceError, match=f"^{re.escape(url)}: not valid Turtle: .*healthdcatap"):
        harvest(recorded_http, {url: (body, TURTLE)}, url)


def test_json_that_is_not_json_ld_gives_no_records(recorded_http, corpus):
    """A CKAN package_search answer where a DCAT catalogue was expected: it parses as
    JSON-LD without a single statement. Either no records or a SourceError, no crash."""
    body = (corpus / "ckan-api" / "package_search.json").read_bytes()
    url = "https://www.envidat.ch/catalog.rdf"
    http = recorded_http({url: (body, RDF_XML)})
    try:
        records = list(DcatAdapter(url, http).records())
    except SourceError as error:
        assert str(error).startswith(url)
    else:
        assert records == []


def test_parse_rdf_reads_named_graphs_as_their_union(ldes_page):
    """Each LDES member is a named graph; the datasets are read across all of them."""
    page = parse_rdf(ldes_page, LDES, TRIG)
    assert len(page.subjects(DATASET)) == 100
    assert ox.NamedNode(PERMITS) in page.subjects(DATASET)


# -- datasets without an IRI -----------------------------------------------------


def test_a_blank_node_dataset_without_identifier_is_a_record_error(recorded_http):
    body = f"""{PREFIXES}
<https://opendata.example.be/catalog> a dcat:Catalog ;
    dcat:dataset [ a dcat:Dataset ; dct:title "Espaces verts accessibles au public"@fr ] .
<https://opendata.example.be/dataset/a> a dcat:Dataset ;
    dct:title "Publiek toegankelijke groene ruimten"@nl .
"""
    url = "https://opendata.example.be/catalog.ttl"
    records, _ = harvest(recorded_http, {url: (body.encode(), TURTLE)}, url)

    errors = [r for r in records if isinstance(r, RecordError)]
    assert len(errors) == 1 and "identifier" in str(errors[0])
    assert [r.guid for r in records if isinstance(r, Record)] == [
        "https://opendata.example.be/dataset/a"
    ]


def test_a_blank_node_dataset_is_known_by_its_identifier(recorded_http):
    body = f"""{PREFIXES}
<https://opendata.example.be/catalog> a dcat:Catalog ;
    dcat:dataset [ a dcat:Dataset ;
        dct:identifier "7746f24e-25e6-48d5-b445-0c4d4bfefa7d" ;
        dct:title "Espaces verts accessibles au public"@fr ] .
"""
    record = one_record(recorded_http, body)
    assert record.guid == "7746f24e-25e6-48d5-b445-0c4d4bfefa7d"
    assert record.url is None  # no landing page, and the identifier is no URL
    assert "Espaces verts accessibles au public" in record.payload


# -- repair_languages ------------------------------------------------------------


@pytest.fixture
def ldes_records(recorded_http, ldes_page) -> dict[str, Record]:
    records, _ = harvest(recorded_http, {LDES: (ldes_page, TRIG)}, LDES, follow_pages=False)
    return {r.guid: r for r in records}


def texts(graph: Graph, subject: str, predicate) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for literal in graph.objects(URIRef(subject), predicate):
        found.setdefault(literal.language, []).append(str(literal))
    return found


def test_repair_joins_a_title_split_at_its_commas(ldes_records):
    graph = payload_graph(ldes_records[TREES])
    assert len(texts(graph, TREES, DCTERMS.title)["nl"]) == 3  # as published: split

    repair_languages(graph, "fr")

    assert texts(graph, TREES, DCTERMS.title) == {
        "nl": [
            "Gegevens met betrekking tot de wettelijke inventaris van bomen, landschappen, "
            "monumenten en gehelen."
        ],
        "fr": [
            "Données relatives à l’inventaire légal des arbres, des sites, des monuments et "
            "des ensembles."
        ],
        "en": ["Data related to the legal inventory of trees, sites, monuments, and ensembles."],
    }
    assert texts(graph, TREES, DCTERMS.description)["nl"] == [
        "Deze laag stelt de locaties voor van monumenten, gehelen, bomen en landschappen "
        "die opgenomen zijn in de wettelijke inventarissen."
    ]


def test_repair_keeps_a_keyword_tagged_in_three_languages_once_in_french(ldes_records):
    graph = payload_graph(ldes_records[PERMITS])
    assert len(list(graph.objects(URIRef(PERMITS), DCAT.keyword))) == 3

    repair_languages(graph, "nl")

    assert list(graph.objects(URIRef(PERMITS), DCAT.keyword)) == [
        Literal("Développement territorial", lang="fr")
    ]


def test_repair_merges_an_untagged_repeat_of_a_keyword(ldes_records):
    graph = payload_graph(ldes_records[NURSERIES])
    repair_languages(graph, "fr")

    assert {
        lang: sorted(words) for lang, words in texts(graph, NURSERIES, DCAT.keyword).items()
    } == {
        "nl": ["Overheid en publieke sector", "kinderdagverblijf"],
        "fr": ["Gouvernement et secteur public", "crèche"],
        "en": ["Government and public sector", "nursery"],
    }


def test_repair_gives_an_untagged_title_the_default_language():
    graph = Graph()
    dataset = URIRef(f"{GOV}stib-arrets")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("STIB")))
    repair_languages(graph, "nl")
    assert list(graph.objects(dataset, DCTERMS.title)) == [Literal("STIB", lang="nl")]


def test_repair_keeps_each_languages_pieces_of_a_split_description(ldes_records, page_graph):
    """The heritage dataset's nl and fr descriptions both have a piece "squares"."""
    published = {
        lang: ", ".join(parts)
        for lang, parts in texts(page_graph, HERITAGE, DCTERMS.description).items()
    }
    graph = payload_graph(ldes_records[HERITAGE])
    repair_languages(graph, "fr")
    repaired = {
        lang: parts[0] for lang, parts in texts(graph, HERITAGE, DCTERMS.description).items()
    }

    assert repaired["fr"].startswith("L’inventaire indicatif du patrimoine naturel :")
    assert "(jardins, squares, parcs, bois)" in repaired["fr"]
    assert "(tuinen, squares, parken bossen)" in repaired["nl"]
    assert repaired == published


# -- lenient reading: one bad IRI costs its own record at most ------------------------

VCARD = "http://www.w3.org/2006/vcard/ns#"

BUDGET = "https://www.ixelles.be/opendata/dataset/budget"
TREES_DS = "https://www.ixelles.be/opendata/dataset/arbres"
SCHOOLS = "https://www.ixelles.be/opendata/dataset/ecoles"
CATALOGUE_WITH_BAD_IRIS = f"""{PREFIXES}
<{BUDGET}> a dcat:Dataset ; dct:title "Budget 2024"@fr ;
    dcat:distribution <https://www.ixelles.be/files/Versements anticipes-2024.xlsx> .
<https://www.ixelles.be/files/Versements anticipes-2024.xlsx> a dcat:Distribution ;
    dcat:downloadURL <https://www.ixelles.be/files/Versements anticipes-2024.xlsx> .
<{TREES_DS}> a dcat:Dataset ; dct:title "Arbres remarquables"@fr ;
    dcat:landingPage <https://www.ixelles.be:arbres/> .
<{SCHOOLS}> a dcat:Dataset ; dct:title "Écoles"@fr .
"""


def test_an_iri_with_spaces_is_repaired_and_its_record_kept_with_a_note(recorded_http):
    url = "https://www.ixelles.be/opendata/catalog.ttl"
    records, _ = harvest(recorded_http, {url: (CATALOGUE_WITH_BAD_IRIS.encode(), TURTLE)}, url)
    budget = next(r for r in records if r.guid == BUDGET)

    assert budget.notes == (
        "<https://www.ixelles.be/files/Versements anticipes-2024.xlsx> read as "
        "<https://www.ixelles.be/files/Versements%20anticipes-2024.xlsx>",
    )
    file = URIRef("https://www.ixelles.be/files/Versements%20anticipes-2024.xlsx")
    graph = payload_graph(budget)  # rdflib reads the record again
    assert graph.value(file, DCAT.downloadURL) == file
    assert "urn:wepulse" not in budget.payload  # the note is no statement of the record


def test_an_iri_no_repair_makes_one_fails_its_own_record_only(recorded_http):
    url = "https://www.ixelles.be/opendata/catalog.ttl"
    records, _ = harvest(recorded_http, {url: (CATALOGUE_WITH_BAD_IRIS.encode(), TURTLE)}, url)

    errors = [r for r in records if isinstance(r, RecordError)]
    assert [(e.guid, str(e)) for e in errors] == [
        (
            TREES_DS,
            "<https://www.ixelles.be:arbres/> is not an IRI (Invalid character 'a'): "
            "correct it at the source",
        )
    ]
    kept = [r for r in records if isinstance(r, Record)]
    assert [r.guid for r in kept] == [BUDGET, SCHOOLS]
    assert next(r for r in kept if r.guid == SCHOOLS).notes == ()


def test_a_repaired_record_hashes_as_the_one_written_right(recorded_http):
    """When the publisher corrects the IRI, the record is not taken for a change."""
    url = "https://www.ixelles.be/opendata/catalog.ttl"
    fixed = CATALOGUE_WITH_BAD_IRIS.replace("Versements anticipes", "Versements%20anticipes")
    before, _ = harvest(recorded_http, {url: (CATALOGUE_WITH_BAD_IRIS.encode(), TURTLE)}, url)
    after, _ = harvest(recorded_http, {url: (fixed.encode(), TURTLE)}, url)
    assert before[0].guid == after[0].guid == BUDGET
    assert before[0].content_hash == after[0].content_hash
    assert after[0].notes == ()


def test_govdata_maximal_dataset_with_a_telephone_iri_with_spaces(recorded_http, corpus):
    """metadata_max.rdf was refused whole: its tel: IRI holds spaces."""
    body = (corpus / "dcat-real" / "govdata-dcatde" / "metadata_max.rdf").read_bytes()
    url = "https://www.govdata.de/ckan/catalog/metadata_max.rdf"
    record = one_record(recorded_http, body, RDF_XML, url)
    assert record.notes == ("<tel:+49 40 4 28 40 - 3494> read as <tel:+494042840-3494>",)
    telephones = set(payload_graph(record).objects(None, URIRef(f"{VCARD}hasTelephone")))
    assert URIRef("tel:+494042840-3494") in telephones


def test_an_html_page_given_as_a_dcat_source_is_named(recorded_http):
    url = "https://www.ixelles.be/"
    body = b"<!doctype html><html><head><title>Ixelles</title></head></html>"
    with pytest.raises(SourceError, match=f"^{re.escape(url)}: a web page \\(HTML\\)"):
        harvest(recorded_http, {url: (body, "text/html")}, url)


def test_a_remote_json_ld_context_is_fetched_once_for_all_pages(recorded_http, corpus):
    """Two Hydra pages naming the same context: one request for it, through the
    harvest's HTTP client."""
    examples = corpus / "dcat-ap-semic" / "releases" / "3.0.1" / "html" / "examples"
    context_url = (
        "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/"
        "examples/context.jsonld"
    )
    catalogue = "https://data.gov.gr/catalog?page="

    def page(n: int, dataset: str) -> tuple[bytes, str]:
        view = {"@id": f"{catalogue}{n}", "@type": "hydra:PartialCollectionView"}
        if n == 1:
            view["hydra:next"] = {"@id": f"{catalogue}2"}
        dataset_node = {"@id": f"example-ds:{dataset}", "@type": "Dataset", "title": dataset}
        document = {
            "@context": [context_url, {"hydra": "http://www.w3.org/ns/hydra/core#"}],
            "@graph": [dataset_node, view],
        }
        return json.dumps(document).encode(), "application/ld+json"

    pages = {f"{catalogue}1": page(1, "BeePopulation"), f"{catalogue}2": page(2, "Bees2023")}
    pages[context_url] = ((examples / "context.jsonld").read_bytes(), "application/ld+json")
    records, requested = harvest(recorded_http, pages, f"{catalogue}1")

    assert [r.guid for r in records] == [
        "https://data.gov.gr/id/dataset/BeePopulation",
        "https://data.gov.gr/id/dataset/Bees2023",
    ]
    assert requested.count(context_url) == 1
