"""The transparency's background work on CKAN's job queue: link rounds stored and
scored again, hosts that throttle or that the guard refuses, what cron queues, the
daily freshness run and each authority's history."""

from __future__ import annotations

import copy
import datetime

import pytest
from ckan import model
from ckan.lib import jobs as ckan_jobs
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit as tk

from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.quality import jobs, scoring
from ckanext.wepulse.quality.model import AuthorityQualityDay, DatasetQuality, LinkCheck
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer

from ..conftest import TREES, allowing


def with_urls(*urls: str, name: str = "arbres", **changes) -> dict:
    data = {**copy.deepcopy(TREES), "name": name, **changes}
    data["resources"] = [
        {"name_translated": {"fr": f"Fichier {n}"}, "url": url} for n, url in enumerate(urls)
    ]
    dataset = tk.get_action("package_create")(site_context(), data)
    validate_dataset(dataset["id"])
    return dataset


def links_of(dataset: dict) -> dict[str, LinkCheck]:
    model.Session.expire_all()
    return {row.url.rsplit("/", 1)[-1]: row for row in LinkCheck.for_package(dataset["id"])}


def search_count(fq: str) -> int:
    return tk.get_action("package_search")({}, {"fq": fq})["count"]


@pytest.fixture
def queues():
    """Empty test queues and no memory of a daily run, before and after."""

    def clear():
        for name in (jobs.LINK_QUEUE, "default"):
            ckan_jobs.get_queue(name).empty()
        redis = connect_to_redis()
        for key in redis.scan_iter("wepulse:quality:daily:*"):
            redis.delete(key)
        for key in redis.scan_iter(f"{jobs.BUDGET_PREFIX}*"):
            redis.delete(key)

    clear()
    yield
    clear()


@pytest.mark.usefixtures("with_plugins", "clean_index", "queues")
class TestLinkRounds:
    def test_a_changed_result_is_stored_rescored_and_reindexed(self, schaerbeek):
        state = {"status": 200}
        routes = {"/a.csv": lambda _q: (state["status"], "text/csv", b"a\n")}
        with FixtureServer(routes) as server, allowing(server):
            dataset = with_urls(f"{server.url}/a.csv")
            jobs.check_links()
            first = links_of(dataset)["a.csv"]
            assert (first.status, first.http_status, first.failing_since) == ("ok", 200, None)
            assert first.content_type == "text/csv"
            before = DatasetQuality.get(dataset["id"]).score
            # Due again (the schedule says when), and now the file is gone.
            first.next_check = datetime.datetime.utcnow() - datetime.timedelta(seconds=1)
            model.Session.commit()
            state["status"] = 404
            counts = jobs.check_links()
        assert counts["changed"] == 1
        after = links_of(dataset)["a.csv"]
        assert (after.status, after.http_status) == ("broken", 404)
        assert after.failing_since == after.checked_at == after.changed_at
        # A result that just changed is checked again within 12 hours.
        assert after.next_check - after.checked_at == datetime.timedelta(hours=12)
        model.Session.expire_all()
        row = DatasetQuality.get(dataset["id"])
        assert row.score == before - 50  # its only access URL no longer answers
        assert search_count(f"quality_band:{row.band}") == 1

    def test_a_throttling_host_keeps_its_results_and_is_left_alone(self, schaerbeek):
        routes = {"/busy": lambda _q: (429, "text/plain", b"slow down", {"Retry-After": "120"})}
        with FixtureServer(routes) as server, allowing(server):
            dataset = with_urls(f"{server.url}/busy", f"{server.url}/busy?again")
            before = datetime.datetime.utcnow()
            counts = jobs.check_links()
            after = datetime.datetime.utcnow()
            seen = len(server.requests)
        assert counts["throttled"] >= 1 and counts["checked"] == 0
        assert seen == 1  # the first 429 cooled the host off: its other link waited
        for row in links_of(dataset).values():
            assert row.status == "not_checked"  # not a failure: nothing is known yet
        # The link asked waits for the Retry-After; the other stays due for the next round.
        rows = links_of(dataset)
        asked = rows[server.requests[0].rsplit("/", 1)[-1]]
        (other,) = (row for row in rows.values() if row is not asked)
        retry_after = datetime.timedelta(seconds=120)
        assert before + retry_after <= asked.next_check <= after + retry_after
        assert other.next_check <= before

    def test_an_address_the_guard_refuses_is_recorded_as_refused_never_fetched(self, schaerbeek):
        dataset = with_urls("http://169.254.169.254/latest/meta-data", "http://10.1.2.3/x.csv")
        jobs.check_links()
        rows = links_of(dataset)
        assert {row.status for row in rows.values()} == {"refused"}
        assert all(row.message for row in rows.values())
        quality = tk.get_action("wepulse_dataset_quality_show")({}, {"id": dataset["id"]})
        access = next(i for i in quality["indicators"] if i["indicator"] == "access_url_works")
        assert (access["state"], access["points"]) == ("fail", 0)

    def test_a_hostile_url_of_any_length_is_stored_and_refused_unsent(self, schaerbeek):
        huge = "http://a.example/" + "x" * 20000
        dataset = with_urls(huge)
        jobs.check_links()
        (row,) = links_of(dataset).values()
        assert (row.url, row.status) == (huge, "refused")
        assert "8192" in row.message

    def test_links_follow_the_datasets_distributions(self, schaerbeek):
        dataset = with_urls("http://a.example/1.csv", "http://a.example/2.csv")
        assert set(links_of(dataset)) == {"1.csv", "2.csv"}
        tk.get_action("package_patch")(
            site_context(),
            {"id": dataset["id"], "resources": [{"url": "http://a.example/3.csv"}]},
        )
        validate_dataset(dataset["id"])
        rows = links_of(dataset)
        assert set(rows) == {"3.csv"}
        assert rows["3.csv"].next_check <= datetime.datetime.utcnow()  # checked soon
        queued = [job.description or "" for job in ckan_jobs.get_queue(jobs.LINK_QUEUE).jobs]
        assert queued, "a new distribution's link check is queued"


