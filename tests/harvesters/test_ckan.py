"""The CKAN adapter on a real package_search answer (corpus/ckan-api, EnviDat's CKAN)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from harvesters.base import Record, RecordError, SourceError
from harvesters.ckan import CkanAdapter
from harvesters.http import Response

PORTAL = "https://www.envidat.ch"
SEARCH = f"{PORTAL}/api/3/action/package_search"
JSON = "application/json"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
# The two datasets of corpus/ckan-api/package_search.json, in the file's order.
PERMAFROST = "8c2dcda3-8d82-40cd-b79e-1b4dbe4ac77f"
CANOPY = "19c270cb-d470-4bf6-b527-90c1b44040e8"
PERMAFROST_NAME = "the-importance-of-hot-summers-and-individual-heatwaves-for-permafrost-warming-an"
CANOPY_NAME = "dataset-for-canopy-scale-vpd-reduction-in-a-mature-forest-alters-stomatal-respon"


def search_url(start: int, fq: str = "") -> str:
    """package_search as the adapter asks it: q, [fq], sort, rows, start."""
    return f"{SEARCH}?q=%2A%3A%2A{fq}&sort=id+asc&rows=500&start={start}"


def answer(results: list, count: int) -> tuple[bytes, str]:
    body = {"help": f"{SEARCH}", "success": True, "result": {"count": count, "results": results}}
    return json.dumps(body).encode(), JSON


@pytest.fixture
def search_body(corpus) -> bytes:
    return (corpus / "ckan-api" / "package_search.json").read_bytes()


@pytest.fixture
def packages(search_body) -> list[dict]:
    return json.loads(search_body)["result"]["results"]


def harvest(recorded_http, responses, url=PORTAL, **config) -> tuple[list, list[str]]:
    http = recorded_http(responses)
    return list(CkanAdapter(url, http, config).records()), http.requested


def mapped(package: dict, config: dict | None = None) -> dict:
    """Map a package_search item through its Record, as the harvest does."""
    adapter = CkanAdapter(PORTAL, None, config)
    return adapter.map(adapter._record(package))


# -- paging ---------------------------------------------------------------------


def test_pages_by_start_until_an_empty_page(recorded_http, search_body):
    """The recorded answer says count 858 but lists 2: the next page (start=2) is empty."""
    responses = {search_url(0): (search_body, JSON), search_url(2): answer([], 858)}
    records, requested = harvest(recorded_http, responses)

    assert requested == [search_url(0), search_url(2)]
    assert len(records) == 2
    assert [r.guid for r in records] == [PERMAFROST, CANOPY]
    assert records[0].url == f"{PORTAL}/dataset/{PERMAFROST_NAME}"
    assert records[0].modified == "2026-08-04T07:19:14.753556"


def test_stops_when_count_is_reached_without_asking_again(recorded_http, packages):
    third = {**copy.deepcopy(packages[0]), "id": "third-id", "name": "third"}
    responses = {search_url(0): answer(packages, 3), search_url(2): answer([third], 3)}
    records, requested = harvest(recorded_http, responses)

    # start=3 is not below count 3: no third request (it would be a 404 here).
    assert requested == [search_url(0), search_url(2)]
    assert [r.guid for r in records] == [PERMAFROST, CANOPY, "third-id"]


def test_a_count_larger_than_the_source_delivers_does_not_loop(
    recorded_http, search_body, packages
):
    """EnviDat's answer says count 858: pages come short (one dataset at start=2),
    then empty (start=3), which ends the harvest; the 855 datasets the source never
    lists are not asked for page after page."""
    third = {**copy.deepcopy(packages[0]), "id": "third-id", "name": "third"}
    responses = {
        search_url(0): (search_body, JSON),
        search_url(2): answer([third], 858),
        search_url(3): answer([], 858),
    }
    records, requested = harvest(recorded_http, responses)

    assert requested == [search_url(0), search_url(2), search_url(3)]
    assert [r.guid for r in records] == [PERMAFROST, CANOPY, "third-id"]


def test_a_server_that_ignores_start_is_not_harvested_over_and_over(search_body):
    class IgnoresStart:
        """Answers every package_search with the recorded first page."""

        def __init__(self):
            self.requested = 0

        def get(self, url, *, params=None, headers=None, conditional=False):
            self.requested += 1
            return Response(url, 200, search_body, {"Content-Type": JSON})

    http = IgnoresStart()
    records = []
    with pytest.raises(SourceError, match="start=2 repeats an earlier page"):
        for record in CkanAdapter(PORTAL, http).records():
            records.append(record)
    guids = [r.guid for r in records]
    assert len(guids) == len(set(guids)) == 2
    assert http.requested == 2


def test_organization_filters_the_search(recorded_http, search_body):
    fq = "&fq=organization%3A%22cryos%22"
    responses = {search_url(0, fq): (search_body, JSON), search_url(2, fq): answer([], 858)}
    records, requested = harvest(recorded_http, responses, organization="cryos")

    assert requested == [search_url(0, fq), search_url(2, fq)]
    assert len(records) == 2


def test_a_custom_query_replaces_the_match_all(recorded_http, search_body):
    first = f"{SEARCH}?q=tags%3APERMAFROST&sort=id+asc&rows=500&start=0"
    records, requested = harvest(recorded_http, {first: answer([], 0)}, q="tags:PERMAFROST")
    assert requested == [first]
    assert records == []


@pytest.mark.parametrize(
    "url",
    [
        PORTAL,
        f"{PORTAL}/",
        f"{PORTAL}/api/3/action",
        f"{PORTAL}/api/3/action/",
        f"{PORTAL}/api/action",
        f"{PORTAL}/api/3",
        f"{PORTAL}/api",
    ],
)
def test_the_api_url_is_normalised_to_the_portal(recorded_http, search_body, url):
    responses = {search_url(0): (search_body, JSON), search_url(2): answer([], 858)}
    records, requested = harvest(recorded_http, responses, url=url)

    assert requested[0] == search_url(0)
    # The dataset page is on the portal, not under /api.
    assert records[1].url == f"{PORTAL}/dataset/{CANOPY_NAME}"


# -- faults ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>", "text/html"),
        (
            b'{"success": false, "error": {"message": "Not found", "__type": "Not Found Error"}}',
            JSON,
        ),
        (b'{"success": true, "result": ["one", "two"]}', JSON),
        (b'{"success": true, "result": {"count": 1}}', JSON),
        (b"[]", JSON),
    ],
    ids=["html", "ckan-error", "result-is-a-list", "no-results", "array"],
)
def test_an_answer_that_is_no_package_search_is_a_source_error(recorded_http, body, content_type):
    with pytest.raises(SourceError, match=f"^{re.escape(SEARCH)}"):
        harvest(recorded_http, {search_url(0): (body, content_type)})


def test_an_unreachable_portal_is_a_source_error(recorded_http):
    with pytest.raises(SourceError, match="404"):
        harvest(recorded_http, {})


def test_a_dataset_without_id_is_a_record_error_and_the_other_follows(recorded_http, packages):
    del packages[0]["id"]
    responses = {search_url(0): answer(packages, 2)}
    records, _ = harvest(recorded_http, responses)

    error, record = records
    assert isinstance(error, RecordError)
    assert "without an id" in str(error)
    assert isinstance(record, Record) and record.guid == CANOPY


# -- content hash ---------------------------------------------------------------


def test_content_hash_ignores_page_views_but_not_the_title(packages):
    adapter = CkanAdapter(PORTAL, None)
    package = {**packages[0], "tracking_summary": {"total": 12, "recent": 3}}
    viewed = {**package, "tracking_summary": {"total": 40, "recent": 9}}
    retitled = {**package, "title": "Hot summers and permafrost in the Swiss Alps"}

    hash_ = adapter._record(package).content_hash
    assert adapter._record(viewed).content_hash == hash_
    assert adapter._record(copy.deepcopy(package)).content_hash == hash_
    assert adapter._record(retitled).content_hash != hash_


# -- mapping: the recorded datasets ---------------------------------------------


def test_permafrost_dataset(packages):
    dataset = mapped(packages[0])

    assert dataset["title_translated"] == {
        "en": "The importance of hot summers and individual heatwaves for permafrost in the "
        "Swiss Alps"
    }
    assert dataset["notes_translated"]["en"].startswith(
        "This dataset contains idealized sensitivity simulations performed with the SNOWPACK"
    )
    assert set(dataset["notes_translated"]) == {"en"}
    assert dataset["license_id"] == "cc-by"
    assert dataset["language"] == [f"{LANGUAGE}ENG"]  # "language": "en"
    # EnviDat writes its tags in capitals; they are kept as written.
    assert dataset["tags_translated"] == {
        "en": [
            "ATMOSPHERIC HEATWAVES",
            "CLIMATE CHANGE",
            "HOT SUMMER",
            "MOUNTAIN PERMAFROST",
            "SEASONAL VARIABILITY",
            "SUBSEASONAL VARIABILITY",
        ]
    }
    # maintainer is one JSON person, author a JSON list of six: its first is kept.
    assert dataset["contact"] == [
        {"name": "Elizaveta Sharaborova", "email": "elizaveta.sharaborova@epfl.ch"},
        {"name": "Dominik Büeler", "email": "Dominik.Bueeler@meteoswiss.ch"},
    ]
    assert dataset["resources"] == [
        {
            "url": f"{PORTAL}/dataset/{PERMAFROST}/resource/"
            "99c43a7e-36eb-411c-8242-edbfde8b5b01/download/snowpack_simulations.zip",
            "name_translated": {"en": "SNOWPACK_simulations.zip"},
            "format": "ZIP",
            "mimetype": "application/zip",
            "size": 10004794304,
        }
    ]
    # "url": null: the dataset page stands for both.
    assert dataset["url"] == dataset["uri"] == f"{PORTAL}/dataset/{PERMAFROST_NAME}"
    assert dataset["identifier"] == PERMAFROST_NAME
    assert dataset["version"] == "1.0"
    assert dataset["modified"] == "2026-08-04T07:19:14.753556"
    # The portal names no publisher of its own: its organization is, with its page as IRI.
    assert dataset["publisher"] == [{"uri": f"{PORTAL}/organization/cryos", "name": "CRYOS"}]
    assert not {"name", "owner_org", "theme"} & set(dataset)


def test_a_publisher_the_portal_gives_comes_before_its_organization(packages):
    """ckanext-dcat's publisher_* extras (and its scheming field) say who published it."""
    package = copy.deepcopy(packages[0])
    package["extras"] = [
        {
            "key": "publisher_uri",
            "value": "https://org.belgif.be/id/CbeRegisteredEntity/0207373429",
        },
        {"key": "publisher_name", "value": "Ville de Bruxelles"},
    ]
    assert mapped(package)["publisher"] == [
        {
            "uri": "https://org.belgif.be/id/CbeRegisteredEntity/0207373429",
            "name": "Ville de Bruxelles",
        }
    ]
    package["publisher"] = json.dumps(
        [{"name": "Stad Brussel", "name_translated": {"nl": "Stad Brussel"}, "email": 42}]
    )
    # What is not text (an e-mail given as a number) is no address: left out.
    assert mapped(package)["publisher"] == [
        {"name": "Stad Brussel", "name_translated": {"nl": "Stad Brussel"}}
    ]


