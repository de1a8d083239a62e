"""Tables that come by link or by harvest, and tables made to hurt: a link is fetched
through the harvests' guard, a harvest source loads its tables only when it says
so, and a hostile file or header ends as a report, never as a crash or markup."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads.jobs import check_table
from ckanext.wepulse.uploads.model import Table
from harvesters.fixtures import FixtureServer

from ..conftest import TREES, allowing, harvested, make_source
from .conftest import member, run_queued_jobs

BUDGET = "fonction;libelle;montant\n049;Culte;1 250,50\n020;Administration générale;12 000,00\n"


def csv_route(body: str, encoding: str = "cp1252"):
    return lambda _query: (200, "text/csv", body.encode(encoding))


def source_catalogue(server: FixtureServer) -> bytes:
    return f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://example.be/catalogue> a dcat:Catalog ; dct:title "Catalogue"@fr ;
  dcat:dataset <http://example.be/ds/budget> .
<http://example.be/ds/budget> a dcat:Dataset ; dct:title "Budget 2025"@fr ;
  dct:description "Le budget communal."@fr ;
  dcat:distribution <http://example.be/dist/budget> .
<http://example.be/dist/budget> a dcat:Distribution ;
  dcat:accessURL <{server.url}/files/budget.csv> ;
  dcat:downloadURL <{server.url}/files/budget.csv> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> .
""".encode()


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
class TestHarvestedTables:
    @pytest.mark.parametrize("load_tables", [True, False])
    def test_a_source_loads_its_tables_only_when_it_says_so(self, authority, load_tables):
        routes = {"/files/budget.csv": csv_route(BUDGET)}
        with FixtureServer(routes) as server, allowing(server):
            server.routes["/catalogue.ttl"] = lambda _q: (
                200, "text/turtle", source_catalogue(server)
            )  # fmt: skip
            source = make_source(
                server, authority, "ixelles-dcat", "/catalogue.ttl",
                config={"load_tables": load_tables},
            )  # fmt: skip
            sync.run_source(source["name"])
            titles = run_queued_jobs()
            (dataset,) = harvested(source).values()
        (resource,) = dataset["resources"]
        if not load_tables:
            assert not any(title.startswith("Read the tables") for title in titles)
            assert Table.get(resource["id"]) is None
            return
        assert "Read the tables of 1 datasets" in titles
        assert Table.get(resource["id"]).status == "loaded"
        records = tk.get_action("datastore_search")(
            site_context(), {"resource_id": resource["id"], "sort": "_id"}
        )["records"]
        assert [(r["fonction"], r["libelle"], r["montant"]) for r in records] == [
            ("049", "Culte", 1250.5),
            ("020", "Administration générale", 12000.0),
        ]

    def test_the_switch_is_true_or_false(self, authority):
        with FixtureServer({}) as server, allowing(server), pytest.raises(tk.ValidationError):
            make_source(server, authority, "ixelles", "/", config={"load_tables": "oui"})


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
class TestLinkedTables:
    def linked(self, url: str) -> dict:
        dataset = {
            **TREES,
            "resources": [{"url": url, "format": "CSV", "name_translated": {"fr": "Budget"}}],
        }
        return tk.get_action("package_create")(site_context(), dataset)["resources"][0]

    def test_a_linked_file_is_downloaded_read_and_loaded(self, schaerbeek):
        with FixtureServer({"/budget.csv": csv_route(BUDGET)}) as server, allowing(server):
            resource = self.linked(server.url + "/budget.csv")
            assert check_table(resource["id"]) == "loaded"
        assert Table.get(resource["id"]).reading["encoding"] == "cp1252"

    def test_a_link_to_the_portals_own_services_is_refused_unrequested(self, schaerbeek):
        solr = tk.config["solr_url"].rstrip("/") + "/select?q=*:*&wt=csv"
        resource = self.linked(solr)
        assert check_table(resource["id"]) == "unreadable"
        assert "refused" in Table.get(resource["id"]).message.lower()

    def test_a_linked_file_over_the_cap_is_not_read(self, schaerbeek):
        big = "a;b\n" + "1;2\n" * 5000
        with (
            FixtureServer({"/big.csv": csv_route(big)}) as server,
            allowing(server),
            helpers.changed_config("ckanext.wepulse.tables.max_bytes", 1000),
        ):
            resource = self.linked(server.url + "/big.csv")
            assert check_table(resource["id"]) == "unreadable"
        assert "larger than 1000 bytes" in Table.get(resource["id"]).message


def bomb() -> bytes:
    """An XLSX-named zip whose one sheet inflates from ~300 KB to 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 300_000_000)
    return buffer.getvalue()


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
class TestHostileFiles:
    def upload(self, app, schaerbeek, name: str, content: bytes) -> dict:
        editor = member("schaerbeek")
        dataset = tk.get_action("package_create")(site_context(), {**TREES, "resources": []})
        response = app.post(
            f"/dataset/{dataset['name']}/resource/new",
            data={"id": "", "upload": (io.BytesIO(content), name), "save": "again"},
            headers={"Authorization": editor["token"]},
            follow_redirects=False,
        )
        assert response.status_code == 302
        run_queued_jobs()
        resource = tk.get_action("package_show")(site_context(), {"id": dataset["id"]})[
            "resources"
        ][0]
        page = app.get(
            f"/en/dataset/{dataset['name']}/resource/{resource['id']}",
            headers={"Authorization": editor["token"]},
        )
        assert page.status_code == 200
        return {
            "resource": resource,
            "page": BeautifulSoup(page.get_data(as_text=True), "html.parser"),
        }

    def test_a_zip_bomb_is_reported_unreadable_without_inflating(self, app, schaerbeek):
        found = self.upload(app, schaerbeek, "budget.xlsx", bomb())
        table = Table.get(found["resource"]["id"])
        assert table.status == "unreadable"
        assert "could not be read" in found["page"].select_one("#table-status").get_text()

    def test_markup_and_reserved_names_in_a_header_stay_text(self, app, schaerbeek):
        header = '<img src=x onerror=alert(1)>;_id;"a ""quoted"" name";' + "x" * 80
        content = (header + "\n1;2;3;4\n5;6;7;8\n").encode("utf-8")
        found = self.upload(app, schaerbeek, "piege.csv", content)
        assert Table.get(found["resource"]["id"]).status == "loaded"
        assert not found["page"].select("img[onerror]")
        assert "<img src=x onerror=alert(1)>" in found["page"].get_text()
        fields = tk.get_action("datastore_search")(
            site_context(), {"resource_id": found["resource"]["id"]}
        )["fields"]
        names = [f["id"] for f in fields][1:]
        assert len(names) == 4 and len(set(names)) == 4
        assert all(not n.startswith("_") and '"' not in n and len(n) <= 63 for n in names)
        schema = app.get(
            f"/dataset/{found['resource']['package_id']}/resource/{found['resource']['id']}"
            "/table/schema.json"
        )
        assert schema.headers["Content-Type"].startswith("application/schema+json")
        assert json.loads(schema.get_data())["fields"][0]["name"] == names[0]
