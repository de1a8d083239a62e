"""data.europa.eu's MQA, indicator by indicator, on datasets built for it, through the
real stack: package_create, the validation job (SHACL), the link checker against a
loopback server, and the stored score. Every expected figure is worked out by hand in
the comments from the methodology's table (405 points)."""

from __future__ import annotations

import copy

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from rdflib import Graph

from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.quality import jobs, mqa
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer

from ..conftest import allowing

CSV = "text/csv"


def files_server() -> FixtureServer:
    ok = (200, CSV, b"a;b\n1;2\n")
    return FixtureServer(
        {
            "/trees.csv": lambda _q: ok,
            "/trees.pdf": lambda _q: (200, "application/pdf", b"%PDF-1.4"),
            "/gone": lambda _q: (404, "text/plain", b"gone"),
        }
    )


def complete(base: str, owner: str) -> dict:
    """Every indicator met: 405 points once its links answer."""
    return {
        "name": "complete",
        "owner_org": owner,
        "title_translated": {"fr": "Arbres", "nl": "Bomen"},
        "notes_translated": {"fr": "Les arbres.", "nl": "De bomen."},
        "tags_translated": {"fr": ["arbres"], "nl": ["bomen"]},  # keyword 30
        "theme": ["ENVI"],  # theme 30
        "spatial_coverage": [{"uri": "http://vocab.belgif.be/auth/refnis2019/21015"}],  # 20
        "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],  # temporal 20
        "license_id": "CC_BY_4_0",  # licence 20 + from the EU vocabulary 10 (per file)
        "access_rights": "PUBLIC",  # access rights 10 + from the EU vocabulary 5
        "contact": [{"name": "Service vert", "email": "vert@example.be"}],  # contact 20
        "issued": "2023-02-01",  # issued 5 (publisher 10: the authority; modified 5)
        "frequency": "ANNUAL",
        "resources": [
            {
                "name_translated": {"fr": "Inventaire"},
                "url": f"{base}/trees.csv",  # access URL answers 200: 50
                "download_url": f"{base}/trees.csv",  # present 20, answers 30
                "format": "CSV",  # format 20, vocabulary 10, non-proprietary 20, m-r 20
                "mimetype": CSV,  # media type 10
                "size": 1234,  # byte size 5
                "rights": "Réutilisation libre, avec mention de la source.",  # rights 5
            }
        ],
    }


@pytest.fixture
def authority(clean_db, clean_index):
    # No NIS code: the profile would give its territory as the dataset's spatial.
    return factories.Organization(name="ixelles", title="Ixelles")


def create(dataset: dict) -> dict:
    created = tk.get_action("package_create")(site_context(), copy.deepcopy(dataset))
    validate_dataset(created["id"])  # the job after each change: SHACL, then the score
    return created


def quality(dataset: dict) -> dict:
    return tk.get_action("wepulse_dataset_quality_show")({}, {"id": dataset["id"]})


def states(found: dict) -> dict[str, tuple[str, int]]:
    return {i["indicator"]: (i["state"], i["points"]) for i in found["indicators"]}


@pytest.mark.usefixtures("with_plugins")
class TestScoresThroughTheStack:
    def test_a_complete_dataset_scores_405_once_its_links_answer(self, authority):
        with files_server() as server, allowing(server):
            dataset = create(complete(server.url, authority["id"]))
            before = quality(dataset)
            # Not checked yet: 50 + 30 points are pending, neither earned nor lost.
            assert (before["score"], before["pending"]) == (405 - 80, 80)
            assert states(before)["access_url_works"] == ("unknown", 0)
            assert before["links"][0]["status"] == "not_checked"
            assert jobs.check_links()["checked"] == 1  # one URL, both access and download
            after = quality(dataset)
        assert server.requests == ["/trees.csv"]  # HEAD: no body was fetched
        assert (after["score"], after["band"], after["pending"]) == (405, "excellent", 0)
        assert after["dimensions"] == {
            "findability": 100,
            "accessibility": 100,
            "interoperability": 110,
            "reusability": 75,
            "contextuality": 20,
        }
        assert {state for state, _points in states(after).values()} == {"pass"}
        assert after["links"][0]["status"] == "ok"

    def test_a_dataset_can_score_nothing_in_a_dimension(self, authority):
        with files_server() as server, allowing(server):
            bare = {
                "name": "bare",
                "owner_org": authority["id"],
                "title_translated": {"fr": "Nu"},
                "notes_translated": {"fr": "Rien d'autre."},
                "resources": [{"url": f"{server.url}/gone"}],  # no extension: no format guessed
            }
            dataset = create(bare)
            jobs.check_links()
            found = quality(dataset)
        indicators = states(found)
        # No keyword, theme, area or period: findability 0 of 100.
        assert found["dimensions"]["findability"] == 0
        # Its one link answers 404: 0 of 50; no download URL: 0 + 0.
        assert found["dimensions"]["accessibility"] == 0
        assert indicators["access_url_works"] == ("fail", 0)
        assert found["links"][0]["status"] == "broken"
        assert found["links"][0]["http_status"] == 404
        # No format, media type or licence; the dataset names its publisher (10).
        assert indicators["format"] == ("fail", 0)
        assert indicators["licence"] == ("fail", 0)
        assert indicators["publisher"] == ("pass", 10)
        assert found["band"] == "bad"

    def test_interoperability_is_the_best_files_and_shares_count_files(self, authority):
        with files_server() as server, allowing(server):
            dataset = complete(server.url, authority["id"])
            dataset["name"] = "two-files"
            pdf = {
                "name_translated": {"fr": "Rapport"},
                "url": f"{server.url}/trees.pdf",
                "format": "PDF",  # format 20, media type 10, vocabulary 10; not open, not m-r
                "mimetype": "application/pdf",
            }
            dataset["resources"].append(pdf)
            created = create(dataset)
            jobs.check_links()
            found = quality(created)
        indicators = {i["indicator"]: i for i in found["indicators"]}
        # The CSV is the best file: 80 + DCAT-AP compliance 30, whatever the PDF lacks.
        assert found["dimensions"]["interoperability"] == 110
        assert indicators["machine_readable"]["distributions"] == {
            d: d.endswith(created["resources"][0]["id"])
            for d in indicators["machine_readable"]["distributions"]
        }
        # One download URL of two files: 20 * 1/2 = 10; it answers: 30 * 1/2 = 15;
        # both access URLs answer: 50.
        assert (indicators["download_url"]["points"], indicators["download_url"]["met"]) == (10, 1)
        assert indicators["download_url_works"]["points"] == 15
        assert found["dimensions"]["accessibility"] == 75
        # Size and rights on one file of two: 2.5 + 2.5, issued and modified 10.
        assert found["dimensions"]["contextuality"] == 15
        assert found["score"] == 405 - 10 - 15 - 5

    def test_dcat_ap_compliance_is_the_stored_shacl_result(self, authority):
        dataset = tk.get_action("package_create")(
            site_context(),
            {
                "name": "not-validated",
                "owner_org": authority["id"],
                "title_translated": {"fr": "Pas encore validé"},
                "notes_translated": {"fr": "Rien d'autre."},
            },
        )
        from ckanext.wepulse.quality import scoring

        scoring.refresh([tk.get_action("package_show")(site_context(), {"id": dataset["id"]})])
        assert states(quality(dataset))["dcat_ap_compliant"] == ("unknown", 0)
        validate_dataset(dataset["id"])
        found = quality(dataset)
        validation = tk.get_action("wepulse_dataset_validation_show")({}, {"id": dataset["id"]})
        expected = ("pass", 30) if validation[0]["conforms"] else ("fail", 0)
        assert states(found)["dcat_ap_compliant"] == expected


