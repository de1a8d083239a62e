"""The transparency where people look, through the real stack: the dataset's quality
block, the resource's link status, an authority's scorecard and broken links, the
regional overview with its CSV and JSON, the API, and the search facets."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.quality import jobs
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer

from ..conftest import SCHAERBEEK, TREES, allowing, page, text

HOSTILE = '=HYPERLINK("http://evil.example","x")<script>alert(1)</script>'


def authority(**fields) -> dict:
    return tk.get_action("organization_create")(site_context(), fields)


@pytest.fixture
def region(clean_db, clean_index):
    """Two authorities of the regions (one publishing, one not) and a body outside them."""
    schaerbeek = authority(**copy.deepcopy(SCHAERBEEK))
    quiet = authority(
        name="cpas-amay",
        title="CPAS d'Amay",
        title_translated={"fr": "CPAS d'Amay", "nl": "OCMW Amay"},
        nis_code="61003",
        authority_type="cpas",
        region="wallonia",
    )
    elsewhere = authority(name="agence", title="Agence fédérale")
    return schaerbeek, quiet, elsewhere


@pytest.fixture
def scored(region):
    """Schaerbeek's trees, scored, with one link that works and one that is gone."""
    files = {
        "/arbres.csv": lambda _q: (200, "text/csv", b"a;b\n"),
        "/gone": lambda _q: (404, "text/plain", b"no"),
    }
    with FixtureServer(files) as server, allowing(server):
        data = copy.deepcopy(TREES)
        data["title_translated"]["fr"] = HOSTILE
        data["resources"][0]["url"] = f"{server.url}/arbres.csv"
        data["resources"].append({"name_translated": {"fr": "Ancien"}, "url": f"{server.url}/gone"})
        dataset = tk.get_action("package_create")(site_context(), data)
        validate_dataset(dataset["id"])
        jobs.check_links()
    return tk.get_action("package_show")(site_context(), {"id": dataset["id"]})


def editor_of(organization: dict) -> dict:
    user = factories.User()
    tk.get_action("organization_member_create")(
        site_context(), {"id": organization["id"], "username": user["name"], "role": "editor"}
    )
    return user


def as_user(user: dict) -> dict:
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


@pytest.mark.usefixtures("with_plugins")
class TestDatasetAndResourcePages:
    def test_the_dataset_page_shows_score_band_freshness_and_whats_missing(self, app, scored):
        soup = page(app, f"/dataset/{scored['name']}")
        block = soup.select_one("section.wepulse-quality")
        quality = tk.get_action("wepulse_dataset_quality_show")({}, {"id": scored["id"]})
        said = text(block)
        assert f"{quality['score']} sur 405 points" in said
        assert "Mis à jour à temps" in said or "Updated on time" in said
        # One of two access URLs answers: 25 of 50 points are lost, and said so.
        assert "−25 points" in said
        statuses = {
            text(row.select("td")[0]).rsplit("/", 1)[-1]: text(row.select("td")[1])
            for row in block.select(".wepulse-links tbody tr")
        }
        assert set(statuses) == {"arbres.csv", "gone"}
        assert "404" in statuses["gone"] and "404" not in statuses["arbres.csv"]
        # How to fix each item is for its editors.
        assert not block.select(".wepulse-fix")
        assert "<script>alert(1)" not in str(soup)

    def test_editors_see_how_to_earn_the_points(self, app, scored, region):
        editor = editor_of(region[0])
        response = app.get(f"/dataset/{scored['name']}", headers=as_user(editor))
        assert response.status_code == 200
        assert "wepulse-fix" in response.get_data(as_text=True)

    def test_the_resource_page_says_what_the_link_checker_found(self, app, scored):
        gone = next(r for r in scored["resources"] if r["url"].endswith("/gone"))
        soup = page(app, f"/dataset/{scored['name']}/resource/{gone['id']}")
        said = text(soup.select_one("main") or soup)
        assert "HTTP 404" in said


