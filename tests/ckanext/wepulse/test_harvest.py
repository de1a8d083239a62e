"""Harvests through the real stack: sources served over HTTP on loopback, datasets
written to PostgreSQL and Solr by ckanext.wepulse.harvest.

Each test plays an authority's source changing between harvests, or misbehaving,
and checks what a citizen and the publisher then see.
"""

from __future__ import annotations

import configparser
import logging
import time
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import helpers
from ckanext.harvest.model import HarvestObject

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import LDES_PAGE, FixtureServer, demo_routes, file

from .conftest import TURTLE, allowing, catalogue, harvested, make_source, turtle

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
DEMO_SOURCES = Path(__file__).resolve().parents[3] / "ckanext-wepulse/ckanext/wepulse/demo/sources"


@pytest.fixture
def server():
    with FixtureServer({}) as running, allowing(running):
        yield running


#: The CLI reads its settings afresh from a file: test.ini, allowing the fixture server.
CLI_INI = """[app:main]
use = config:{test_ini}
ckanext.wepulse.harvest.allow_private = {allowed}

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARNING
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %(levelname)s [%(name)s] %(message)s
"""


@pytest.fixture
def cli(ckan_config, server, tmp_path):
    ini = tmp_path / "cli.ini"
    allowed = server.url.removeprefix("http://")
    ini.write_text(CLI_INI.format(test_ini=ckan_config["__file__"], allowed=allowed))
    return helpers.CKANCliRunner(env={"CKAN_INI": str(ini)})


def object_errors(job) -> list[str]:
    """The harvest object errors of a job, as ckanext-harvest's job report lists them."""
    report = tk.get_action("harvest_job_report")(site_context(), {"id": job.id})
    per_object = report["object_errors"].values()
    return [error["message"] for errors in per_object for error in errors["errors"]]


class TestIncrementalHarvest:
    def test_first_harvest_publishes_each_dataset_under_the_authority_with_provenance(
        self, server, authority
    ):
        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
        source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")

        job, summary = sync.run_source(source["name"])

        assert (summary.added, summary.errors, summary.incomplete) == (2, 0, None)
        datasets = harvested(source)  # found through Solr: the batch was indexed
        trees = datasets["http://example.be/ds/a"]
        assert trees["title_translated"]["fr"] == "Arbres"
        assert trees["owner_org"] == authority["id"]
        assert trees["theme"] == [
            "http://publications.europa.eu/resource/authority/data-theme/ENVI"
        ]
        assert trees["resources"][0]["format"] == "CSV"
        # The source names no distribution: each is named after its file.
        assert trees["resources"][0]["name_translated"]["fr"] == "a.csv"
        assert trees["harvest_source_title"] == "Source ixelles-dcat"
        assert trees["harvest_url"] == "http://example.be/ds/a"
        assert trees["harvest_first"] == trees["harvest_last"]
        assert job.status == "Finished"

    def test_reharvest_with_nothing_changed_rewrites_nothing(self, server, authority):
        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
        source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
        sync.run_source(source["name"])
        before = {guid: d["metadata_modified"] for guid, d in harvested(source).items()}

        _job, summary = sync.run_source(source["name"])

        assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 2)
        after = {guid: d["metadata_modified"] for guid, d in harvested(source).items()}
        assert after == before

    def test_a_changed_record_updates_its_dataset_in_place(self, server, authority):
        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
        source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
        sync.run_source(source["name"])
        first = harvested(source)["http://example.be/ds/a"]

        time.sleep(0.01)
        server.routes["/dcat.ttl"] = turtle(
            catalogue(("a", "Arbres remarquables"), ("b", "Bancs publics"))
        )
        _job, summary = sync.run_source(source["name"])

        assert (summary.updated, summary.unchanged, summary.added) == (1, 1, 0)
        now = harvested(source)["http://example.be/ds/a"]
        assert now["id"] == first["id"] and now["name"] == first["name"]
        assert now["title_translated"]["fr"] == "Arbres remarquables"
        assert now["harvest_first"] == first["harvest_first"]
        assert now["harvest_last"] > first["harvest_last"]

    def test_a_record_gone_from_the_source_is_withdrawn_and_comes_back_with_it(
        self, server, authority
    ):
        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
        source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
        sync.run_source(source["name"])
        benches = harvested(source)["http://example.be/ds/b"]

        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres")))
        _job, summary = sync.run_source(source["name"])
        assert (summary.withdrawn, summary.unchanged) == (1, 1)
        assert set(harvested(source)) == {"http://example.be/ds/a"}
        shown = tk.get_action("package_show")(site_context(), {"id": benches["id"]})
        assert shown["state"] == "deleted"

        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
        _job, summary = sync.run_source(source["name"])
        assert summary.updated == 1
        back = tk.get_action("package_show")(site_context(), {"id": benches["id"]})
        assert (back["state"], back["name"]) == ("active", benches["name"])

    def test_two_sources_listing_the_same_dataset_make_one_dataset(self, server, authority):
        server.routes["/commune.ttl"] = turtle(catalogue(("a", "Arbres")))
        server.routes["/region.ttl"] = turtle(catalogue(("a", "Arbres"), ("c", "Cimetières")))
        commune = make_source(server, authority, "commune", "/commune.ttl")
        region = make_source(server, authority, "region", "/region.ttl")

        sync.run_source(commune["name"])
        job, summary = sync.run_source(region["name"])

        assert (summary.added, summary.duplicates) == (1, 1)
        found = tk.get_action("package_search")(
            site_context(), {"fq": 'uri:"http://example.be/ds/a"'}
        )
        assert found["count"] == 1
        assert any("already harvested from Source commune" in m for m in object_errors(job))
        # Harvesting the region again changes nothing either.
        _job, again = sync.run_source(region["name"])
        assert (again.added, again.duplicates) == (0, 1)

    def test_datasets_with_the_same_title_from_two_sources_get_different_names(
        self, server, authority
    ):
        server.routes["/one.ttl"] = turtle(catalogue(("x", "Budget communal")))
        server.routes["/two.ttl"] = turtle(catalogue(("y", "Budget communal")))
        sync.run_source(make_source(server, authority, "one", "/one.ttl")["name"])
        sync.run_source(make_source(server, authority, "two", "/two.ttl")["name"])

        names = sorted(
            d["name"]
            for d in tk.get_action("package_search")(site_context(), {"q": "Budget"})["results"]
        )
        assert names == ["budget-communal", "budget-communal-2"]


