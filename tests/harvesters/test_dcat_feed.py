"""The DCAT adapter on a whole LDES feed: data.gov.be's real slice (a dataset's
distributions and publisher are members of their own, hundreds of pages apart), its
member store on disk, and incremental re-harvests that read only the last page.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from rdflib import Dataset as RdfDataset
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from harvesters.base import Record
from harvesters.dcat import DcatAdapter
from harvesters.fixtures import LDES_PAGE, ldes_feed, ldes_member, ldes_page

SITE = "https://fedict.github.io/dcat"
TRIG = "application/trig"
PERMITS = "http://data.gov.be/dataset/brussels/demandes-de-permis-environnement-introduites-vbx"
CITY = "https://org.belgif.be/id/CbeRegisteredEntity/0207373429"


def url(n: int) -> str:
    return SITE + LDES_PAGE.format(n=n).removeprefix("/dcat")


@pytest.fixture
def slice_dir(corpus) -> Path:
    return corpus / "belgium" / "data.gov.be" / "ldes-slice"


@pytest.fixture
def slice_pages(slice_dir) -> dict[int, bytes]:
    return {int(p.stem.split("_")[1]): p.read_bytes() for p in slice_dir.glob("page_*.trig")}


@pytest.fixture
def source_graph(slice_dir) -> RdfDataset:
    """The whole slice as rdflib reads it, independently of the adapter."""
    graph = RdfDataset(default_union=True)
    for page in slice_dir.glob("page_*.trig"):
        graph.parse(page, format="trig", publicID=f"https://example.org/{page.stem}/index.trig")
    return graph


def feed(pages: dict[int, bytes]) -> dict[str, tuple[bytes, str]]:
    """What the server answers: the pages, those between them empty but chained."""
    return {
        SITE + path.removeprefix("/dcat"): (route({})[2], TRIG)
        for path, route in ldes_feed(pages).items()
    }


def chained(bodies: list[bytes]) -> dict[str, tuple[bytes, str]]:
    """The pages in this order, each one's relation pointing at the next page."""
    relation = re.compile(rb"<\.\./2025-02-05T15%3A28%3A07\.500Z_123187500_\d+/index\.trig>")
    folder = LDES_PAGE.split("/")[-2]
    pages = {}
    for n, body in enumerate(bodies, start=1):
        target = f"<../{folder.format(n=n + 1)}/index.trig>".encode()
        if relation.search(body):
            pages[n] = relation.sub(target, body)
        else:
            pages[n] = (
                body
                + b"<index.trig> <https://w3id.org/tree#relation> [ <https://w3id.org/tree#node> "
                + target
                + b" ] .\n"
            )
    return feed(pages)


class Harvests:
    """Harvests of one source, as the portal runs them: memory kept between them,
    the member store in a directory of its own."""

    def __init__(self, recorded_http, store_dir: Path) -> None:
        self.recorded_http, self.store_dir = recorded_http, store_dir
        self.memory: dict = {}

    def run(self, responses, start: str = url(1)) -> tuple[list[Record], list[str]]:
        http = self.recorded_http(responses)
        adapter = DcatAdapter(start, http, {"store_dir": str(self.store_dir)}, memory=self.memory)
        return list(adapter.records()), http.requested


def by_guid(records) -> dict[str, Record]:
    return {r.guid: r for r in records}


def payload_graph(record: Record) -> Graph:
    graph = Graph()
    graph.parse(data=record.payload, format="nt")
    return graph