@pytest.mark.usefixtures("with_plugins", "clean_index", "queues")
class TestCron:
    def test_tick_queues_a_round_when_links_are_due_and_the_daily_run_once(self, schaerbeek):
        with_urls("http://a.example/1.csv")
        ckan_jobs.get_queue(jobs.LINK_QUEUE).empty()
        assert jobs.tick() == ["links", "daily"]
        assert jobs.tick() == []  # a round is queued already; the day's run is done
        ckan_jobs.get_queue(jobs.LINK_QUEUE).empty()
        assert jobs.tick() == ["links"]

    def test_the_daily_run_makes_late_datasets_late_and_keeps_each_authoritys_day(self, schaerbeek):
        dataset = with_urls("http://a.example/1.csv", frequency="MONTHLY")
        row = DatasetQuality.get(dataset["id"])
        assert row.freshness == "on_time"
        assert search_count("updated_on_time:yes") == 1
        in_two_months = datetime.datetime.utcnow() + datetime.timedelta(days=62)
        jobs.daily(in_two_months)
        model.Session.expire_all()
        row = DatasetQuality.get(dataset["id"])
        assert (row.freshness, row.due) == ("late", row.last_change + datetime.timedelta(32))
        assert search_count("updated_on_time:no") == 1
        day = model.Session.get(AuthorityQualityDay, (schaerbeek["id"], in_two_months.date()))
        assert (day.datasets, day.average_score, day.on_time_share) == (1, row.score, 0)

    def test_rescoring_a_dataset_that_was_never_scored_scores_it(self, schaerbeek):
        data = {**copy.deepcopy(TREES), "name": "jamais"}
        dataset = tk.get_action("package_create")(site_context(), data)
        assert DatasetQuality.get(dataset["id"]) is None
        assert scoring.rescore(dataset["id"]).score > 0
