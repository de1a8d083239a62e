"""Integrity between sources: clearing one source deletes its own datasets only,
leaves no orphan in the search index, and a cleared source harvests afresh."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.model import HarvestedRecord, HarvestMemory
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer

from ..conftest import allowing, catalogue, make_source, turtle


@pytest.fixture
def server(clean_db, clean_index):
    routes = {
        # The commune's own portal and the region's aggregator share two datasets.
        "/commune.ttl": turtle(catalogue(("a", "Arbres"), ("b", "Bancs publics"))),
        "/region.ttl": turtle(
            catalogue(("a", "Arbres"), ("b", "Bancs publics"), ("c", "Cimetières"))
        ),
    }
    with FixtureServer(routes) as running, allowing(running):
        yield running


def _indexed_titles() -> set[str]:
    query = search.query_for(model.Package)
    found = query.run({"q": "*:*", "fq": "+dataset_type:dataset", "fl": "title", "rows": 100})
    return {doc["title"] for doc in found["results"]}


def test_clearing_a_source_deletes_its_own_datasets_only(server):
    authority = factories.Organization(name="ixelles")
    commune = make_source(server, authority, "commune", "/commune.ttl")
    region = make_source(server, authority, "region", "/region.ttl")
    sync.run_source(commune["name"])
    _job, summary = sync.run_source(region["name"])
    assert (summary.added, summary.duplicates) == (1, 2)
    assert _indexed_titles() == {"Arbres", "Bancs publics", "Cimetières"}

    tk.get_action("harvest_source_clear")(site_context(), {"id": region["id"]})

    # The commune's datasets, which the region only listed again, are untouched.
    assert _indexed_titles() == {"Arbres", "Bancs publics"}
    kept = tk.get_action("package_search")(site_context(), {"q": "*:*"})["results"]
    assert {d["title"] for d in kept} == {"Arbres", "Bancs publics"}
    assert all(d["harvest_source_title"] == "Source commune" for d in kept)
    # The region's own harvest state is gone, so it harvests afresh.
    assert model.Session.query(HarvestedRecord).filter_by(source_id=region["id"]).count() == 0
    assert model.Session.get(HarvestMemory, region["id"]) is None
    _job, summary = sync.run_source(region["name"])
    assert (summary.added, summary.duplicates) == (1, 2)
    assert _indexed_titles() == {"Arbres", "Bancs publics", "Cimetières"}


def test_deleting_a_source_forgets_its_harvest_state(server):
    authority = factories.Organization(name="ixelles")
    commune = make_source(server, authority, "commune", "/commune.ttl")
    sync.run_source(commune["name"])
    tk.get_action("harvest_source_clear")(site_context(), {"id": commune["id"]})
    tk.get_action("harvest_source_delete")(site_context(), {"id": commune["id"]})
    assert model.Session.query(HarvestedRecord).filter_by(source_id=commune["id"]).count() == 0
    assert model.Session.get(HarvestMemory, commune["id"]) is None