def _graph(turtle: str) -> tuple[Graph, object]:
    graph = Graph().parse(data=turtle, format="turtle")
    return graph, mqa.dataset_subject(graph)


PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
"""


class TestRules:
    @pytest.mark.parametrize(
        ("score", "band"),
        [
            (405, "excellent"),
            (351, "excellent"),
            (350, "good"),
            (221, "good"),
            (220, "sufficient"),
            (121, "sufficient"),
            (120, "bad"),
            (0, "bad"),
        ],
    )
    def test_bands(self, score, band):
        assert mqa.band(score) == band

    def test_weights_are_the_methodologys(self):
        by_dimension: dict[str, int] = {}
        for indicator in mqa.INDICATORS:
            by_dimension[indicator.dimension] = (
                by_dimension.get(indicator.dimension, 0) + indicator.points
            )
        assert (
            by_dimension
            == mqa.DIMENSIONS
            == {
                "findability": 100,
                "accessibility": 100,
                "interoperability": 110,
                "reusability": 75,
                "contextuality": 20,
            }
        )

    def test_unknown_links_are_pending_a_failed_one_is_lost(self):
        graph, dataset = _graph(
            PREFIXES
            + """
<http://x/d> a dcat:Dataset ;
  dcat:distribution <http://x/1>, <http://x/2>, <http://x/3>, <http://x/4> .
<http://x/1> a dcat:Distribution ; dcat:accessURL <http://files/1> .
<http://x/2> a dcat:Distribution ; dcat:accessURL <http://files/2> .
<http://x/3> a dcat:Distribution ; dcat:accessURL <http://files/3> .
<http://x/4> a dcat:Distribution ; dcat:accessURL <http://files/4> .
"""
        )
        verdicts = {"http://files/1": True, "http://files/2": False, "http://files/3": None}
        score = mqa.score_graph(graph, dataset, None, verdicts)
        access = next(m for m in score.measures if m.indicator.key == "access_url_works")
        # 1 of 4 works: 12.5 earned; 2 of 4 not checked (one unknown to the checker):
        # 25 pending; 1 of 4 fails: 12.5 lost.
        assert (access.met, access.unknown, access.total) == (1, 2, 4)
        assert (access.earned, access.pending_points, access.missing) == (12.5, 25.0, 12)
        assert access.state == "partial"
        compliant = next(m for m in score.measures if m.indicator.key == "dcat_ap_compliant")
        assert (compliant.state, compliant.pending_points) == ("unknown", 30.0)

    def test_a_dataset_without_distributions_earns_no_distribution_points(self):
        graph, dataset = _graph(PREFIXES + "<http://x/d> a dcat:Dataset ; dcat:keyword 'k' .")
        score = mqa.score_graph(graph, dataset, True, {})
        assert score.total == 30 + 30  # keyword + compliance
        assert score.dimensions()["accessibility"] == 0

    def test_a_format_known_only_by_its_media_type_is_judged_by_it(self):
        graph, dataset = _graph(
            PREFIXES
            + """
<http://x/d> a dcat:Dataset ; dcat:distribution <http://x/1> .
<http://x/1> a dcat:Distribution ;
  dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> .
"""
        )
        facts = {
            m.indicator.key: m.state for m in mqa.score_graph(graph, dataset, True, {}).measures
        }
        assert facts["format"] == "fail" and facts["media_type"] == "pass"
        assert facts["format_vocabulary"] == facts["machine_readable"] == "pass"
