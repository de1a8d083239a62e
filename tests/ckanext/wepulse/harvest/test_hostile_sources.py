"""A hostile source fails its own harvest job, with a clear error, and the next source
is harvested as usual: through the real stack (sources on loopback, PostgreSQL, Solr).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ckan.plugins import get_plugin
from ckan.plugins import toolkit as tk
from ckanext.harvest.model import HarvestJob

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, file

from ..conftest import allowing, make_source

BILLION_LAUGHS = Path(__file__).resolve().parents[3] / "fixtures/hostile/billion-laughs.rdf"
GOOD = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://example.be/ds/a> a dcat:Dataset ; dct:title "Arbres"@fr ;
  dcat:distribution [ a dcat:Distribution ; dcat:accessURL <http://example.be/a.csv> ] ."""


@pytest.fixture
def server():
    routes = {
        "/laughs.rdf": file(BILLION_LAUGHS, "application/rdf+xml"),
        "/good.ttl": lambda _query: (200, "text/turtle", GOOD),
    }
    with FixtureServer(routes) as running, allowing(running):
        yield running


def source_for(server, authority, path, source_type="wepulse_dcat", config=None):
    """A source named after its type and path, so that each case has its own."""
    name = f"{source_type}-{path.strip('/').replace('.', '-')}".replace("_", "-")
    return make_source(server, authority, name, path, source_type, config)


def gather_errors(job) -> list[str]:
    report = tk.get_action("harvest_job_report")(site_context(), {"id": job.id})
    return [error["message"] for error in report["gather_errors"]]


def test_a_document_with_entities_fails_its_job_and_the_next_source_is_harvested(server, authority):
    laughs = source_for(server, authority, "/laughs.rdf")
    job, summary = sync.run_source(laughs["name"])

    assert job.status == "Finished" and summary.added == 0
    assert summary.incomplete.startswith(f"{server.url}/laughs.rdf: refused, an XML document")
    [error] = gather_errors(job)
    assert f"{server.url}/laughs.rdf: refused" in error

    # ckanext-dcat's own harvester, in the same worker: refused before rdflib parses.
    stock = source_for(server, authority, "/laughs.rdf", "dcat_rdf", {"rdf_format": "xml"})
    job_dict = tk.get_action("harvest_job_create")(
        site_context(), {"source_id": stock["id"], "run": False}
    )
    stock_job = HarvestJob.get(job_dict["id"])
    assert get_plugin("dcat_rdf_harvester").gather_stage(stock_job) == []
    assert any(f"{server.url}/laughs.rdf: refused" in e for e in gather_errors(stock_job))

    good = source_for(server, authority, "/good.ttl")
    _job, summary = sync.run_source(good["name"])
    assert (summary.added, summary.incomplete) == (1, None)


@pytest.mark.usefixtures("ckan_config")
@pytest.mark.ckan_config("ckanext.wepulse.harvest.max_memory_mb", 100)
def test_a_source_past_the_memory_limit_fails_its_job_and_the_worker_lives_on(
    server, authority, monkeypatch
):
    from harvesters.dcat import DcatAdapter

    def greedy(self):
        # A parser gone wild: 512 MB at most, should the limit ever fail to stop it.
        hoard = [bytearray(16 * 2**20) for _ in range(32)]
        yield from ()  # records() is a generator
        del hoard

    greedy_source = source_for(server, authority, "/laughs.rdf")
    with monkeypatch.context() as patch:
        patch.setattr(DcatAdapter, "records", greedy)
        job, summary = sync.run_source(greedy_source["name"])

    assert job.status == "Finished" and summary.withdrawn == 0
    assert summary.incomplete == (
        "the harvest used more than 100 MB of memory (MemoryError while reading the source)"
    )
    [error] = gather_errors(job)
    assert "100" in error and "ckanext.wepulse.harvest.max_memory_mb" in error

    good = source_for(server, authority, "/good.ttl")
    _job, summary = sync.run_source(good["name"])
    assert (summary.added, summary.incomplete) == (1, None)