class TestConditionalRequests:
    """A source whose server tags its pages (ETag) is not downloaded again unchanged."""

    @pytest.fixture
    def tagging_server(self):
        with FixtureServer({}, etags=True) as running, allowing(running):
            yield running

    def paged(self, server, first_page_titles, second_page_titles):
        server.routes["/p1.ttl"] = turtle(
            catalogue(*first_page_titles, next_page=server.url + "/p2.ttl")
        )
        server.routes["/p2.ttl"] = turtle(catalogue(*second_page_titles))

    def test_unchanged_pages_are_not_downloaded_again(self, tagging_server, authority):
        self.paged(tagging_server, [("a", "Arbres")], [("b", "Bancs publics")])
        source = make_source(tagging_server, authority, "tagged", "/p1.ttl")
        sync.run_source(source["name"])
        tagging_server.statuses.clear()

        _job, summary = sync.run_source(source["name"])

        assert tagging_server.statuses == [304, 304]
        assert (summary.unchanged, summary.added, summary.withdrawn) == (2, 0, 0)

    def test_a_server_that_starts_tagging_its_pages_is_then_asked_conditionally(
        self, tagging_server, authority
    ):
        self.paged(tagging_server, [("a", "Arbres")], [("b", "Bancs publics")])
        source = make_source(tagging_server, authority, "tagged", "/p1.ttl")
        tagging_server.etags = False
        sync.run_source(source["name"])
        tagging_server.etags = True
        sync.run_source(source["name"])  # learns the ETags
        tagging_server.statuses.clear()

        sync.run_source(source["name"])

        assert tagging_server.statuses == [304, 304]

    def test_a_page_with_a_record_not_saved_is_read_again(self, tagging_server, authority):
        """A record the last harvest did not save (here a duplicate of another source's)
        cannot be taken from memory: its page is asked for and read again, and the
        record is a duplicate again, not an error."""
        tagging_server.routes["/commune.ttl"] = turtle(catalogue(("a", "Arbres")))
        self.paged(tagging_server, [("a", "Arbres")], [("b", "Bancs publics")])
        sync.run_source(make_source(tagging_server, authority, "commune", "/commune.ttl")["name"])
        region = make_source(tagging_server, authority, "region", "/p1.ttl")
        sync.run_source(region["name"])
        tagging_server.statuses.clear()

        _job, again = sync.run_source(region["name"])

        assert tagging_server.statuses == [200, 304]
        assert (again.duplicates, again.unchanged, again.errors) == (1, 1, 0)

    def test_a_changed_page_is_read_and_its_changes_applied(self, tagging_server, authority):
        self.paged(tagging_server, [("a", "Arbres")], [("b", "Bancs publics"), ("c", "Cimes")])
        source = make_source(tagging_server, authority, "tagged", "/p1.ttl")
        sync.run_source(source["name"])
        tagging_server.statuses.clear()

        self.paged(tagging_server, [("a", "Arbres")], [("c", "Cimes remarquables")])
        _job, summary = sync.run_source(source["name"])

        assert tagging_server.statuses == [304, 200]
        assert (summary.unchanged, summary.updated, summary.withdrawn) == (1, 1, 1)
        assert set(harvested(source)) == {"http://example.be/ds/a", "http://example.be/ds/c"}

    def test_force_reads_and_writes_everything_again(self, tagging_server, authority):
        self.paged(tagging_server, [("a", "Arbres")], [("b", "Bancs publics")])
        source = make_source(tagging_server, authority, "tagged", "/p1.ttl")
        sync.run_source(source["name"])
        tagging_server.statuses.clear()

        _job, summary = sync.run_source(source["name"], force=True)

        assert tagging_server.statuses == [200, 200]
        assert (summary.updated, summary.unchanged) == (2, 0)

    def test_after_an_upgrade_of_the_mapping_everything_is_mapped_again(
        self, tagging_server, authority, monkeypatch
    ):
        self.paged(tagging_server, [("a", "Arbres")], [("b", "Bancs publics")])
        source = make_source(tagging_server, authority, "tagged", "/p1.ttl")
        sync.run_source(source["name"])
        tagging_server.statuses.clear()

        monkeypatch.setattr(sync, "mapping_version", lambda: "the next release")
        _job, upgraded = sync.run_source(source["name"])
        _job, after = sync.run_source(source["name"])

        # Pages remembered unchanged are read again: their records need mapping too.
        assert tagging_server.statuses == [200, 200, 304, 304]
        assert (upgraded.updated, upgraded.unchanged, upgraded.errors) == (2, 0, 0)
        assert (after.updated, after.unchanged) == (0, 2)


