"""The demo catalogue seed: creates, then updates in place, never duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse import demo

CATALOGUE = json.loads(
    Path(demo.catalogue_path("ckanext.wepulse.demo:demo_catalogue.json")).read_text()
)
DEMO_AUTHORITIES = demo.authority_names()


def create_demo_authorities() -> None:
    """The demo's authorities (seeded from REFNIS in a real portal)."""
    for name in DEMO_AUTHORITIES:
        factories.Organization(name=name, title=name.title())


@pytest.fixture
def ixelles(clean_db):
    create_demo_authorities()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "ixelles")
class TestDemoSeed:
    def test_first_seed_creates_every_authority_and_dataset(self):
        outcomes = list(demo.seed())
        assert ("dataset", "ixelles-budget-communal", "created") in outcomes
        sources = {name for kind, name, outcome in outcomes if kind == "harvest source"}
        assert len(sources) == 5 and {"demo-opendatasoft", "demo-geoportail"} <= sources
        found = tk.get_action("package_search")({}, {"q": "budget", "fq": "organization:ixelles"})
        assert [d["name"] for d in found["results"]] == ["ixelles-budget-communal"]

    def test_seeding_again_updates_and_never_duplicates(self):
        list(demo.seed())
        outcomes = list(demo.seed())
        assert {outcome for _, _, outcome in outcomes} == {"updated"}
        assert tk.get_action("package_search")({}, {"q": "*:*"})["count"] == len(
            CATALOGUE["datasets"]
        )
        assert len(tk.get_action("organization_list")({}, {})) == len(DEMO_AUTHORITIES)
        assert len(tk.get_action("harvest_source_list")({}, {})) == 5

    def test_a_deleted_demo_dataset_comes_back(self):
        list(demo.seed())
        context = {
            "ignore_auth": True,
            "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
        }
        tk.get_action("package_delete")(context, {"id": "ixelles-budget-communal"})
        list(demo.seed())
        assert (
            tk.get_action("package_show")(context, {"id": "ixelles-budget-communal"})["state"]
            == "active"
        )

    def test_catalogue_location_accepts_a_package_file_or_a_path(self, tmp_path):
        shipped = demo.catalogue_path("ckanext.wepulse.demo:demo_catalogue.json")
        assert shipped.endswith("ckanext/wepulse/demo/demo_catalogue.json")
        own = tmp_path / "mine.json"
        assert demo.catalogue_path(str(own)) == str(own)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "ixelles")
def test_the_demo_catalogue_conforms_to_dcat_ap(cli):
    from ckan.cli.cli import ckan

    list(demo.seed())
    result = cli.invoke(
        ckan,
        [
            "wepulse",
            "validate",
            "--all",
            "--profile",
            "dcat-ap-3.0.1",
            "--profile",
            "dcat-ap-2.1.1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0 result(s) not conforming, 0 violation(s)" in result.output