def test_each_dataset_gets_its_distributions_and_publisher_from_other_pages(
    recorded_http, slice_pages, source_graph, tmp_path
):
    records, requested = Harvests(recorded_http, tmp_path).run(feed(slice_pages), url(9))

    # Pages 9 to 941, those between the recorded ones empty; each read once.
    assert requested == [url(n) for n in range(9, 942)]
    datasets = set(source_graph.subjects(RDF.type, DCAT.Dataset))
    assert sorted(r.guid for r in records) == sorted(str(d) for d in datasets)
    described = 0
    for record in records:
        graph = payload_graph(record)
        subject = URIRef(record.guid)
        links = set(source_graph.objects(subject, DCAT.distribution))
        assert links and set(graph.objects(subject, DCAT.distribution)) == links
        for link in links:  # each distribution as its own member says it
            assert set(graph.predicate_objects(link)) == set(source_graph.predicate_objects(link))
            described += 1
        publisher = source_graph.value(subject, DCTERMS.publisher)
        if publisher is not None:
            names = set(source_graph.objects(publisher, FOAF.name))
            assert names and set(graph.objects(publisher, FOAF.name)) == names
        # Other datasets stay out of this one's description.
        assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {subject}
    assert described == 682
    permits = payload_graph(by_guid(records)[PERMITS])
    assert {str(n) for n in permits.objects(URIRef(CITY), FOAF.name)} == {
        "Ville de Bruxelles",
        "Stad Brussel",
        "City of Brussels",
    }


def test_the_store_is_a_file_of_its_own_holding_the_members(
    recorded_http, slice_pages, source_graph, tmp_path
):
    harvests = Harvests(recorded_http, tmp_path)
    harvests.run(feed({9: slice_pages[9]}), url(9))
    (store,) = tmp_path.glob("*.sqlite3")
    small = store.stat().st_size
    # The source's harvest memory only names it; the members are in the file.
    assert set(harvests.memory) == {"feed_store"}
    assert harvests.memory["feed_store"]["id"] in store.name

    harvests.memory = {}  # forgotten (a forced harvest): a new store, the old one gone
    harvests.run(feed(slice_pages), url(9))
    (store,) = tmp_path.glob("*.sqlite3")
    assert store.stat().st_size > 2 * small
    with sqlite3.connect(store) as db:
        (distributions,) = db.execute(
            "SELECT count(*) FROM said WHERE instr(body, ?)",
            (f"<{RDF.type}> <{DCAT.Distribution}>",),
        ).fetchone()
    # All the slice's distributions (its pages hold other datasets' too).
    assert distributions == len(set(source_graph.subjects(RDF.type, DCAT.Distribution)))


def test_pages_out_of_order_and_a_member_repeated_give_the_same_records(
    recorded_http, slice_pages, tmp_path
):
    in_order = [slice_pages[n] for n in sorted(slice_pages)]
    reordered = [in_order[-1], *in_order[1:-1][::-1], in_order[0], in_order[3]]
    first, _ = Harvests(recorded_http, tmp_path / "a").run(chained(in_order))
    again, requested = Harvests(recorded_http, tmp_path / "b").run(chained(reordered))

    assert len(requested) == len(reordered) + 1  # and the empty last page
    assert len(first) == 100
    assert {r.guid: r.content_hash for r in again} == {r.guid: r.content_hash for r in first}


AS = "https://www.w3.org/ns/activitystreams#"
TOILETS = "http://data.gov.be/dataset/brussels/toilettes-publiques-vbx"
CSV = "http://data.gov.be/dist/brussels/toilettes/csv"


TOILETS_MEMBER = ldes_member(
    1,
    TOILETS,
    "2025-02-06T18:00:00Z",
    f'a <{DCAT}Dataset> ; <{DCTERMS}title> "Toilettes publiques"@fr ;'
    f" <{DCAT}distribution> <{CSV}> .",
)


def csv_member(n: int, published: str, download: str) -> str:
    return ldes_member(
        n, CSV, published, f"a <{DCAT}Distribution> ; <{DCAT}downloadURL> <{download}> ."
    )


def test_an_unchanged_reharvest_reads_only_the_last_page_and_yields_every_dataset(
    recorded_http, slice_pages, tmp_path
):
    harvests = Harvests(recorded_http, tmp_path)
    first, _ = harvests.run(feed(slice_pages), url(9))
    again, requested = harvests.run(feed(slice_pages), url(9))

    assert requested == [url(941)]
    assert [(r.guid, r.content_hash) for r in again] == [(r.guid, r.content_hash) for r in first]
    assert all(r.payload is None for r in again)  # unchanged: not mapped again


