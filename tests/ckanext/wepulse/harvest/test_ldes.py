"""data.gov.be's LDES feed harvested through the real stack: each dataset is written
with its distributions and its publisher's statements, members being pages apart,
and a re-harvest reads only the feed's last page.

The feed is the shared corpus's real slice (pages 9, 195-202, 939-940), served on
loopback with the pages between them empty but chained, as the demo serves it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from ckan.tests import factories, helpers
from rdflib import Dataset as RdfDataset
from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckanext.wepulse.harvest import batches, sync
from harvesters.fixtures import LDES_PAGE, FixtureServer, ldes_feed, ldes_member, ldes_page

from ..conftest import allowing, harvested, make_source

SLICE = Path(__file__).resolve().parents[4].parent / "shared/corpus/belgium/data.gov.be/ldes-slice"
AS = Namespace("https://www.w3.org/ns/activitystreams#")
TRIG = "application/trig"


def slice_pages() -> dict[int, Path]:
    return {int(p.stem.split("_")[1]): p for p in SLICE.glob("page_*.trig")}


def source_graph() -> RdfDataset:
    """The whole slice as rdflib reads it, independently of the adapter."""
    graph = RdfDataset(default_union=True)
    for page in SLICE.glob("page_*.trig"):
        graph.parse(page, format="trig", publicID=f"https://example.org/{page.stem}/index.trig")
    return graph


@pytest.fixture
def authority(clean_db, clean_index):
    return factories.Organization(name="bruxelles", title="Bruxelles / Brussel")


@pytest.fixture
def store_dir(tmp_path):
    with helpers.changed_config("ckanext.wepulse.harvest.store_dir", str(tmp_path)):
        yield tmp_path


def make_ldes_source(server, authority, path: str) -> dict:
    # Every dataset is the source's, whoever publishes it: these tests are about what
    # a dataset says, not which authority it goes to.
    return make_source(server, authority, "data-gov-be", path, config={"attribution": "owner"})


def test_the_slice_gives_each_dataset_its_distributions_and_publisher(authority, store_dir):
    graph = source_graph()
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    server = FixtureServer(ldes_feed(slice_pages()), etags=True)
    with server, allowing(server):
        source = make_ldes_source(server, authority, LDES_PAGE.format(n=9))
        _job, summary = sync.run_source(source["name"])
        first_requests = len(server.requests)

        assert (summary.added, summary.errors, summary.incomplete) == (100, 0, None)
        found = harvested(source)
        assert set(found) == {str(d) for d in datasets}
        for subject in datasets:
            dataset = found[str(subject)]
            links = set(graph.objects(subject, DCAT.distribution))
            assert links, subject
            assert len(dataset["resources"]) == len(links), subject
            urls = {
                str(o)
                for link in links
                for o in [
                    *graph.objects(link, DCAT.downloadURL),
                    *graph.objects(link, DCAT.accessURL),
                ]
            }
            assert all(r["url"] in urls for r in dataset["resources"])
            publisher = graph.value(subject, DCTERMS.publisher)
            if publisher is None:  # 9 of the 100 name none
                assert not dataset.get("publisher"), subject
                continue
            names = {str(n) for n in graph.objects(publisher, FOAF.name)}
            assert names, publisher  # in the agent's own member, 700-odd pages later
            (kept,) = dataset["publisher"]
            assert kept["uri"] == str(publisher)
            assert names & {kept.get("name"), *(kept.get("name_translated") or {}).values()}

        # The City of Brussels by name, from its agent member on page 939.
        permits = found[
            "http://data.gov.be/dataset/brussels/demandes-de-permis-environnement-introduites-vbx"
        ]
        assert "Ville de Bruxelles" in json.dumps(permits["publisher"], ensure_ascii=False)

        # Its own store on disk, holding the feed's members, not the harvest's memory.
        (store,) = store_dir.glob("*.sqlite3")
        with sqlite3.connect(store) as db:
            (members,) = db.execute("SELECT count(*) FROM members").fetchone()
        assert members == len(set(graph.subjects(AS.object, None)))

        # Nothing changed: only the last page is asked again (and answers 304).
        _job, again = sync.run_source(source["name"])
        assert (again.added, again.updated, again.unchanged, again.withdrawn) == (0, 0, 100, 0)
        assert len(server.requests) - first_requests == 1
        assert server.requests[-1] == LDES_PAGE.format(n=941)
        assert server.statuses[-1] == 304


DATASET = "http://data.gov.be/dataset/brussels/toilettes-publiques-vbx"
DIST = "http://data.gov.be/dist/brussels/toilettes/csv"


def dataset_member(n: int) -> str:
    return ldes_member(
        n,
        DATASET,
        "2025-02-06T18:49:21.000Z",
        f'a <{DCAT}Dataset> ; <{DCTERMS}title> "Toilettes publiques"@fr ;'
        f' <{DCTERMS}description> "Les toilettes publiques de la Ville."@fr ;'
        f" <{DCAT}distribution> <{DIST}> .",
    )


def distribution_member(n: int, published: str, download: str) -> str:
    return ldes_member(
        n,
        DIST,
        published,
        f"a <{DCAT}Distribution> ; <{DCAT}downloadURL> <{download}> ;"
        f" <{DCTERMS}format> <http://publications.europa.eu/resource/authority/file-type/CSV> .",
    )


def test_a_later_page_changing_a_distribution_updates_its_dataset(authority, store_dir):
    routes = ldes_feed(
        {
            1: ldes_page(dataset_member(1), next_page=2),
            2: ldes_page(
                distribution_member(2, "2025-02-06T18:50:00.000Z", "https://x.be/v1.csv"),
                next_page=3,
            ),
        }
    )
    server = FixtureServer(routes, etags=True)
    with server, allowing(server):
        source = make_ldes_source(server, authority, LDES_PAGE.format(n=1))
        _job, summary = sync.run_source(source["name"])
        assert (summary.added, summary.errors) == (1, 0)
        (resource,) = harvested(source)[DATASET]["resources"]
        assert resource["url"] == "https://x.be/v1.csv"

        # The feed goes on: its last page now leads to a page with a newer version
        # of the distribution (data.gov.be's way: a new member, the same entity).
        server.routes[LDES_PAGE.format(n=3)] = lambda _q: (200, TRIG, ldes_page(next_page=4))
        server.routes[LDES_PAGE.format(n=4)] = lambda _q: (
            200,
            TRIG,
            ldes_page(distribution_member(3, "2025-03-01T08:00:00.000Z", "https://x.be/v2.csv")),
        )
        before = len(server.requests)
        _job, summary = sync.run_source(source["name"])

        assert (summary.added, summary.updated, summary.errors) == (0, 1, 0)
        (resource,) = harvested(source)[DATASET]["resources"]
        assert resource["url"] == "https://x.be/v2.csv"
        # The pages before the last were not asked again.
        assert server.requests[before:] == [LDES_PAGE.format(n=n) for n in (3, 4)]


def test_a_dataset_not_saved_comes_again_from_the_store_with_its_payload(
    authority, store_dir, monkeypatch
):
    """Its write failed: on the next harvest, with nothing changed in the feed, the
    store describes it again for the writers, instead of a payload-less "unchanged"."""
    other = "http://data.gov.be/dataset/brussels/urinoirs-vbx"
    other_member = ldes_member(
        3,
        other,
        "2025-02-06T18:49:21.000Z",
        f'a <{DCAT}Dataset> ; <{DCTERMS}title> "Urinoirs"@fr .',
    )
    routes = ldes_feed(
        {
            1: ldes_page(dataset_member(1), other_member, next_page=2),
            2: ldes_page(distribution_member(2, "2025-02-06T18:50:00.000Z", "https://x.be/v1.csv")),
        }
    )
    server = FixtureServer(routes, etags=True)
    with server, allowing(server):
        source = make_ldes_source(server, authority, LDES_PAGE.format(n=1))
        write = batches._write

        def failing_for_one(source_, record, *args):
            if record.guid == DATASET:
                raise ConnectionError("the database went away")
            return write(source_, record, *args)

        monkeypatch.setattr(batches, "_write", failing_for_one)
        _job, first = sync.run_source(source["name"])
        assert (first.added, first.errors) == (1, 1)
        monkeypatch.undo()

        _job, again = sync.run_source(source["name"])

        assert (again.added, again.unchanged, again.errors) == (1, 1, 0)
        (resource,) = harvested(source)[DATASET]["resources"]
        assert resource["url"] == "https://x.be/v1.csv"
