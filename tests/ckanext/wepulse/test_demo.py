"""The demo catalogue seed: creates, then updates in place what changed, never duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse import demo
from ckanext.wepulse.seeding import site_context

CATALOGUE = json.loads(
    Path(demo.catalogue_path("ckanext.wepulse.demo:demo_catalogue.json")).read_text()
)
DEMO_AUTHORITIES = demo.authority_names()


def create_demo_authorities() -> None:
    """The demo's authorities (seeded from REFNIS in a real portal)."""
    for name in DEMO_AUTHORITIES:
        factories.Organization(name=name, title=name.title())


def dataset(name: str) -> dict:
    return tk.get_action("package_show")(site_context(), {"id": name})


def dataset_names() -> list[str]:
    return [d["name"] for d in CATALOGUE["datasets"]]


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

    def test_seeding_again_writes_nothing_and_never_duplicates(self):
        list(demo.seed())
        modified = {name: dataset(name)["metadata_modified"] for name in dataset_names()}

        outcomes = list(demo.seed())

        assert {outcome for _, _, outcome in outcomes} == {"unchanged"}
        assert {name: dataset(name)["metadata_modified"] for name in dataset_names()} == modified
        assert tk.get_action("package_search")({}, {"q": "*:*"})["count"] == len(
            CATALOGUE["datasets"]
        )
        assert len(tk.get_action("organization_list")({}, {})) == len(DEMO_AUTHORITIES)
        assert len(tk.get_action("harvest_source_list")({}, {})) == 5

    def test_a_demo_dataset_edited_since_is_seeded_back(self):
        list(demo.seed())
        tk.get_action("package_patch")(
            site_context(), {"id": "jette-scholen", "title_translated": {"nl": "Iets anders"}}
        )

        outcomes = list(demo.seed())

        assert [name for _, name, outcome in outcomes if outcome != "unchanged"] == [
            "jette-scholen"
        ]
        assert dataset("jette-scholen")["title_translated"] == {"nl": "Scholen in Jette"}

    def test_a_changed_entry_of_the_catalogue_updates_its_dataset_alone(self, tmp_path):
        list(demo.seed())
        changed = json.loads(json.dumps(CATALOGUE))
        (jette,) = (d for d in changed["datasets"] if d["name"] == "jette-scholen")
        jette["title_translated"] = {"nl": "Scholen in Jette (2026)"}
        (tmp_path / "demo.json").write_text(json.dumps(changed))

        outcomes = list(demo.seed(str(tmp_path / "demo.json")))

        assert [name for _, name, outcome in outcomes if outcome != "unchanged"] == [
            "jette-scholen"
        ]
        assert dataset("jette-scholen")["title_translated"] == {"nl": "Scholen in Jette (2026)"}
        (csv, _) = dataset("jette-scholen")["resources"]
        assert csv["url_type"] == "upload" and csv["datastore_active"]  # its file still there

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