def test_the_mapping_version_covers_files_that_exist():
    # A renamed module would silently drop out of the digest.
    assert all(path.exists() for path in sync.MAPPED_BY)
    assert len(sync.mapping_version()) == 64


@pytest.mark.usefixtures("ckan_config")
@pytest.mark.ckan_config("ckanext.wepulse.harvest.retries", 0)
class TestFaults:
    """Each fault gives a clear error, on its record or on the job; the good records
    beside it are kept, and nothing already published is withdrawn by mistake."""

    def harvest_after_a_good_one(self, server, authority, bad_route):
        server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
        source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
        sync.run_source(source["name"])
        server.routes["/dcat.ttl"] = bad_route
        job, summary = sync.run_source(source["name"])
        return source, job, summary

    def assert_nothing_withdrawn(self, source, summary):
        assert summary.withdrawn == 0
        assert set(harvested(source)) == {"http://example.be/ds/a", "http://example.be/ds/b"}

    def gather_errors(self, job) -> list[str]:
        report = tk.get_action("harvest_job_report")(site_context(), {"id": job.id})
        return [error["message"] for error in report["gather_errors"]]

    def test_a_server_error_keeps_what_was_published(self, server, authority):
        source, job, summary = self.harvest_after_a_good_one(
            server, authority, lambda _q: (500, "text/plain", b"boom")
        )
        assert "HTTP 500" in summary.incomplete
        assert any("HTTP 500" in str(e) for e in self.gather_errors(job))
        self.assert_nothing_withdrawn(source, summary)

    @pytest.mark.ckan_config("ckanext.wepulse.harvest.timeout", 1)
    def test_a_source_that_does_not_answer_in_time(self, server, authority):
        def slow(_query):
            time.sleep(2)
            return 200, TURTLE, catalogue()

        source, _job, summary = self.harvest_after_a_good_one(server, authority, slow)
        assert "timed out" in summary.incomplete
        self.assert_nothing_withdrawn(source, summary)

    def test_a_truncated_body(self, server, authority):
        body = catalogue(("a", "Arbres"))
        source, _job, summary = self.harvest_after_a_good_one(
            server,
            authority,
            lambda _q: (200, TURTLE, body[:100], {"Content-Length": str(len(body))}),
        )
        assert "truncated" in summary.incomplete
        self.assert_nothing_withdrawn(source, summary)

    @pytest.mark.ckan_config("ckanext.wepulse.harvest.max_bytes", 2000)
    def test_an_oversized_body(self, server, authority):
        many = catalogue(*((str(n), f"Jeu de données {n}") for n in range(40)))
        server.routes["/big.ttl"] = turtle(many)
        source = make_source(server, authority, "big", "/big.ttl")
        _job, summary = sync.run_source(source["name"])
        assert "larger than 2000 bytes" in summary.incomplete
        assert summary.added == 0

    def test_a_redirect_to_a_private_address_is_refused(self, server, authority):
        source, _job, summary = self.harvest_after_a_good_one(
            server,
            authority,
            lambda _q: (302, "text/plain", b"", {"Location": "http://169.254.169.254/latest/"}),
        )
        assert "refused" in summary.incomplete and "169.254.169.254" in summary.incomplete
        self.assert_nothing_withdrawn(source, summary)

    def test_malformed_rdf_on_a_later_page_keeps_the_good_pages(self, server, authority):
        """ckanext-dcat's dataset.ttl is a real file that is not valid Turtle."""
        server.routes["/page1.ttl"] = turtle(
            catalogue(("a", "Arbres"), next_page=server.url + "/page2.ttl")
        )
        server.routes["/page2.ttl"] = file(CORPUS / "ckanext-dcat-examples/dcat/dataset.ttl")
        source = make_source(server, authority, "paged", "/page1.ttl")

        _job, summary = sync.run_source(source["name"])

        assert summary.added == 1
        assert "page2.ttl: not valid Turtle" in summary.incomplete
        assert set(harvested(source)) == {"http://example.be/ds/a"}

    def test_a_json_file_served_as_rdf_xml(self, server, authority):
        server.routes["/catalogue.rdf"] = file(
            CORPUS / "ckan-api/package_search.json", "application/rdf+xml"
        )
        source = make_source(server, authority, "json", "/catalogue.rdf")
        _job, summary = sync.run_source(source["name"])
        assert "a CKAN API answer, not a DCAT document" in summary.incomplete
        assert summary.added == 0

    def test_a_hydra_loop_stops_with_the_pages_read(self, server, authority):
        server.routes["/p1.ttl"] = turtle(
            catalogue(("a", "Arbres"), next_page=server.url + "/p2.ttl")
        )
        server.routes["/p2.ttl"] = turtle(
            catalogue(("b", "Bancs publics"), next_page=server.url + "/p1.ttl")
        )
        source = make_source(server, authority, "loop", "/p1.ttl")
        _job, summary = sync.run_source(source["name"])
        assert summary.added == 2
        assert "loop" in summary.incomplete
        assert server.requests.count("/p1.ttl") == 1

    def test_a_record_that_cannot_be_a_dataset_fails_alone(self, server, authority):
        body = catalogue(("a", "Arbres"), ("b", "Bancs publics")) + (
            b"\n<http://example.be/ds/untitled> a <http://www.w3.org/ns/dcat#Dataset> ."
        )
        server.routes["/dcat.ttl"] = turtle(body)
        source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")

        job, summary = sync.run_source(source["name"])

        assert (summary.added, summary.errors) == (2, 1)
        assert object_errors(job) == ["the dataset has no dct:title"]
        statuses = {o.guid: o.report_status for o in HarvestObject.filter(harvest_job_id=job.id)}
        assert statuses["http://example.be/ds/untitled"] == "errored"
        assert statuses["http://example.be/ds/a"] == "added"