def test_a_dataset_the_harvest_could_not_save_comes_again_with_its_payload(
    recorded_http, slice_pages, tmp_path
):
    harvests = Harvests(recorded_http, tmp_path)
    first, _ = harvests.run(feed(slice_pages), url(9))
    DcatAdapter(url(9), None, {"store_dir": str(tmp_path)}, memory=harvests.memory).forget(
        {PERMITS}
    )

    again, requested = harvests.run(feed(slice_pages), url(9))

    assert requested == [url(941)]  # no page read again for it
    assert [r.guid for r in again if r.payload is not None] == [PERMITS]
    assert by_guid(again)[PERMITS].payload == by_guid(first)[PERMITS].payload
    assert len(again) == len(first)


def test_a_distribution_arriving_on_a_new_page_rewrites_its_dataset(recorded_http, tmp_path):
    harvests = Harvests(recorded_http, tmp_path)
    pages = {1: ldes_page(TOILETS_MEMBER, next_page=2)}
    (first,), _ = harvests.run(feed(pages))
    assert "downloadURL" not in first.payload  # its distribution is not published yet

    # The feed goes on: its last page (2) now leads to one with the distribution.
    pages[2] = ldes_page(next_page=3)
    pages[3] = ldes_page(csv_member(2, "2025-02-07T09:00:00Z", "https://x.be/v1.csv"))
    (second,), requested = harvests.run(feed(pages))
    assert requested == [url(2), url(3)]
    assert "<https://x.be/v1.csv>" in second.payload
    assert second.content_hash != first.content_hash

    # A newer version of the distribution on a later page changes the dataset again.
    pages[3] = ldes_page(csv_member(2, "2025-02-07T09:00:00Z", "https://x.be/v1.csv"), next_page=4)
    pages[4] = ldes_page(csv_member(3, "2025-03-01T09:00:00Z", "https://x.be/v2.csv"))
    (third,), requested = harvests.run(feed(pages))
    assert requested == [url(3), url(4)]
    assert "<https://x.be/v2.csv>" in third.payload and "v1.csv" not in third.payload

    # An older version served late (a page out of order) changes nothing.
    pages[4] = ldes_page(csv_member(3, "2025-03-01T09:00:00Z", "https://x.be/v2.csv"), next_page=5)
    pages[5] = ldes_page(csv_member(4, "2025-02-08T09:00:00Z", "https://x.be/old.csv"))
    (fourth,), _ = harvests.run(feed(pages))
    assert fourth.payload is None and fourth.content_hash == third.content_hash


def test_a_delete_event_on_a_later_page_deletes_the_dataset_even_read_first(
    recorded_http, tmp_path
):
    delete = ldes_member(9, TOILETS, "2025-02-09T09:00:00Z", "", kind="Delete")
    in_order = [ldes_page(TOILETS_MEMBER), ldes_page(delete)]
    for name, bodies in (("in-order", in_order), ("delete-first", in_order[::-1])):
        records, _ = Harvests(recorded_http, tmp_path / name).run(chained(bodies))
        assert [(r.guid, r.deleted) for r in records] == [(TOILETS, True)], name

    # Incrementally: created on one harvest, deleted on the next.
    harvests = Harvests(recorded_http, tmp_path / "incremental")
    pages = {1: ldes_page(TOILETS_MEMBER, next_page=2)}
    (created,), _ = harvests.run(feed(pages))
    assert not created.deleted
    pages[2] = ldes_page(delete)
    records, _ = harvests.run(feed(pages))
    assert [(r.guid, r.deleted) for r in records] == [(TOILETS, True)]


def test_a_store_the_harvest_does_not_remember_is_read_again_whole(recorded_http, tmp_path):
    """The harvest's memory is what it saved: a run it could not finish (its memory
    not saved) leaves a store it must not trust for what is unchanged."""
    harvests = Harvests(recorded_http, tmp_path)
    pages = {1: ldes_page(TOILETS_MEMBER, next_page=2)}
    harvests.run(feed(pages))
    saved = dict(harvests.memory["feed_store"])
    harvests.run(feed(pages))  # a run whose memory is then lost
    harvests.memory = {"feed_store": saved}
    (record,), requested = harvests.run(feed(pages))

    assert requested == [url(1), url(2)]
    assert record.payload is not None
