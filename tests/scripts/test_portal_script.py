"""scripts/portal as a newcomer uses it: a whole portal up from one command.

These tests start a second portal beside the one under test elsewhere, with
its own state directory and ports, so they prove the scripts on an empty
installation without disturbing anything already running.
"""

from __future__ import annotations

import concurrent.futures
import functools
import http.server
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
#: Where a test serves a DCAT source: the one private host:port its portal may harvest.
SOURCE_PORT = 8790

pytestmark = pytest.mark.portal


@dataclass
class Portal:
    env: dict[str, str]
    var: Path
    url: str

    def run(self, command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ROOT / "scripts" / "portal"), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1200,
        )

    @property
    def token(self) -> str:
        return (self.var / "admin-api-token").read_text().strip()

    def pids(self) -> dict[str, int]:
        return {p.stem: int(p.read_text()) for p in (self.var / "run").glob("*.pid")}

    def action(self, action: str, /, **data) -> dict:
        response = requests.post(
            f"{self.url}/api/3/action/{action}",
            json=data,
            headers={"Authorization": self.token},
            timeout=30,
        )
        body = response.json()
        assert body["success"], body
        return body["result"]

    def search(self, **params) -> dict:
        response = requests.get(
            f"{self.url}/api/3/action/package_search", params=params, timeout=30
        )
        return response.json()["result"]


# Moves every port (and the state directory) of the portals these tests start,
# for running them beside other portals on one machine.
SHIFT = int(os.environ.get("WEPULSE_PORTAL_TEST_SHIFT", "0"))


