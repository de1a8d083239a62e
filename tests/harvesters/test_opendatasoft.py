"""The Opendatasoft adapter on real Explore API payloads (corpus/opendatasoft)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from harvesters.base import Record, RecordError, SourceError
from harvesters.mapping import iso_date
from harvesters.opendatasoft import OpendatasoftAdapter, has_content

PORTAL = "https://opendata.bruxelles.be"
DATASETS = f"{PORTAL}/api/explore/v2.1/catalog/datasets"
EXPORT = f"{PORTAL}/api/explore/v2.1/catalog/exports/json"
JSON = "application/json; charset=utf-8"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"


def page_url(offset: int, extra: str = "") -> str:
    return f"{DATASETS}?limit=100&offset={offset}{extra}"


def as_json(value) -> tuple[bytes, str]:
    return json.dumps(value).encode(), JSON


@pytest.fixture
def ods(corpus):
    return corpus / "opendatasoft"


@pytest.fixture
def page(ods) -> dict:
    return json.loads((ods / "example_datasets-v2.1.json").read_text())


def from_v1(dataset: dict) -> dict:
    """An Explore v1 dataset as v2.1 shapes it: ``dataset_id``, metas under ``default``.

    v1 has no dataset_uid, so the guid falls back to the dataset id."""
    v2 = {key: value for key, value in dataset.items() if key not in ("datasetid", "metas")}
    return {"dataset_id": dataset["datasetid"], "metas": {"default": dataset["metas"]}, **v2}


def v1_page(ods, name: str) -> dict:
    search = json.loads((ods / "v1" / name).read_text())
    return {"total_count": search["nhits"], "results": [from_v1(d) for d in search["datasets"]]}


def harvest(recorded_http, responses, **config) -> tuple[list, list[str]]:
    http = recorded_http(responses)
    adapter = OpendatasoftAdapter(PORTAL + "/", http, config)
    return list(adapter.records()), http.requested


def mapped(item: dict, config: dict | None = None) -> dict:
    """Map a dataset object through its Record, as the harvest does."""
    adapter = OpendatasoftAdapter(PORTAL, None, config)
    return adapter.map(adapter._record(item))


# -- paging ---------------------------------------------------------------------


def test_one_short_page_is_the_whole_catalogue(recorded_http, ods, page):
    body = (ods / "example_datasets-v2.1.json").read_bytes()
    records, requested = harvest(recorded_http, {page_url(0): (body, JSON)})

    assert requested == [page_url(0)]
    assert [r.guid for r in records] == [item["dataset_uid"] for item in page["results"]]
    assert [r.guid for r in records] == ["da_6kvv9v", "da_5m8ykr"]
    world = records[0]
    assert world.url == (
        f"{PORTAL}/explore/dataset/world-administrative-boundaries-countries-and-territories/"
    )
    assert world.modified == "2021-06-23T14:59:57+00:00"
    assert world.payload == {"portal": PORTAL, "dataset": page["results"][0]}


def test_pages_until_total_count_with_filters_in_a_fixed_order(recorded_http, page):
    def item(n: int) -> dict:
        copied = copy.deepcopy(page["results"][0])
        copied.update(dataset_id=f"dataset-{n}", dataset_uid=f"da_{n}")
        return copied

    filters = "&where=modified+%3E+2020&refine=publisher%3AVille+de+Bruxelles"
    responses = {
        page_url(0, filters): as_json(
            {"total_count": 200, "results": [item(n) for n in range(100)]}
        ),
        page_url(100, filters): as_json(
            {"total_count": 200, "results": [item(n) for n in range(100, 200)]}
        ),
    }
    records, requested = harvest(
        recorded_http, responses, refine="publisher:Ville de Bruxelles", where="modified > 2020"
    )

    # total_count reached after two full pages: no third request.
    assert requested == [page_url(0, filters), page_url(100, filters)]
    assert [r.guid for r in records] == [f"da_{n}" for n in range(200)]


def test_over_ten_thousand_datasets_come_from_the_catalogue_export(recorded_http, page):
    exported = [{**item, "dataset_uid": f"{item['dataset_uid']}x"} for item in page["results"]]
    responses = {
        page_url(0): as_json({"total_count": 12000, "results": page["results"]}),
        EXPORT: as_json(exported),
    }
    records, requested = harvest(recorded_http, responses)

    assert requested == [page_url(0), EXPORT]
    assert [r.guid for r in records] == ["da_6kvv9vx", "da_5m8ykrx"]


def test_the_export_gets_the_filters_too(recorded_http, page):
    responses = {
        page_url(0, "&refine=theme%3AEnvironnement"): as_json(
            {"total_count": 10001, "results": []}
        ),
        f"{EXPORT}?refine=theme%3AEnvironnement": as_json(page["results"][:1]),
    }
    records, _ = harvest(recorded_http, responses, refine="theme:Environnement")
    assert [r.guid for r in records] == ["da_6kvv9v"]


# -- faults ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Maintenance</body></html>",
        "truncated",
        b'{"error": "Unknown parameter"}',
        b"[]",
    ],
    ids=["html", "truncated", "no-results", "array"],
)
def test_a_page_that_is_no_dataset_page_is_a_source_error(recorded_http, ods, body):
    if body == "truncated":
        body = (ods / "example_datasets-v2.1.json").read_bytes()[:4000]
    with pytest.raises(SourceError, match=f"^{re.escape(page_url(0))}: "):
        harvest(recorded_http, {page_url(0): (body, "text/html")})


def test_an_unreachable_page_is_a_source_error(recorded_http):
    with pytest.raises(SourceError, match="404"):
        harvest(recorded_http, {})


def test_an_export_that_is_no_array_is_a_source_error(recorded_http):
    responses = {
        page_url(0): as_json({"total_count": 50000, "results": []}),
        EXPORT: as_json({"results": []}),
    }
    with pytest.raises(SourceError, match=f"^{re.escape(EXPORT)}: "):
        harvest(recorded_http, responses)


def test_a_dataset_without_id_is_a_record_error_and_the_others_follow(recorded_http, page):
    del page["results"][0]["dataset_id"]
    records, _ = harvest(recorded_http, {page_url(0): as_json(page)})

    error, record = records
    assert isinstance(error, RecordError)
    assert error.guid == "da_6kvv9v"
    assert "has no dataset_id" in str(error) and page_url(0) in str(error)
    assert isinstance(record, Record) and record.guid == "da_5m8ykr"


# -- content hash ---------------------------------------------------------------


def test_content_hash_changes_with_metadata_only(page):
    adapter = OpendatasoftAdapter(PORTAL, None)
    item = page["results"][0]
    same = copy.deepcopy(item)
    retitled = copy.deepcopy(item)
    retitled["metas"]["default"]["title"] = "World boundaries"
    reprocessed = copy.deepcopy(item)
    reprocessed["metas"]["default"].update(
        records_count=257,
        data_processed="2024-01-01T00:00:00+00:00",
        metadata_processed="2024-01-01T00:00:01+00:00",
    )

    hash_ = adapter._record(item).content_hash
    assert adapter._record(same).content_hash == hash_
    assert adapter._record(retitled).content_hash != hash_
    assert adapter._record(reprocessed).content_hash == hash_


# -- mapping: the v2.1 corpus ---------------------------------------------------


def test_world_boundaries(page):
    dataset = mapped(page["results"][0])
    exports = f"{DATASETS}/world-administrative-boundaries-countries-and-territories/exports"
    explore = f"{PORTAL}/explore/dataset/world-administrative-boundaries-countries-and-territories/"

    assert dataset["title_translated"] == {
        "en": "World Administrative Boundaries - Countries and Territories"
    }
    notes = dataset["notes_translated"]["en"]
    assert notes.startswith("This dataset displays level 0 world administrative boundaries.")
    assert "<p>" not in notes and "</p>" not in notes
    # "Administration, Government, Public finances, Citizenship": split at ", ".
    assert dataset["theme"] == [f"{THEME}GOVE", f"{THEME}ECON"]
    assert dataset["tags_translated"] == {
        "en": ["United Nation", "ISO-3 code", "Countries", "Territories", "Shape", "Boundaries"]
        + ["Citizenship"]
    }
    # "Open Government Licence v3.0", license_url .../open-government-licence/version/3/
    assert dataset["license_id"] == "uk-ogl"
    assert dataset["language"] == [f"{LANGUAGE}ENG"]
    assert dataset["modified"] == "2021-06-23T14:59:57+00:00"
    assert dataset["url"] == dataset["uri"] == explore
    assert dataset["identifier"] == "world-administrative-boundaries-countries-and-territories"
    # features ["analyze", "geo"]: GeoJSON too; no attachments.
    assert [(r["url"], r["format"]) for r in dataset["resources"]] == [
        (f"{exports}/csv", "CSV"),
        (f"{exports}/json", "JSON"),
        (f"{exports}/geojson", "GEOJSON"),
        (f"{exports}/xlsx", "XLSX"),
        (f"{exports}/parquet", "PARQUET"),
    ]
    assert dataset["resources"][0]["name_translated"]["fr"] == "Export CSV"
    # ODS names the publisher by a text alone; the harvest attributes the dataset to it.
    assert dataset["publisher"] == [{"name": "World Food Programme (UN agency)"}]
    assert not {"name", "owner_org"} & set(dataset)


def test_geonames_with_an_attachment_and_no_optional_metadata(page):
    dataset = mapped(page["results"][1])
    base = f"{DATASETS}/geonames-all-cities-with-a-population-1000"

    assert dataset["title_translated"] == {"en": "Geonames - All Cities with a population > 1000"}
    # description, keyword, theme, license and publisher are null: left out, not empty.
    assert not {"notes_translated", "tags_translated", "theme", "license_id", "publisher"} & set(
        dataset
    )
    *exports, attachment = dataset["resources"]
    assert [r["url"] for r in exports] == [
        f"{base}/exports/{fmt}" for fmt in ("csv", "json", "geojson", "xlsx", "parquet")
    ]
    assert attachment == {
        "url": f"{base}/attachments/cities1000_zip",
        "format": "ZIP",
        "mimetype": "application/zip",
        "name_translated": {"en": "cities1000.zip"},
    }


def test_a_rich_html_description_becomes_markdown(ods):
    item = json.loads((ods / "example_dataset-v2.1.json").read_text())
    dataset = mapped(item)
    notes = dataset["notes_translated"]["en"]

    assert notes.startswith("All cities with a population > 1000 or seats of adm div")
    assert "#### Sources and Contributions" in notes
    assert "[data sources](http://www.geonames.org/data-sources.html)" in notes
    assert "- **Sources**" in notes and "- add country name" in notes
    assert "<" not in notes.replace("> 1000", "")
    # "CC BY 4.0" is no label of the vocabulary; its license_url is CC BY 4.0's deed.
    assert dataset["license_id"] == "CC_BY_4_0"
    assert dataset["tags_translated"] == {"en": ["Geonames", "city", "world", "Citizenship"]}


def test_every_corpus_dataset_maps(page):
    for item in page["results"]:
        dataset = mapped(item)
        assert dataset["title_translated"] and dataset["resources"]


def test_dcat_metas(page):
    """No corpus payload has metas.dcat: ODS's DCAT template fields, filled by hand."""
    item = copy.deepcopy(page["results"][0])
    item["metas"]["dcat"] = {
        "theme": [f"{THEME}REGI"],
        "accrualperiodicity": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "issued": "2019-05-15",
        "temporal_coverage_start": "2019-01-01",
        "temporal_coverage_end": "2019-12-31",
        "spatial": "World",
        "contact_name": "GIS team",
        "contact_email": "gis@example.org",
    }
    dataset = mapped(item)

    assert dataset["theme"] == [f"{THEME}REGI", f"{THEME}GOVE", f"{THEME}ECON"]
    assert (
        dataset["frequency"] == "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    )
    # as iso_date() writes dates (it currently reads "2019-05-15" as a midnight datetime)
    assert dataset["issued"] == iso_date("2019-05-15")
    assert dataset["temporal_coverage"] == [
        {"start": iso_date("2019-01-01"), "end": iso_date("2019-12-31")}
    ]
    assert dataset["spatial_coverage"] == [{"text": "World"}]
    assert dataset["contact"] == [{"name": "GIS team", "email": "gis@example.org"}]


def test_a_dataset_without_title_is_a_record_error(page):
    item = copy.deepcopy(page["results"][0])
    item["metas"]["default"]["title"] = " "
    with pytest.raises(RecordError, match="world-administrative-boundaries"):
        mapped(item)


def test_untagged_text_goes_to_the_configured_language(page):
    item = copy.deepcopy(page["results"][1])
    item["metas"]["default"].update(language=None, title="Geonames 1000")
    dataset = mapped(item, {"default_language": "nl"})
    assert dataset["title_translated"] == {"nl": "Geonames 1000"}
    assert "language" not in dataset


# -- the v1 corpus (udata-ods' tests) -------------------------------------------


def test_v1_search_skips_the_dataset_without_records_or_files(recorded_http, ods):
    records, _ = harvest(recorded_http, {page_url(0): as_json(v1_page(ods, "search.json"))})
    # test-c has no records, no attachments, no alternative exports.
    assert [r.guid for r in records] == ["test-b", "test-a", "test-shp-limit"]


def test_v1_no_data_keeps_a_dataset_with_files_only(recorded_http, ods):
    records, _ = harvest(recorded_http, {page_url(0): as_json(v1_page(ods, "no-data.json"))})
    # test-attachments has no records but an attachment and an alternative export;
    # test-empty has nothing: skipped.
    assert [r.guid for r in records] == ["test-attachments"]


@pytest.mark.parametrize("name", ["empty.json", "test-c.json"])
def test_v1_datasets_with_nothing_to_download(ods, name):
    assert not has_content(from_v1(json.loads((ods / "v1" / name).read_text())))


def test_v1_theme_as_a_string(ods):
    item = from_v1(json.loads((ods / "v1" / "test-b.json").read_text()))
    dataset = mapped(item)
    # "Spatial planning, Town planning, Buildings, Equipment, Housing"
    assert dataset["theme"] == [f"{THEME}REGI"]
    # keyword is the string "keyword1"
    assert dataset["tags_translated"] == {"en": ["keyword1", "Buildings", "Equipment", "Housing"]}
    base = f"{DATASETS}/test-b"
    assert [(r["url"], r["format"]) for r in dataset["resources"]] == [
        (f"{base}/exports/csv", "CSV"),
        (f"{base}/exports/json", "JSON"),
        (f"{base}/exports/geojson", "GEOJSON"),
        (f"{base}/exports/xlsx", "XLSX"),
        (f"{base}/exports/parquet", "PARQUET"),
        (f"{base}/alternative_exports/gtfs_zip", "ZIP"),
        (f"{base}/attachments/documentation_pdf", "PDF"),
        # mimetype "application/xls" is no media type: the file name's .xls decides.
        (f"{base}/attachments/extra_xls", "XLS"),
    ]


def test_v1_theme_as_a_list(ods):
    item = from_v1(json.loads((ods / "v1" / "test-a.json").read_text()))
    dataset = mapped(item)
    # ["Culture, Heritage", "Environment"]
    assert dataset["theme"] == [f"{THEME}EDUC", f"{THEME}ENVI"]
    assert dataset["tags_translated"] == {"en": ["keyword1", "keyword2"]}
    assert dataset["notes_translated"] == {"en": "test-a-description"}
    # no "geo" feature: no GeoJSON
    assert [r["format"] for r in dataset["resources"]] == ["CSV", "JSON", "XLSX", "PARQUET"]


def test_v1_attachments_become_resources(ods):
    item = from_v1(json.loads((ods / "v1" / "with-attachments.json").read_text()))
    dataset = mapped(item)
    base = f"{DATASETS}/with-attachments"
    # has_records false: no record exports, only the files.
    assert dataset["resources"] == [
        {
            "url": f"{base}/alternative_exports/gtfs_zip",
            "format": "ZIP",
            "mimetype": "application/zip",
            "name_translated": {"en": "gtfs.zip"},
            "description_translated": {"en": "GTFS 15/01"},
        },
        {
            "url": f"{base}/attachments/documentation_pdf",
            "format": "PDF",
            "mimetype": "application/pdf",
            "name_translated": {"en": "Documentation"},
        },
    ]


# -- a portal that answers Explore API v1 ---------------------------------------------


def test_a_v1_answer_says_the_portal_answers_explore_api_v1(recorded_http, ods):
    """A v1 search answer (corpus/opendatasoft/v1) where the v2.1 catalogue was asked."""
    body = (ods / "v1" / "search.json").read_bytes()
    with pytest.raises(SourceError) as raised:
        harvest(recorded_http, {page_url(0): (body, JSON)})
    assert str(raised.value) == (
        f"{page_url(0)}: this portal answers Explore API v1 (an api/datasets/1.0 search), "
        "not the Explore API v2.1 this source type reads: check that "
        f"{PORTAL} is the portal's own address (where its v2.1 catalogue, {DATASETS}, answers)"
    )


@pytest.mark.parametrize(
    "address",
    [
        f"{PORTAL}/api/datasets/1.0/search/?rows=100",
        f"{PORTAL}/api/records/1.0/search/?dataset=arbres",
        f"{PORTAL}/api/explore/v2.1/catalog/datasets",
    ],
)
def test_an_api_address_as_the_source_gets_the_portals_address(recorded_http, address):
    http = recorded_http({})
    with pytest.raises(SourceError) as raised:
        list(OpendatasoftAdapter(address, http).records())
    api = "Explore API v1" if "1.0" in address else "Explore API"
    assert str(raised.value) == (
        f"{address.rstrip('/')} is an address of the portal's {api}, not the portal's own: "
        f"give the portal's address, {PORTAL}, whose Explore API v2.1 catalogue "
        f"({DATASETS}) this source type reads"
    )
    assert http.requested == []  # nothing asked of a wrong address
