"""DCAT-AP validation against the official SHACL shapes, through the real stack."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.dcat.processors import RDFParser

from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.seeding import site_context

from ..conftest import TREES

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"
BOTH = ["dcat-ap-3.0.1", "dcat-ap-2.1.1"]


def validate(dataset_id: str, profile: str) -> dict:
    return tk.get_action("wepulse_dataset_validate")(
        site_context(), {"id": dataset_id, "profile": profile}
    )[0]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestValidation:
    @pytest.mark.parametrize("profile", BOTH)
    def test_a_complete_multilingual_dataset_conforms(self, trees, profile):
        result = validate(trees["id"], profile)
        assert result["messages"] == []
        assert (result["conforms"], result["violations"]) == (True, 0)

    def test_a_broken_dataset_reports_the_precise_violation(self, schaerbeek):
        broken = copy.deepcopy(TREES)
        broken["resources"][0]["url"] = ""  # a distribution nobody can reach
        dataset = tk.get_action("package_create")(site_context(), broken)
        result = validate(dataset["id"], "dcat-ap-3.0.1")
        assert (result["conforms"], result["violations"]) == (False, 1)
        [message] = result["messages"]
        assert message["path"] == "http://www.w3.org/ns/dcat#accessURL"
        assert message["severity"] == "Violation"
        assert message["focus"].endswith(f"/resource/{dataset['resources'][0]['id']}")
        assert "Less than 1 values" in message["message"]

    def test_results_are_stored_and_public(self, app, trees):
        validate(trees["id"], "dcat-ap-3.0.1")
        response = app.get(
            "/api/3/action/wepulse_dataset_validation_show", query_string={"id": trees["name"]}
        )
        [stored] = response.get_json()["result"]
        assert stored["profile"] == "dcat-ap-3.0.1" and stored["conforms"] is True

    def test_only_editors_may_run_a_validation(self, app, trees):
        response = app.post("/api/3/action/wepulse_dataset_validate", json={"id": trees["id"]})
        assert response.status_code == 403
        stranger = factories.UserWithToken()
        response = app.post(
            "/api/3/action/wepulse_dataset_validate",
            json={"id": trees["id"]},
            headers={"Authorization": stranger["token"]},
        )
        assert response.status_code == 403

    def test_an_unknown_profile_is_refused(self, trees):
        with pytest.raises(tk.ValidationError) as error:
            validate(trees["id"], "dcat-ap-9")
        assert "profile" in error.value.error_dict

    def test_a_change_queues_a_fresh_validation_and_the_job_stores_it(self, trees):
        tk.get_action("job_clear")(site_context(), {})
        tk.get_action("package_patch")(site_context(), {"id": trees["id"], "version": "2"})
        jobs = tk.get_action("job_list")(site_context(), {})
        assert [job["title"] for job in jobs] == [f"Validate {trees['id']}"]
        validate_dataset(trees["id"])  # what the worker runs
        [stored] = tk.get_action("wepulse_dataset_validation_show")({}, {"id": trees["id"]})
        assert stored["conforms"] is True


def parse_into_portal(path: Path, fmt: str) -> list[dict]:
    """Corpus RDF through our parser chain into the portal, as a harvest would."""
    parser = RDFParser(profiles=["euro_dcat_ap_3", "wepulse_dcat_ap"])
    parser.parse(path.read_text(encoding="utf-8"), _format=fmt)
    created = []
    for index, dataset in enumerate(parser.datasets()):
        dataset.update(
            name=f"{path.stem.lower().replace('_', '-')}-{index}", owner_org="schaerbeek"
        )
        dataset.pop("publisher", None)  # the authority publishes what it harvests
        created.append(tk.get_action("package_create")(site_context(), dataset))
    assert created, f"nothing parsed from {path}"
    return created


CORPUS_FIXTURES = [
    ("dcat-ap-semic/releases/3.0.1/html/examples/example-bee-population.ttl", "turtle"),
    ("belgium/fedict-dcattools/dcatlib_dcat-multilang.rdf", "xml"),
    ("ckanext-dcat-examples/dcat/dataset_multilingual.ttl", "turtle"),
    ("belgium/data.gov.be/ldes_page_9.trig", "trig"),
]


@pytest.mark.usefixtures("with_plugins", "clean_index", "schaerbeek")
@pytest.mark.parametrize("fixture,fmt", CORPUS_FIXTURES)
def test_corpus_metadata_exports_without_violations(fixture, fmt):
    for dataset in parse_into_portal(CORPUS / fixture, fmt):
        for profile in BOTH:
            result = validate(dataset["id"], profile)
            violations = [m for m in result["messages"] if m["severity"] == "Violation"]
            assert (dataset["name"], profile, violations) == (dataset["name"], profile, [])


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDatasetPage:
    def test_editors_see_the_validation_and_visitors_do_not(self, app, schaerbeek):
        broken = copy.deepcopy(TREES)
        broken["resources"][0]["url"] = ""
        dataset = tk.get_action("package_create")(site_context(), broken)
        validate(dataset["id"], "dcat-ap-3.0.1")
        editor = factories.SysadminWithToken()
        page = app.get(f"/dataset/{dataset['name']}", headers={"Authorization": editor["token"]})
        html = page.get_data(as_text=True)
        assert "dcat-ap-3.0.1" in html and "http://www.w3.org/ns/dcat#accessURL" in html
        visitor_html = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
        assert "dcat-ap-validation-heading" not in visitor_html


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_an_authority_change_refreshes_its_datasets_stored_dcat_ap(trees):
    from ckanext.wepulse.jobs import refresh_authority_datasets
    from ckanext.wepulse.model import DatasetRdf

    validate(trees["id"], "dcat-ap-3.0.1")
    tk.get_action("job_clear")(site_context(), {})
    tk.get_action("organization_patch")(
        site_context(), {"id": "schaerbeek", "title_translated": {"fr": "Commune de Schaerbeek"}}
    )
    jobs = tk.get_action("job_list")(site_context(), {})
    assert [job["title"] for job in jobs] == ["Refresh datasets of schaerbeek"]
    refresh_authority_datasets(trees["owner_org"])  # what the worker runs
    from ckan import model

    stored = model.Session.get(DatasetRdf, trees["id"])
    model.Session.refresh(stored)
    assert '"Commune de Schaerbeek"@fr' in stored.turtle
