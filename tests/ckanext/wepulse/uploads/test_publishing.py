"""A municipal publisher's path through the real stack (CKAN, its job queue on Redis,
the DataStore on PostgreSQL): upload a real file as an authority's editor, read the
report, correct a column, publish, and query the typed table through the API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk
from ckanext.datastore.backend.postgres import get_write_engine
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF
from werkzeug.datastructures import FileStorage

from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads.model import Table, TableLoad

from .conftest import member, run_queued_jobs

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "csv-municipal"
SCHOOLS = CORPUS / "more" / "VilleMTP_MTP_EffectifSco_2014.csv"
BUDGET = CORPUS / "VilleMTP_MTP_BudgetPri_2014.csv"


def upload(app, user: dict, dataset: str, path: Path, save: str = "again"):
    """The resource form as the browser posts it, with the file."""
    with open(path, "rb") as f:
        return app.post(
            f"/dataset/{dataset}/resource/new",
            data={
                "id": "",
                "upload": (io.BytesIO(f.read()), path.name),
                "name_translated-fr": path.stem,
                "format": "",
                "save": save,
            },
            headers={"Authorization": user["token"]},
            follow_redirects=False,
        )


def draft(app, editor: dict, name: str = "ecoles-effectifs") -> dict:
    """A dataset as the form's first step makes it: a draft, until it is published."""
    form = {
        "name": name,
        "owner_org": "schaerbeek",
        "title_translated-fr": "Effectifs scolaires",
        "notes_translated-fr": "Les écoles et leurs effectifs.",
        "license_id": "cc-by",
        "save": "continue",
        "_ckan_phase": "dataset_new_1",
    }
    response = app.post(
        "/dataset/new",
        data=form,
        headers={"Authorization": editor["token"]},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return tk.get_action("package_show")(site_context(), {"id": name})


def only_resource(name: str) -> dict:
    return tk.get_action("package_show")(site_context(), {"id": name})["resources"][-1]


def search(resource_id: str, **params) -> dict:
    return tk.get_action("datastore_search")(site_context(), {"resource_id": resource_id, **params})


@pytest.fixture
def editor(schaerbeek) -> dict:
    return member("schaerbeek")


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
class TestThePublishersPath:
    def test_upload_report_correct_publish_and_query(self, app, editor):
        assert draft(app, editor)["state"] == "draft"
        response = upload(app, editor, "ecoles-effectifs", SCHOOLS)
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        resource = only_resource("ecoles-effectifs")
        assert Table.get(resource["id"]).status == "queued"
        assert f"Read table {resource['id']}" in run_queued_jobs()

        # The report, on the resource page, for the editor, in French and in Dutch.
        url = f"/dataset/ecoles-effectifs/resource/{resource['id']}"
        said = {
            "fr": ["Page de code DOS 850", "point-virgule (;)",
                   "La colonne NUMTEL semble contenir des numéros de téléphone."],
            "nl": ["DOS-codetabel 850", "puntkomma (;)",
                   "Kolom NUMTEL lijkt telefoonnummers te bevatten."],
        }  # fmt: skip
        for lang, phrases in said.items():
            html = app.get(f"/{lang}{url}", headers={"Authorization": editor["token"]})
            page = BeautifulSoup(html.get_data(as_text=True), "html.parser")
            read = " ".join(page.select_one(".wepulse-table-status").get_text(" ").split())
            for phrase in phrases:
                assert phrase in read, (lang, phrase)
            assert "Ecole maternelle aliénor d'AQUITAINE" in read  # the preview, decoded

        table = Table.get(resource["id"])
        assert table.status == "loaded", table.message
        types = {e["source_name"]: e["type"] for e in table.dictionary}
        assert types["NBENFMAX"] == "integer"
        assert types["CDETAB"] == "integer"

        # Correct the columns: the establishment's number is a code, not a quantity;
        # the maximum of children gets a name, a title in two languages and a unit.
        names = [e["source_name"] for e in table.dictionary]
        index = names.index("NBENFMAX")
        form = {f"{i}-name": e["name"] for i, e in enumerate(table.dictionary)}
        form.update({f"{i}-type": e["type"] for i, e in enumerate(table.dictionary)})
        form.update(
            {
                f"{names.index('CDETAB')}-type": "code",
                f"{index}-name": "enfants_max",
                f"{index}-title-fr": "Nombre maximum d'enfants",
                f"{index}-title-nl": "Maximum aantal kinderen",
                f"{index}-unit": "enfants",
            }
        )
        response = app.post(
            f"{url}/table/columns",
            data=form,
            headers={"Authorization": editor["token"]},
            follow_redirects=False,
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        run_queued_jobs()
        table = Table.get(resource["id"])
        assert table.status == "loaded", table.message
        assert TableLoad.history(resource["id"])[0].status == "loaded"

        # Still a draft: nobody else sees it, not even through the DataStore.
        assert (
            tk.get_action("package_show")(site_context(), {"id": "ecoles-effectifs"})["state"]
            == "draft"
        )
        anonymous = app.get(url)
        assert anonymous.status_code in (403, 404)
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("datastore_search")({"user": ""}, {"resource_id": resource["id"]})
        assert app.get(f"{url}/table/status.json").status_code == 404

        response = app.post(
            "/dataset/ecoles-effectifs/publish",
            headers={"Authorization": editor["token"]},
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert (
            tk.get_action("package_show")(site_context(), {"id": "ecoles-effectifs"})["state"]
            == "active"
        )

        # Citizens query the typed table through the API.
        result = app.get(
            "/api/3/action/datastore_search",
            query_string={
                "resource_id": resource["id"],
                "filters": json.dumps({"NOM": "Ecole maternelle aliénor d'AQUITAINE"}),
            },
        ).json["result"]
        fields = {f["id"]: f["type"] for f in result["fields"]}
        assert fields["enfants_max"] == "int8"
        assert fields["CDETAB"] == "text"
        (record,) = result["records"]
        assert record["enfants_max"] == 150
        assert record["CDETAB"] == "501"
        info = tk.get_action("datastore_info")(site_context(), {"id": resource["id"]})
        (described,) = [f for f in info["fields"] if f["id"] == "enfants_max"]
        assert described["info"]["label"] == "Nombre maximum d'enfants"

        # The public page shows the dictionary and the status, not the report.
        page = BeautifulSoup(app.get(f"/en{url}").get_data(as_text=True), "html.parser")
        dictionary = page.select_one("#table-dictionary-heading").find_parent("section")
        assert "Nombre maximum d'enfants" in dictionary.get_text()
        assert "Checked on" in page.select_one("#table-status").get_text()
        assert "DOS code page 850" not in page.get_text()

    def test_a_failed_load_keeps_the_table_already_published(self, app, editor):
        draft(app, editor, "budget")
        upload(app, editor, "budget", BUDGET)
        run_queued_jobs()
        resource = only_resource("budget")
        before = search(resource["id"], limit=1)["total"]
        assert before > 1000
        # A view on the table (a DataStore alias) keeps PostgreSQL from dropping it:
        # loading a new version fails, and must change nothing.
        tk.get_action("datastore_create")(
            site_context(),
            {
                "resource_id": resource["id"],
                "aliases": f"budget_{resource['id'][:8]}",
                "force": True,
            },
        )
        tk.get_action("wepulse_table_update")(
            {"user": editor["name"]}, {"resource_id": resource["id"], "dictionary": [
                {**e, "name": e["name"] + "_v2"} for e in Table.get(resource["id"]).dictionary
            ]},
        )  # fmt: skip
        run_queued_jobs()
        table = Table.get(resource["id"])
        assert table.status == "failed"
        assert "depend" in table.message
        (last, *_older) = TableLoad.history(resource["id"])
        assert last.status == "failed" and last.errors[0]["code"] == "load_failed"
        assert search(resource["id"], limit=1)["total"] == before
        fields = [f["id"] for f in search(resource["id"], limit=0)["fields"]]
        assert not any(name.endswith("_v2") for name in fields)

    def test_another_authoritys_editor_cannot_touch_the_table(self, app, editor):
        draft(app, editor, "budget")
        upload(app, editor, "budget", BUDGET)
        run_queued_jobs()
        resource = only_resource("budget")
        tk.get_action("wepulse_dataset_publish")({"user": editor["name"]}, {"id": "budget"})
        tk.get_action("organization_create")(site_context(), {"name": "ixelles"})
        stranger = member("ixelles")
        url = f"/dataset/budget/resource/{resource['id']}/table"
        headers = {"Authorization": stranger["token"]}
        assert app.post(f"{url}/load", headers=headers).status_code == 403
        assert app.post(f"{url}/columns", data={}, headers=headers).status_code == 403
        assert app.get(f"{url}/columns", headers=headers).status_code == 403
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("wepulse_table_update")(
                {"user": stranger["name"]}, {"resource_id": resource["id"], "load_anyway": True}
            )
        shown = tk.get_action("wepulse_table_show")(
            {"user": stranger["name"]}, {"resource_id": resource["id"]}
        )
        assert "reading" not in shown and shown["status"] == "loaded"

    def test_a_file_with_errors_waits_for_its_publisher(self, app, editor, tmp_path):
        broken = tmp_path / "comptages.csv"
        rows = ["rue;passages"] + [f"Rue {i};{i * 10}" for i in range(30)]
        rows[12] = "Rue Neuve;beaucoup"
        broken.write_text("\n".join(rows) + "\n", encoding="utf-8")
        draft(app, editor, "comptages")
        upload(app, editor, "comptages", broken)
        run_queued_jobs()
        resource = only_resource("comptages")
        table = Table.get(resource["id"])
        assert table.status == "checked"
        (error,) = table.errors
        assert error["code"] == "type_mismatch" and error["row"] == 13
        assert not only_resource("comptages").get("datastore_active")

        url = f"/dataset/comptages/resource/{resource['id']}"
        page = app.get(f"/nl{url}", headers={"Authorization": editor["token"]})
        report = " ".join(
            BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text().split()
        )
        said = "1 waarde van kolom passages komt niet overeen met het kolomtype (Geheel getal)"
        assert said + ": rij 13." in report
        assert "beaucoup" in report
        response = app.post(
            f"{url}/table/load", headers={"Authorization": editor["token"]}, follow_redirects=False
        )
        assert response.status_code == 302
        run_queued_jobs()
        assert Table.get(resource["id"]).status == "loaded"
        records = search(resource["id"], sort="_id", limit=100)["records"]
        assert len(records) == 30 and records[11]["passages"] is None
        assert records[12]["passages"] == 120


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
def test_the_dictionary_is_published_as_a_table_schema_in_dcat_ap(app, editor):
    draft(app, editor, "budget")
    upload(app, editor, "budget", BUDGET)
    run_queued_jobs()
    tk.get_action("wepulse_dataset_publish")({"user": editor["name"]}, {"id": "budget"})
    resource = only_resource("budget")
    schema = app.get(f"/dataset/budget/resource/{resource['id']}/table/schema.json").json
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["BP"]["type"] == "number"
    assert fields["Exercice"]["type"] == "integer"
    graph = Graph().parse(
        data=app.get("/dataset/budget.ttl").get_data(as_text=True), format="turtle"
    )
    (distribution,) = graph.objects(None, DCAT.distribution)
    (standard,) = graph.objects(distribution, DCTERMS.conformsTo)
    assert str(standard).endswith(f"/resource/{resource['id']}/table/schema.json")
    assert (standard, RDF.type, DCTERMS.Standard) in graph


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
def test_every_type_reaches_the_api_typed_and_downloads_filtered(app, editor, tmp_path):
    """The types docs/api.md promises, as the API returns them."""
    path = tmp_path / "creches.csv"
    path.write_bytes(
        "Budget des crèches 2024\n\n"
        "code;nis;commune;places;budget;ouverture;maj;public\n"
        "049;21004;Bruxelles;1 250;1 063 850,00;31/12/2024;2024-12-31 08:30;oui\n"
        "120;21009;Ixelles;30;12,5;01/02/2023;2024-01-02 09:00;non\n".encode("cp1252")
    )
    draft(app, editor, "creches")
    upload(app, editor, "creches", path)
    run_queued_jobs()
    resource = only_resource("creches")
    table = Table.get(resource["id"])
    assert table.reading["header_row"] == 3
    result = search(resource["id"], sort="_id")
    types = {f["id"]: f["type"] for f in result["fields"]}
    assert types == {
        "_id": "int",
        "code": "text",
        "nis": "text",
        "commune": "text",
        "places": "int8",
        "budget": "numeric",
        "ouverture": "date",
        "maj": "timestamp",
        "public": "bool",
    }
    first = result["records"][0]
    assert first["code"] == "049" and first["nis"] == "21004"
    assert first["places"] == 1250 and first["budget"] == 1063850.0
    assert first["ouverture"] == "2024-12-31"
    assert first["maj"] == "2024-12-31T08:30:00"
    assert first["public"] is True

    # Full text over every column, kept by the DataStore's trigger for later rows;
    # the filtered columns are indexed; the load's own trigger is gone.
    assert [r["commune"] for r in search(resource["id"], q="Ixelles")["records"]] == ["Ixelles"]
    tk.get_action("datastore_upsert")(
        site_context(),
        {"resource_id": resource["id"], "method": "insert", "force": True,
         "records": [{"code": "300", "commune": "Schaerbeek", "places": 12}]},
    )  # fmt: skip
    assert search(resource["id"], q="Schaerbeek")["total"] == 1
    with get_write_engine().connect() as connection:
        indexed = (
            connection.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = :t"),
                {"t": resource["id"]},
            )
            .scalars()
            .all()
        )
        triggers = (
            connection.execute(
                sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass)"),
                {"t": f'"{resource["id"]}"'},
            )
            .scalars()
            .all()
        )
    assert any("(_full_text)" in d for d in indexed)
    assert any("btree (code)" in d for d in indexed) and any("(ouverture)" in d for d in indexed)
    assert triggers == ["zfulltext"]

    tk.get_action("wepulse_dataset_publish")({"user": editor["name"]}, {"id": "creches"})
    dump = app.get(
        f"/datastore/dump/{resource['id']}",
        query_string={
            "format": "csv",
            "filters": json.dumps({"commune": "Ixelles"}),
            "fields": "commune,budget",
        },
    )
    assert dump.status_code == 200
    assert dump.get_data(as_text=True).splitlines() == ["commune,budget", "Ixelles,12.5"]


@pytest.mark.usefixtures("with_plugins", "clean_index", "queue")
def test_renaming_a_resource_does_not_read_its_file_again(app, editor):
    draft(app, editor, "budget")
    upload(app, editor, "budget", BUDGET)
    run_queued_jobs()
    resource = only_resource("budget")
    tk.get_action("resource_patch")(
        {"user": editor["name"]}, {"id": resource["id"], "name_translated": {"fr": "Budget 2014"}}
    )
    assert not any(t.startswith("Read table") for t in run_queued_jobs())
    upload_again = tk.get_action("resource_patch")
    with open(SCHOOLS, "rb") as f:
        upload_again(
            {"user": editor["name"]},
            {"id": resource["id"], "upload": FileStorage(f, filename=SCHOOLS.name)},
        )
    assert f"Read table {resource['id']}" in run_queued_jobs()
    assert Table.get(resource["id"]).reading["encoding"] == "cp850"
