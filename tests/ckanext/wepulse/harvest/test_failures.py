"""A harvest never loses the good records beside bad ones, and a job never stays
"Running": through the real stack (a CKAN source on loopback, PostgreSQL, Solr)."""

from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

from ckanext.wepulse.harvest import batches, sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, ckan_search

from ..conftest import allowing, make_source


def package(name: str, title: str) -> dict:
    return {
        "id": f"id-{name}",
        "name": name,
        "title": title,
        "notes": f"{title}.",
        "resources": [
            {"id": f"r-{name}", "url": f"https://data.example.be/{name}.csv", "format": "CSV"}
        ],
    }


def too_large(name: str) -> dict:
    """More resources than a dataset may have: it fails validation when it is written
    (a harvest shortens what is too long, but does not drop a source's files)."""
    dataset = package(name, f"Mauvais {name}")
    dataset["resources"] = [
        {"id": f"r-{name}-{n}", "url": f"https://data.example.be/{n}.csv"} for n in range(1001)
    ]
    return dataset


@pytest.fixture
def source(authority):
    """A CKAN source listing good and invalid datasets in one batch, invalid ones in a row."""
    packages = [
        package("bancs", "Bancs publics"),
        too_large("mauvais-1"),
        too_large("mauvais-2"),
        package("arbres", "Arbres d'alignement"),
        too_large("mauvais-3"),
        package("parcs", "Parcs"),
    ]
    routes = {"/api/3/action/package_search": ckan_search(packages)}
    with FixtureServer(routes) as server, allowing(server):
        yield make_source(server, authority, "ixelles-ckan", "", "wepulse_ckan")


def test_invalid_records_in_a_row_fail_alone_and_the_job_finishes(source):
    job, summary = sync.run_source(source["name"])
    assert (summary.added, summary.errors) == (3, 3), summary
    assert HarvestJob.get(job.id).status == "Finished"
    errors = (
        HarvestObjectError.filter()
        .join(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job.id)
        .all()
    )
    assert len(errors) == 3 and all("resources" in e.message.lower() for e in errors), [
        e.message for e in errors
    ]
    found = tk.get_action("package_search")(site_context(), {"rows": 20})["results"]
    assert {d["title"] for d in found} == {"Bancs publics", "Arbres d'alignement", "Parcs"}
    # The source can be harvested again, through ckanext-harvest's own action too.
    again = tk.get_action("harvest_job_create")(site_context(), {"source_id": source["id"]})
    assert again["status"] in ("New", "Running")  # queued: not "There already is an unrun job"


def test_a_job_that_dies_is_finished_with_its_error(source, monkeypatch):
    """Whatever breaks in the middle of a harvest (here the database refuses a write),
    the job is marked finished with the reason, and the next harvest runs."""

    def broken_save_log(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(batches.Outcomes, "save", broken_save_log)
    job, summary = sync.run_source(source["name"])
    assert HarvestJob.get(job.id).status == "Finished"
    assert summary.incomplete and "database went away" in summary.incomplete
    messages = [e.message for e in HarvestGatherError.filter(harvest_job_id=job.id).all()]
    assert any("database went away" in m for m in messages), messages
    monkeypatch.undo()
    job, summary = sync.run_source(source["name"])
    assert (summary.added, summary.errors) == (3, 3)
