"""Tables in the DataStore (the real one, on PostgreSQL): a file loaded with its
columns typed, the first rows previewed on the resource page as an accessible HTML
table, and the demo's files loaded by the same path as a publisher's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.cli.cli import ckan
from ckan.plugins import toolkit as tk
from ckanext.datastore.backend.postgres import get_read_engine
from werkzeug.datastructures import FileStorage

from ckanext.wepulse import demo
from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads.jobs import check_table
from ckanext.wepulse.uploads.model import Table, TableLoad

from ..test_demo import CATALOGUE, create_demo_authorities

BUDGET_CSV = demo.catalogue_path("ckanext.wepulse.demo:files/ixelles-budget-2024.csv")


def rows(resource_id: str) -> list[dict]:
    return tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": 100})


def upload_budget(resource_id: str, path: str = BUDGET_CSV) -> None:
    """The demo's budget (or ``path``) as the resource's file, read and loaded as the
    job does."""
    with open(path, "rb") as f:
        upload = FileStorage(f, filename="ixelles-budget-2024.csv", content_type="text/csv")
        tk.get_action("resource_patch")(site_context(), {"id": resource_id, "upload": upload})
    assert check_table(resource_id) == "loaded"


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLoad:
    def test_columns_are_typed_and_codes_keep_their_leading_zeros(self, trees):
        resource_id = trees["resources"][0]["id"]
        upload_budget(resource_id)
        result = rows(resource_id)
        types = {f["id"]: f["type"] for f in result["fields"]}
        assert types == {
            "_id": "int",
            "fonction": "text",
            "libelle": "text",
            "service": "text",
            "depenses_eur": "int8",
            "recettes_eur": "int8",
        }
        police = next(r for r in result["records"] if r["fonction"] == "330")
        assert police["depenses_eur"] == 24800000
        assert result["records"][1]["fonction"] == "049"

    def test_a_new_file_replaces_the_table_and_the_same_one_is_not_loaded_twice(
        self, trees, tmp_path
    ):
        resource_id = trees["resources"][0]["id"]
        upload_budget(resource_id)
        upload_budget(resource_id)
        assert rows(resource_id)["total"] == 15
        assert len(TableLoad.history(resource_id)) == 1
        shorter = tmp_path / "budget.csv"
        shorter.write_text("".join(open(BUDGET_CSV, encoding="utf-8").readlines()[:4]))
        upload_budget(resource_id, str(shorter))
        assert rows(resource_id)["total"] == 3
        assert [load.rows for load in TableLoad.history(resource_id)] == [3, 15]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestPreview:
    def test_the_resource_page_previews_the_first_rows_as_a_table(self, app, trees):
        resource = trees["resources"][0]
        upload_budget(resource["id"])
        url = f"/fr/dataset/schaerbeek-arbres/resource/{resource['id']}"
        page = BeautifulSoup(app.get(url).get_data(as_text=True), "html.parser")
        region = page.find(attrs={"role": "region", "tabindex": "0"})
        table = region.find("table")
        assert region["aria-labelledby"] == table.caption["id"]
        assert " ".join(table.caption.get_text().split()) == "Les 10 premières lignes sur 15"
        headers = [th.get_text(strip=True) for th in table.select("thead th[scope=col]")]
        assert headers == ["fonction", "libelle", "service", "depenses_eur", "recettes_eur"]
        body = table.select("tbody tr")
        assert len(body) == 10
        assert [td.get_text(strip=True) for td in body[1].find_all("td")][:2] == [
            "049",
            "Dette générale",
        ]
        api = page.find("a", href=lambda h: h and "datastore_search" in h)
        assert resource["id"] in api["href"]

    def test_the_dataset_page_links_to_the_preview(self, app, trees):
        resource = trees["resources"][0]
        upload_budget(resource["id"])
        page = BeautifulSoup(
            app.get("/nl/dataset/schaerbeek-arbres").get_data(as_text=True), "html.parser"
        )
        link = page.find("a", string=lambda s: s and "als tabel" in s)
        assert link["href"].endswith(f"/resource/{resource['id']}")

    def test_no_table_no_preview(self, app, trees):
        resource = trees["resources"][0]
        url = f"/en/dataset/schaerbeek-arbres/resource/{resource['id']}"
        page = BeautifulSoup(app.get(url).get_data(as_text=True), "html.parser")
        assert page.find("table", class_="table-sm") is None


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_the_demo_files_are_uploaded_downloadable_and_in_the_datastore(app):
    create_demo_authorities()
    list(demo.seed())
    budget = tk.get_action("package_show")({}, {"id": "ixelles-budget-communal"})
    (resource,) = budget["resources"]
    assert resource["url_type"] == "upload" and resource["datastore_active"]
    download = app.get(resource["url"].replace("http://test.ckan.net", ""))
    assert download.status_code == 200
    assert download.get_data(as_text=True).startswith("fonction,libelle,service")
    assert rows(resource["id"])["total"] == 15
    # Every demo resource is a file the portal holds; every CSV or XLSX one a table.
    for dataset in CATALOGUE["datasets"]:
        shown = tk.get_action("package_show")({}, {"id": dataset["name"]})
        for resource in shown["resources"]:
            assert resource["url_type"] == "upload", (dataset["name"], resource["url"])
            is_table = resource["format"] in ("CSV", "XLSX")
            assert resource["datastore_active"] == is_table, resource["url"]


@pytest.mark.usefixtures("with_plugins")
def test_the_datastore_is_read_through_a_role_that_may_not_write():
    """scripts/portal applies CKAN's DataStore permissions: the role behind the Data
    API's reads may read tables but not create or change any."""
    with get_read_engine().connect() as connection:
        assert connection.execute(sa.text("SELECT current_user")).scalar() == "wepulse_reader"
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.execute(sa.text("CREATE TABLE wepulse_probe (x int)"))


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_command_line_loads_again_the_tables_an_outage_failed(cli, trees):
    """`ckan wepulse tables load --status failed`: the loads a DataStore outage failed
    are retried; --force loads a table again from the same file (after a restore)."""
    resource_id = trees["resources"][0]["id"]
    upload_budget(resource_id)
    table = Table.get(resource_id)
    table.status = "failed"
    model.Session.commit()
    result = cli.invoke(ckan, ["wepulse", "tables", "load", "--status", "failed"])
    assert result.exit_code == 0, result.output
    assert "1 table(s): 1 loaded" in result.output
    assert len(TableLoad.history(resource_id)) == 1  # same file: nothing to load again
    result = cli.invoke(ckan, ["wepulse", "tables", "load", "--force", resource_id])
    assert result.exit_code == 0, result.output
    assert len(TableLoad.history(resource_id)) == 2 and rows(resource_id)["total"] == 15
    assert cli.invoke(ckan, ["wepulse", "tables", "load"]).exit_code == 2