def test_canopy_dataset_without_a_declared_language(packages):
    """No "language" field: the title is still filed as English, by detection."""
    assert "language" not in packages[1]
    dataset = mapped(packages[1])

    assert dataset["title_translated"] == {
        "en": 'Dataset for "Canopy-scale VPD reduction in a mature forest alters stomatal '
        'response to soil drought in Pinus sylvestris L."'
    }
    assert list(dataset["notes_translated"]) == ["en"]
    assert dataset["notes_translated"]["en"].endswith(
        "filtered as specified in the material and method sections of the related article."
    )
    assert "language" not in dataset
    assert dataset["license_id"] == "cc-by"
    assert dataset["tags_translated"]["en"][:3] == ["ATMOSPHERIC DROUGHT", "DATASET", "PFYNWALD"]
    assert len(dataset["tags_translated"]["en"]) == 11
    assert dataset["contact"] == [
        {"name": "Giovanni Bortolami", "email": "giovanni.bortolami@wsl.ch"},
        {"name": "Giovanni Bortolami", "email": "giovanni.bortolami@epfl.ch"},
    ]
    files = "file2_physiological_60min file4_leaf_gas_exchange file1_environmental_10min"
    assert [(r["name_translated"]["en"], r["format"], r["size"]) for r in dataset["resources"]] == [
        (f"{name}.csv", "CSV", size)
        for name, size in zip(
            [*files.split(), "file3_water_potential_bar"],
            [18360566, 179589, 23257416, 57405],
            strict=True,
        )
    ]
    assert dataset["resources"][3]["url"] == (
        f"{PORTAL}/dataset/{CANOPY}/resource/03cff295-9bf2-43f5-a35a-f141b7f96f05"
        "/download/file3_water_potential_bar.csv"
    )
    assert dataset["resources"][3]["description_translated"] == {
        "en": "leaf water potential data (bar) collected during monthly campaigns at the tree "
        "individual level"
    }
    assert dataset["uri"] == f"{PORTAL}/dataset/{CANOPY_NAME}"