def test_a_feeds_delete_event_withdraws_its_dataset(server, authority):
    """An LDES feed announces a deletion on a later page (ActivityStreams Delete)."""
    server.routes["/feed.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
    source = make_source(server, authority, "feed", "/feed.ttl")
    sync.run_source(source["name"])

    server.routes["/feed.ttl"] = turtle(
        catalogue(("a", "Arbres"), ("b", "Bancs publics"), next_page=server.url + "/later.ttl")
    )
    server.routes["/later.ttl"] = turtle(
        b"@prefix as: <https://www.w3.org/ns/activitystreams#> .\n"
        b"<http://example.be/events/1> a as:Delete ; as:object <http://example.be/ds/b> .\n"
    )
    _job, summary = sync.run_source(source["name"])

    assert (summary.withdrawn, summary.added, summary.updated) == (1, 0, 0)
    assert set(harvested(source)) == {"http://example.be/ds/a"}


def test_an_adapter_bug_ends_the_job_cleanly_and_withdraws_nothing(server, authority, monkeypatch):
    from harvesters.dcat import DcatAdapter

    server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
    source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
    sync.run_source(source["name"])

    def broken(self):
        raise ZeroDivisionError("a bug")
        yield

    monkeypatch.setattr(DcatAdapter, "records", broken)
    job, summary = sync.run_source(source["name"])

    assert "ZeroDivisionError" in summary.incomplete
    assert job.status == "Finished"
    assert len(harvested(source)) == 2


def test_each_demo_source_type_is_harvested_into_valid_datasets(server, authority):
    """The four recorded real payloads the demo serves, one per adapter."""
    server.routes.update(demo_routes(DEMO_SOURCES))
    sources = {
        "wepulse_dcat": (LDES_PAGE.format(n=9), {"follow_pages": False}),
        "wepulse_opendatasoft": ("/ods", {}),
        "wepulse_ckan": ("/ckan", {}),
        "wepulse_spreadsheet": ("/spreadsheet/inventaire.csv", {}),
    }
    summaries = {}
    for source_type, (path, config) in sources.items():
        source = make_source(
            server, authority, source_type.replace("_", "-"), path, source_type, config
        )
        summaries[source_type] = sync.run_source(source["name"])[1]

    assert {t: (s.added, s.errors) for t, s in summaries.items()} == {
        "wepulse_dcat": (100, 0),
        "wepulse_opendatasoft": (2, 0),
        "wepulse_ckan": (2, 0),
        "wepulse_spreadsheet": (4, 3),  # the inventory's three bad rows, by design
    }
    found = tk.get_action("package_search")(site_context(), {"q": "Auderghem"})
    assert found["count"] >= 1
    # data.gov.be describes these datasets' distributions on other pages of its feed:
    # the bare distribution IRIs are left out, not shown as nameless, addressless files.
    feed = tk.get_action("package_search")(
        site_context(), {"fq": f'owner_org:"{authority["id"]}"', "rows": 200}
    )["results"]
    assert all(r["url"] for dataset in feed for r in dataset["resources"])


def test_the_harvest_plugin_runs_a_queued_job_in_its_gather_stage(server, authority):
    """ckanext-harvest's own path: a job created by the Action API, gathered by the
    plugin; the job's report counts each record's outcome."""
    from ckan.plugins import get_plugin
    from ckanext.harvest.model import HarvestJob

    server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
    source = make_source(server, authority, "queued", "/dcat.ttl")
    job_dict = tk.get_action("harvest_job_create")(
        site_context(), {"source_id": source["id"], "run": False}
    )
    job = HarvestJob.get(job_dict["id"])

    assert get_plugin("wepulse_dcat").gather_stage(job) == []

    statuses = [o.report_status for o in HarvestObject.filter(harvest_job_id=job.id)]
    assert sorted(statuses) == ["added", "added"]
    assert len(harvested(source)) == 2


def test_provenance_is_on_the_dataset_page(app, server, authority):
    server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres")))
    source = make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
    sync.run_source(source["name"])
    dataset = harvested(source)["http://example.be/ds/a"]

    page = app.get(f"/dataset/{dataset['name']}").body

    assert "Moissonné depuis" in page and "Source ixelles-dcat" in page
    assert "http://example.be/ds/a" in page


def test_harvest_preview_prints_mapped_datasets_and_saves_nothing(cli, server, authority):
    from ckan.cli.cli import ckan

    server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics")))
    result = cli.invoke(
        ckan, ["wepulse", "harvest", "preview", "dcat", server.url + "/dcat.ttl", "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    assert '"guid": "http://example.be/ds/' in result.output
    assert result.output.count('"guid"') == 1
    assert tk.get_action("package_search")(site_context(), {})["count"] == 0


def test_harvest_run_prints_the_summary_and_fails_on_errors(cli, server, authority):
    from ckan.cli.cli import ckan

    server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres")))
    make_source(server, authority, "good", "/dcat.ttl")
    result = cli.invoke(ckan, ["wepulse", "harvest", "run", "good"])
    assert result.exit_code == 0, result.output
    assert "good: 1 added, 0 updated, 0 unchanged" in result.output

    result = cli.invoke(ckan, ["wepulse", "harvest", "run", "no-such-source"])
    assert result.exit_code == 1 and "No harvest source 'no-such-source'" in result.output

    server.routes["/broken.ttl"] = lambda _q: (404, "text/plain", b"gone")
    make_source(server, authority, "broken", "/broken.ttl")
    result = cli.invoke(ckan, ["wepulse", "harvest", "run", "broken"])
    assert result.exit_code == 1
    assert "incomplete" in result.output and "404" in result.output


@pytest.fixture
def portal_logging(tmp_path):
    """Where the test's harvest log is written; afterwards the harvest logger as it was
    (the CLI configures logging for the whole process)."""
    harvest_logger = logging.getLogger("ckanext.wepulse.harvest")
    before = (harvest_logger.handlers[:], harvest_logger.level, harvest_logger.propagate)
    yield tmp_path / "harvest.log"
    for handler in harvest_logger.handlers:
        handler.close()
    harvest_logger.handlers, harvest_logger.level, harvest_logger.propagate = before


def test_a_cli_harvest_writes_each_error_to_the_harvest_log(
    ckan_config, server, authority, portal_logging
):
    """`ckan wepulse harvest run`, configured as the portal is: each record error, each
    repair and each gather error is in log/harvest.log, with its source and record."""
    from ckan.cli.cli import ckan

    test_ini = Path(ckan_config["__file__"])
    portal = configparser.RawConfigParser()
    portal.read(test_ini.with_name("ckan.ini"))
    file_args = portal.get("handler_harvest_file", "args")
    assert file_args == repr((str(test_ini.parent / "log" / "harvest.log"),))
    portal.set("handler_harvest_file", "args", repr((str(portal_logging),)))
    portal.remove_section("app:main")
    portal.add_section("app:main")
    portal.set("app:main", "use", f"config:{test_ini}")
    portal.set("app:main", "ckanext.wepulse.harvest.allow_private", server.url[len("http://") :])
    ini = portal_logging.with_name("cli.ini")
    with ini.open("w") as written:
        portal.write(written)
    cli = helpers.CKANCliRunner(env={"CKAN_INI": str(ini)})

    bad_records = b"""
<http://example.be/ds/untitled> a <http://www.w3.org/ns/dcat#Dataset> .
<http://example.be/ds/b> a <http://www.w3.org/ns/dcat#Dataset> ;
    <http://purl.org/dc/terms/title> "Bancs publics"@fr ;
    <http://www.w3.org/ns/dcat#landingPage> <http://example.be:bancs/> .
<http://example.be/ds/c> a <http://www.w3.org/ns/dcat#Dataset> ;
    <http://purl.org/dc/terms/title> "Comptes 2024"@fr ;
    <http://www.w3.org/ns/dcat#landingPage> <http://example.be/Versements anticipes.xlsx> .
"""
    server.routes["/dcat.ttl"] = turtle(catalogue(("a", "Arbres")) + bad_records)
    server.routes["/home"] = lambda _q: (200, "text/html", b"<!DOCTYPE html><html></html>")
    make_source(server, authority, "ixelles-dcat", "/dcat.ttl")
    make_source(server, authority, "ixelles-home", "/home")
    assert cli.invoke(ckan, ["wepulse", "harvest", "run", "ixelles-dcat"]).exit_code == 1
    assert cli.invoke(ckan, ["wepulse", "harvest", "run", "ixelles-home"]).exit_code == 1

    lines = portal_logging.read_text("utf-8").splitlines()
    dcat = f"source 'Source ixelles-dcat' ({server.url}/dcat.ttl)"
    expected = [
        f"WARNI [ckanext.wepulse.harvest] {dcat}: record http://example.be/ds/b errored: "
        "<http://example.be:bancs/> is not an IRI (Invalid character 'b'): "
        "correct it at the source",
        f"WARNI [ckanext.wepulse.harvest] {dcat}: record http://example.be/ds/untitled "
        "errored: the dataset has no dct:title",
        f"INFO  [ckanext.wepulse.harvest] {dcat}: record http://example.be/ds/c added: "
        "repaired when read: <http://example.be/Versements anticipes.xlsx> read as "
        "<http://example.be/Versements%20anticipes.xlsx>",
        f"ERROR [ckanext.wepulse.harvest] source 'Source ixelles-home' ({server.url}/home): job ",
    ]
    # Each line: "<date> <time> <level> [<logger>] <message>" (the portal's format).
    messages = [line.split(" ", 2)[2] for line in lines]
    for line in expected[:3]:
        assert line in messages, messages
    [home] = [m for m in messages if m.startswith(expected[3])]
    assert home.endswith(
        f"The source's listing is incomplete, nothing withdrawn: {server.url}/home: a web page "
        "(HTML), not a DCAT document: give the address of the catalogue's DCAT feed or file "
        "(Turtle, RDF/XML or JSON-LD)."
    )