@pytest.mark.usefixtures("with_plugins")
class TestAuthority:
    def test_the_scorecard_has_the_figures_and_hides_the_broken_list_from_visitors(
        self, app, scored, region
    ):
        soup = page(app, "/organization/schaerbeek/quality")
        said = text(soup)
        card = tk.get_action("wepulse_authority_quality_show")({}, {"id": "schaerbeek"})
        assert card["datasets"] == 1 and card["average_score"] is not None
        assert f"{card['average_score']} sur 405 points" in said
        assert "1 lien cassé" in said or "1 broken link" in said
        assert [link["status"] for link in card["broken_links"]] == ["broken"]
        assert not soup.select("#card-broken")  # the list is for its editors
        assert app.get("/organization/schaerbeek/quality/broken-links.csv").status_code == 403

    def test_its_editors_get_the_broken_links_as_csv(self, app, scored, region):
        editor = editor_of(region[0])
        response = app.get(
            "/organization/schaerbeek/quality/broken-links.csv", headers=as_user(editor)
        )
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [(row["status"], row["http_status"]) for row in rows] == [("broken", "404")]
        assert rows[0]["url"].endswith("/gone")

    def test_an_unknown_authority_is_not_found(self, app, region):
        assert app.get("/organization/nowhere/quality").status_code == 404


@pytest.mark.usefixtures("with_plugins")
class TestOverview:
    def test_every_authority_of_the_regions_is_listed_publishing_or_not(self, app, scored):
        soup = page(app, "/transparency")
        rows = soup.select(".wepulse-overview-table tbody tr")
        names = [text(row.select_one("th")) for row in rows]
        assert sorted(names) == sorted(["CPAS d'Amay", "Schaerbeek"])  # not the agency
        totals = soup.select_one("section[aria-labelledby=overview-totals] table")
        assert [text(row.select_one("th")) for row in totals.select("tbody tr")] == [
            "Région de Bruxelles-Capitale",
            "Wallonie",
        ]

    def test_it_filters_and_sorts_without_javascript(self, app, scored):
        soup = page(app, "/nl/transparency?region=wallonia")
        assert [
            text(r.select_one("th")) for r in soup.select(".wepulse-overview-table tbody tr")
        ] == ["OCMW Amay"]
        soup = page(app, "/transparency?sort=average_score+desc")
        header = soup.select_one("th[aria-sort]")
        assert header["aria-sort"] == "descending"
        first = soup.select(".wepulse-overview-table tbody tr")[0]
        assert text(first.select_one("th")) == "Schaerbeek"  # the one with a score first
        assert page(app, "/transparency?sort=nonsense")  # an unknown column is ignored

    def test_csv_and_json_have_the_same_rows_and_no_formula(self, app, scored, region):
        tk.get_action("organization_patch")(
            site_context(), {"id": region[1]["id"], "title_translated": {"fr": HOSTILE}}
        )
        table = list(
            csv.DictReader(io.StringIO(app.get("/transparency.csv").get_data(as_text=True)))
        )
        body = json.loads(app.get("/transparency.json").get_data(as_text=True))
        assert [row["name"] for row in table] == [a["name"] for a in body["authorities"]]
        hostile = next(row for row in table if row["name"] == "cpas-amay")
        assert hostile["title"] == "'" + HOSTILE  # a spreadsheet shows it, never runs it
        schaerbeek = next(a for a in body["authorities"] if a["name"] == "schaerbeek")
        assert schaerbeek["datasets"] == 1 and schaerbeek["broken_links"] == 1
        assert {t["region"] for t in body["totals"]} == {"brussels", "wallonia"}

    def test_the_list_action_filters_by_region(self, scored):
        found = tk.get_action("wepulse_authority_quality_list")({}, {"region": "brussels"})
        assert [row["name"] for row in found] == ["schaerbeek"]


@pytest.mark.usefixtures("with_plugins")
class TestApiAndSearch:
    def test_quality_is_public_for_public_datasets_only(self, app, scored, region):
        response = app.get(f"/api/3/action/wepulse_dataset_quality_show?id={scored['name']}")
        result = response.json["result"]
        assert result["score"] == sum(result["dimensions"].values())
        assert {link["status"] for link in result["links"]} == {"ok", "broken"}
        private = tk.get_action("package_create")(
            site_context(),
            {**copy.deepcopy(TREES), "name": "prive", "private": True},
        )
        response = app.get(f"/api/3/action/wepulse_dataset_quality_show?id={private['id']}")
        assert response.status_code == 403

    def test_band_and_on_time_are_facets_labelled_in_the_pages_language(self, app, scored):
        quality = tk.get_action("wepulse_dataset_quality_show")({}, {"id": scored["id"]})
        found = tk.get_action("package_search")(
            {},
            {
                "fq": f"quality_band:{quality['band']} updated_on_time:yes",
                "facet.field": '["quality_band", "updated_on_time"]',
            },
        )
        assert found["count"] == 1
        soup = page(app, "/nl/dataset/")
        assert "Kwaliteit van de metadata" in text(soup)
        assert "Op tijd" in text(soup)