def test_contact_fields_in_plain_text(packages):
    package = {
        **packages[0],
        "maintainer": "Elizaveta Sharaborova",
        "maintainer_email": "elizaveta.sharaborova@epfl.ch",
        "author": None,
    }
    assert mapped(package)["contact"] == [
        {"name": "Elizaveta Sharaborova", "email": "elizaveta.sharaborova@epfl.ch"}
    ]


def test_translated_fields_of_a_scheming_portal_keep_their_languages(packages):
    """A ckanext-scheming/fluent portal: title_translated as a dict, notes_translated
    as the JSON string some versions return. Texts from data.gov.be's dataset
    "Espaces verts accessibles au public"."""
    package = copy.deepcopy(packages[1])
    package["title_translated"] = {
        "fr": "Espaces verts accessibles au public",
        "nl": "Publiek toegankelijke groene ruimten",
        "en": "Publicly accessible green spaces",
    }
    notes = {
        "fr": "Ce jeu de données correspond aux espaces verts accessibles au public en Région "
        "de Bruxelles-Capitale. Il est composé d'une classe géométrique : les espaces verts "
        "accessibles au public.",
        "nl": "Deze dataset komt overeen met de publiek toegankelijke groene ruimten in het "
        "Brussels Hoofdstedelijk Gewest. Het bestaat uit een geometrische klas : publiek "
        "toegankelijke groene ruimten.",
    }
    package["notes_translated"] = json.dumps(notes)
    dataset = mapped(package)

    assert dataset["title_translated"] == package["title_translated"]
    assert dataset["notes_translated"] == notes


def test_translations_in_other_languages_are_kept_apart_from_the_english_title(corpus):
    """ckanext-dcat's multilingual example: title_translated in en, ca and es. Catalan
    and Spanish are EU languages the portal stores though it does not write in them."""
    package = json.loads(
        (corpus / "ckanext-dcat-examples" / "ckan" / "ckan_dataset_multilingual.json").read_text()
    )
    dataset = mapped({**package, "id": "test-dataset-multilingual"})
    assert dataset["title_translated"] == {
        "en": "Test DCAT dataset",
        "ca": "Conjunt de dades de prova DCAT",
        "es": "Conjunto de datos de prueba DCAT",
    }
    assert dataset["notes_translated"]["en"] == "Some description"


def test_a_dataset_without_title_is_a_record_error(packages):
    with pytest.raises(RecordError, match=CANOPY_NAME):
        mapped({**packages[1], "title": " "})