def make_portal(name: str, offset: int, **env) -> Portal:
    offset += SHIFT
    name += f"-{SHIFT}" if SHIFT else ""
    var = ROOT / "var" / name  # under var/: PostgreSQL's user must reach it
    ports = {
        "WEPULSE_PG_PORT": 5432 + offset,
        "WEPULSE_REDIS_PORT": 6379 + offset,
        "WEPULSE_SOLR_PORT": 8983 + offset,
        "WEPULSE_WEB_PORT": 5000 + offset,
        "WEPULSE_DEMO_PORT": 8770 + offset,
    }
    full_env = {
        **os.environ,
        "WEPULSE_VAR": str(var),
        **{k: str(v) for k, v in ports.items()},
        "WEPULSE_HARVEST_ALLOW_PRIVATE": f"127.0.0.1:{SOURCE_PORT + offset}",
        # A harvest job queued through the API ends at the next tick (cron's minute in
        # production): no test waits a minute for it.
        "WEPULSE_TICK_SECONDS": "15",
        **env,
    }
    return Portal(full_env, var, f"http://127.0.0.1:{ports['WEPULSE_WEB_PORT']}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def portal():
    portal = make_portal("test-portal", offset=10)
    portal.run("down")
    shutil.rmtree(portal.var, ignore_errors=True)
    try:
        first_up = portal.run("up")
        assert first_up.returncode == 0, first_up.stdout + first_up.stderr
        yield portal
    finally:  # also after a failed `up`: stop what it started
        portal.run("down")


class QuietFileHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def dcat_source_server(portal):
    """A DCAT catalogue served on loopback, as an authority's site would, at the one
    private host:port the portal may harvest."""
    handler = functools.partial(QuietFileHandler, directory=str(CORPUS))
    host, port = portal.env["WEPULSE_HARVEST_ALLOW_PRIVATE"].split(":")
    server = http.server.ThreadingHTTPServer((host, int(port)), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()  # the next test binds the same port


def test_up_serves_the_action_api_with_our_plugins(portal):
    status = requests.get(f"{portal.url}/api/3/action/status_show", timeout=10).json()["result"]
    assert status["ckan_version"] == "2.11.6"
    assert {"wepulse", "dcat", "harvest", "scheming_datasets", "activity"} <= set(
        status["extensions"]
    )


def test_up_seeds_the_demo_catalogue(portal):
    # (data.gov.be's feed also brings two datasets Ixelles published: harvested.)
    found = portal.search(fq="organization:ixelles -harvest_source_id:*")
    assert [d["name"] for d in found["results"]] == ["ixelles-budget-communal"]
    page = requests.get(f"{portal.url}/dataset/ixelles-budget-communal", timeout=30)
    assert page.status_code == 200 and "Budget communal d&#39;Ixelles" in page.text


def test_up_harvests_the_demo_sources_into_the_catalogue(portal):
    """One source of each type, served from recorded real payloads on loopback."""
    expected = {  # authority -> datasets its demo source gives it, those it published
        # data.gov.be's LDES feed: 37 published by the City of Brussels, 9 naming no
        # publisher; the other 54 go to their publishers (Evere, Bruxelles
        # Environnement, STIB…).
        "bruxelles": 46,
        "evere": 3,
        "bruxelles-environnement": 12,
        "etterbeek": 1,  # an Opendatasoft catalogue; the other is the WFP's
        "schaerbeek": 0,  # a CKAN portal, whose organizations (CRYOS…) published both
        "cpas-ixelles": 4,  # a spreadsheet inventory (and three bad rows, reported)
    }
    found = {  # harvested only: the hand-written demo datasets have no harvest source
        org: portal.search(fq=f"organization:{org} +harvest_source_id:*", rows=0)["count"]
        for org in expected
    }
    assert found == expected
    names = ["demo-data-gov-be-bruxelles", "demo-opendatasoft", "demo-ckan"]
    names += ["demo-cpas-ixelles-inventaire", "demo-geoportail"]
    jobs = {n: portal.action("harvest_source_show", id=n)["status"]["last_job"] for n in names}
    assert all(job["status"] == "Finished" for job in jobs.values()), jobs
    assert jobs["demo-cpas-ixelles-inventaire"]["stats"]["errored"] == 3
    # A geoportal (CSW): federal records, each with its publisher, extent and services.
    geo = portal.search(fq="harvest_source_id:* +inspire_theme:*", rows=20)["results"]
    population = next(d for d in geo if d["harvest_guid"].startswith("0202b8dd"))
    assert (
        population["title_translated"]["nl"] == "Bevolkingsspreiding per statistical sector-België"
    )
    assert population["organization"]["name"] != "bruxelles"
    assert population["spatial_coverage"][0]["bbox"]
    assert {"WMS_SRVC", "ATOM", "GPKG"} <= {r["format"] for r in population["resources"]}
    trees = portal.search(q="Auderghem")
    assert trees["count"] >= 1
    assert trees["results"][0]["harvest_source_title"]


def test_up_scores_every_dataset_and_checks_the_demos_links(portal):
    """The transparency a new user sees: every dataset scored, the demo's own files
    answering 200, all 562 authorities in the overview, charts with their tables."""
    datasets = portal.search(rows=1000, fl="id,name")["results"]
    scores = {
        d["name"]: portal.action("wepulse_dataset_quality_show", id=d["id"]) for d in datasets
    }
    assert datasets and all(q["score"] is not None for q in scores.values())
    budget = scores["charleroi-hopitaux"]
    own = [link for link in budget["links"] if link["url"].startswith(portal.url)]
    assert own and {(link["status"], link["http_status"]) for link in own} == {("ok", 200)}
    assert all(q["band"] in ("excellent", "good", "sufficient", "bad") for q in scores.values())
    overview = requests.get(f"{portal.url}/transparency.json", timeout=60).json()
    assert len(overview["authorities"]) == 562
    assert sum(1 for a in overview["authorities"] if a["datasets"]) >= 15
    card = requests.get(f"{portal.url}/organization/charleroi/quality", timeout=60).text
    assert card.count('class="wepulse-chart"') >= 2
    assert card.count("wepulse-chart-data") >= 2  # each chart's figures as a table


def test_a_dataset_created_through_the_api_is_found_by_search(portal):
    portal.action(
        "package_create",
        name="ixelles-parcs",
        title="Parcs et jardins d'Ixelles",
        notes="Localisation des parcs publics.",
        owner_org="ixelles",
        license_id="cc-by",
    )
    found = portal.search(q="jardins", fq="organization:ixelles")
    assert [d["name"] for d in found["results"]] == ["ixelles-parcs"]
    catalogue = requests.get(f"{portal.url}/catalog.ttl", timeout=30).text
    assert "Parcs et jardins d'Ixelles" in catalogue


def test_a_changed_search_configuration_is_reloaded_and_reindexed(portal, tmp_path):
    """The documented way to teach search a compound: add its part, run `up` again."""
    portal.action(
        "package_create",
        name="ixelles-zwembadtarieven",
        title_translated={"nl": "Zwembadtarieven"},
        notes_translated={"nl": "Toegangsprijzen per leeftijd."},
        owner_org="ixelles",
        license_id="cc-by",
    )
    assert portal.search(q="zwembad", ext_lang="nl")["count"] == 0

    config = tmp_path / "solr"
    shutil.copytree(ROOT / "config" / "solr", config)
    with open(config / "home" / "configsets" / "ckan" / "conf" / "compounds_nl.txt", "a") as f:
        f.write("zwembad\n")
    changed = make_portal("test-portal", offset=10, WEPULSE_SOLR_CONFIG=str(config))
    up = changed.run("up")
    assert up.returncode == 0, up.stdout + up.stderr
    assert "reloading its cores" in up.stdout and "rebuilding the search index" in up.stdout
    found = portal.search(q="zwembad", ext_lang="nl")
    assert [d["name"] for d in found["results"]] == ["ixelles-zwembadtarieven"]

    back = portal.run("up")  # the repository's configuration again, for the other tests
    assert back.returncode == 0 and "reloading its cores" in back.stdout, back.stderr


def test_the_web_server_answers_concurrent_visitors(portal):
    pages = [
        "/",
        "/dataset/",
        "/dataset/ixelles-budget-communal",
        "/organization/ixelles",
        "/api/3/action/package_search?q=budget",
        "/catalog.ttl",
    ] * 8

    def status(path: str) -> int:
        return requests.get(portal.url + path, timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(status, pages))
    assert statuses == [200] * len(pages)


@pytest.mark.parametrize("source_type", ["dcat_rdf", "wepulse_dcat"])
def test_a_harvest_job_runs_through_the_workers(portal, dcat_source_server, source_type):
    """ckanext-dcat's stock harvester, and ours, queued and run by the real workers."""
    source = portal.action(
        "harvest_source_create",
        name=f"ixelles-{source_type.replace('_', '-')}",
        title=f"Ixelles {source_type}",
        url=f"{dcat_source_server}/ckanext-dcat-examples/dcat/catalog.rdf",
        source_type=source_type,
        owner_org="ixelles",
        frequency="MANUAL",
    )
    job = portal.action("harvest_job_create", source_id=source["id"])
    assert job["status"] in ("New", "Running")  # queued, or already picked up
    deadline = time.monotonic() + 180
    while True:
        last_job = portal.action("harvest_source_show", id=source["id"])["status"]["last_job"]
        if last_job["status"] == "Finished" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert last_job["status"] == "Finished", last_job
    assert last_job["stats"]["added"] == 2 and last_job["stats"]["errored"] == 0
    assert portal.search(q="harvest_source_id:" + source["id"])["count"] == 2


def test_a_second_up_is_harmless(portal):
    pids_before = portal.pids()
    datasets_before = portal.search(rows=0)["count"]
    second_up = portal.run("up")
    assert second_up.returncode == 0, second_up.stdout + second_up.stderr
    assert "starting" not in second_up.stdout
    assert portal.pids() == pids_before
    assert portal.search(rows=0)["count"] == datasets_before


def test_down_stops_what_up_started_and_keeps_the_data(portal):
    pids = portal.pids()
    assert {"web", "solr", "redis", "jobs-worker", "gather-consumer", "fetch-consumer"} <= set(pids)
    datasets_before = portal.search(rows=0)["count"]
    down = portal.run("down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert not [name for name, pid in pids.items() if alive(pid)]
    assert not (portal.var / "postgres" / "data" / "postmaster.pid").exists()
    up_again = portal.run("up")
    assert up_again.returncode == 0, up_again.stdout + up_again.stderr
    assert portal.search(rows=0)["count"] == datasets_before


def test_a_broken_solr_core_makes_up_fail_with_solrs_reason(tmp_path):
    broken_config = tmp_path / "solr"
    shutil.copytree(ROOT / "config" / "solr", broken_config)
    schema = broken_config / "home" / "configsets" / "ckan" / "conf" / "schema.xml"
    schema.write_text(
        schema.read_text().replace(
            '<field name="title" type="text"', '<field name="title" type="no_such_type"'
        )
    )
    broken = make_portal("test-broken-solr", offset=20, WEPULSE_SOLR_CONFIG=str(broken_config))
    shutil.rmtree(broken.var, ignore_errors=True)
    try:
        up = broken.run("up")
        assert up.returncode != 0
        assert "core 'ckan' did not load" in up.stderr
        assert "no_such_type" in up.stderr
        assert "Solr did not start" in up.stderr
        assert not [name for name, pid in broken.pids().items() if alive(pid)]
    finally:
        broken.run("down")
        shutil.rmtree(broken.var, ignore_errors=True)
