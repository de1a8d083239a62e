"""A harvest's writes side by side: several writer processes lose nothing, never write
one record twice, and two harvests of one source at once make one dataset a record.
Through the real stack (a CKAN source on loopback, PostgreSQL, Solr, Redis)."""

from __future__ import annotations

import multiprocessing

import pytest
from ckan import model
from ckan.tests import helpers
from ckanext.harvest.model import HarvestObject

from ckanext.wepulse.harvest import batches, sync
from ckanext.wepulse.model import HarvestedRecord
from harvesters.fixtures import FixtureServer, ckan_search

from ..conftest import allowing, harvested, make_source
from .test_failures import package, too_large

GOOD = 24


@pytest.fixture
def source(authority):
    """A CKAN source of 24 good datasets and 2 invalid ones, written 5 a batch."""
    packages = [package(f"jeu-{n:02}", f"Jeu de données {n}") for n in range(GOOD)]
    packages[7:7] = [too_large("mauvais-1")]
    packages[19:19] = [too_large("mauvais-2")]
    routes = {"/api/3/action/package_search": ckan_search(packages)}
    with (
        FixtureServer(routes) as server,
        allowing(server),
        helpers.changed_config("ckanext.wepulse.harvest.batch_size", 5),
    ):
        yield make_source(server, authority, "etterbeek-ckan", "", "wepulse_ckan")


def _current_objects(source_id: str) -> dict[str, int]:
    """guid -> how many current harvest objects it has."""
    rows = model.Session.query(HarvestObject.guid).filter(
        HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True)
    )
    counts: dict[str, int] = {}
    for (guid,) in rows:
        counts[guid] = counts.get(guid, 0) + 1
    return counts


@pytest.mark.ckan_config("ckanext.wepulse.harvest.write_processes", 2)
def test_two_writer_processes_write_every_good_record_once(source):
    job, summary = sync.run_source(source["name"])
    assert (summary.added, summary.errors, summary.incomplete) == (GOOD, 2, None), str(summary)

    # Every good record is a searchable dataset (indexed after its batch), once.
    found = harvested(source)
    assert sorted(found) == sorted(f"id-jeu-{n:02}" for n in range(GOOD))
    assert len({d["name"] for d in found.values()}) == GOOD
    # Each record has one current harvest object, the bad ones with their reason.
    assert set(_current_objects(source["id"]).values()) == {1}
    errored = (
        model.Session.query(HarvestObject)
        .filter_by(harvest_job_id=job.id, report_status="errored")
        .all()
    )
    assert sorted(o.guid for o in errored) == ["id-mauvais-1", "id-mauvais-2"]

    _job, again = sync.run_source(source["name"])
    assert (again.unchanged, again.added, again.updated) == (GOOD, 0, 0), str(again)


def _harvest_in_child(source_name: str, results) -> None:
    batches._writer_started()  # connections of its own
    _job, summary = sync.run_source(source_name)
    results.put((summary.added, summary.updated, summary.errors))


def test_two_harvests_of_one_source_at_once_make_one_dataset_a_record(source):
    """The gather consumer and `ckan wepulse harvest run` may harvest one source at
    the same time: the lock on each record makes the second update what the first
    created, never create it again."""
    model.Session.commit()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [
        context.Process(target=_harvest_in_child, args=(source["name"], results)) for _ in range(2)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=300) for _ in children]
    for child in children:
        child.join(timeout=60)
    model.Session.remove()

    added = sum(added for added, _updated, _errors in outcomes)
    assert added == GOOD, outcomes
    assert all(errors == 2 for _added, _updated, errors in outcomes), outcomes
    assert len(harvested(source)) == GOOD
    records = model.Session.query(HarvestedRecord).filter_by(source_id=source["id"]).all()
    assert len(records) == GOOD
    packages = model.Session.query(model.Package).filter(
        model.Package.type == "dataset", model.Package.state == "active"
    )
    assert packages.count() == GOOD
