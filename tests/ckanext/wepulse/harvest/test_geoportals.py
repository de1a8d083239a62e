"""Geoportals harvested through the real stack: a loopback CSW serving the corpus's
real ISO 19139 records (geo.be, the INSPIRE Geoportal, DOV Vlaanderen, GéoBretagne…)
as a paged GeoNetwork, harvested by ``wepulse_csw`` into CKAN, PostgreSQL and Solr.
Golden values are read from the source records by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckanext.harvest.model import HarvestObject, HarvestObjectError
from rdflib import Graph

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, csw_catalogue, iso_records

from ..conftest import allowing, harvested, make_source

GEO = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "geoportals"
CSW = "/geonetwork/srv/fre/csw"
#: Every real ISO 19139 record of the corpus (not the templates, the test record or the
#: ISO 19115-3 ones, which a GeoNetwork answering outputSchema gmd converts).
RECORD_FILES = [
    *sorted((GEO / "geonetwork-microservices").glob("*.xml")),
    GEO / "OWSLib" / "inspire-getrecords-response.xml",
    GEO / "OWSLib" / "csw_dov_getrecordbyid.xml",
    GEO / "OWSLib" / "csw_geobretagne_mdmetadata.xml",
    GEO / "OWSLib" / "csw_iso_identifier.xml",
    GEO / "OWSLib" / "iso19139_srv.xml",
    GEO / "OWSLib" / "iso_che.xml",
    GEO / "OWSLib" / "iso_keywords_anchor.xml",
    GEO / "ckanext-geocat" / "result_1.xml",
    GEO / "ckanext-spatial" / "dataset.xml",
    GEO / "ckanext-spatial" / "service1.xml",
    GEO / "metadata-geonetwork" / "GetRecordById-da165110-88fd-11da-a88f-000d939bc5d8.xml",
    GEO / "metadata-geonetwork" / "multilingual-metadata.xml",
    GEO / "metadata-geonetwork" / "iso19139-collection-updater-output.xml",
    GEO / "udata" / "geonetwork-iso19139-page-1.xml",
    GEO / "udata" / "geonetwork-iso19139-page-3.xml",
    GEO / "udata" / "geonetwork-iso19139-page-5.xml",
    GEO / "udata" / "geoplateforme-iso19139-IGNF_RPG.xml",
    GEO / "pycsw" / "apiso" / "post_GetRecords-all.xml",
    GEO / "pycsw" / "apiso" / "T_ortho_RAS_1998_284404.xml",
    *[GEO / "iso-19139-to-dcat-ap" / "test-cases" / case / "input.xml" for case in (
        "multilingual-metadata", "multilingual-resource-description", "network-service"
    )],
]  # fmt: skip
POPULATION = "0202b8dd-1c7e-4331-8ba7-35e1fef4037a"  # Statbel, on geo.be
WMS_ECONOMY = "2cadfdc0-ebf0-4f53-b572-09f7235aaec4"  # a view service on geo.be
EU = "http://publications.europa.eu/resource/authority/"


def corpus_records() -> list[bytes]:
    records, seen = [], set()
    for path in RECORD_FILES:
        for record in iso_records(path):
            if record not in seen:
                seen.add(record)
                records.append(record)
    return records


@pytest.fixture(scope="module")
def records() -> list[bytes]:
    return corpus_records()


def harvest(authority, records, config=None):
    with FixtureServer({CSW: csw_catalogue(records)}) as server, allowing(server):
        source = make_source(server, authority, "geoportail", CSW, "wepulse_csw", config)
        job, summary = sync.run_source(source["name"])
        return source, job, summary, server.requests


def errors_of(job) -> list[str]:
    return [
        e.message
        for e in HarvestObjectError.filter()
        .join(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job.id)
    ]


def test_every_real_record_is_harvested_and_conforms(authority, records):
    source, job, summary, requests = harvest(authority, records, {"page_size": 25})
    errors = errors_of(job)
    assert summary.incomplete is None, summary
    assert summary.added >= 0.99 * len(records), (summary, errors[:5])
    assert [r for r in requests if "GetRecords" in r][0].count("maxRecords=25") == 1
    found = harvested(source)
    assert len(found) == summary.added
    graph = Graph()
    for dataset in found.values():
        graph += dataset_rdf.dataset_graph(dataset)
    _conforms, findings = validate_graph(graph)
    violations = [f"{f.focus} {f.path}: {f.message}" for f in findings if f.severity == "Violation"]
    assert not violations, violations[:10]


def test_a_belgian_dataset_keeps_its_languages_extent_files_and_themes(authority, records):
    source, _job, _summary, _ = harvest(authority, records)
    dataset = harvested(source)[POPULATION]
    assert dataset["title_translated"] == {
        "en": "Population distribution per statistical sector-Belgium",
        "fr": "Répartition de la population par secteur statistique - Belgique",
        "nl": "Bevolkingsspreiding per statistical sector-België",
        "de": "Verteilung der Bevölkerung nach statistischen Sektoren-Belgien",
    }
    assert dataset["notes_translated"]["nl"].startswith(
        "De bestanden bevatten de bevolkingskenmerken"
    )
    # gmd:EX_GeographicBoundingBox 2.55 6.41 49.50 51.51, as dcat:bbox.
    (extent,) = [s for s in dataset["spatial_coverage"] if s.get("bbox")]
    ring = json.loads(extent["bbox"])["coordinates"][0]
    assert {tuple(point) for point in ring} >= {(2.55, 49.5), (6.41, 51.51)}
    assert dataset["temporal_coverage"][0]["start"] == "2014-01-01"
    assert dataset["inspire_theme"] == ["http://inspire.ec.europa.eu/theme/pd"]
    assert f"{EU}data-theme/SOCI" in dataset["theme"]
    assert dataset["dcat_type"].endswith("ResourceType/dataset")
    # Its ISO topic category (society) is a keyword in each language.
    assert "Samenleving" in dataset["tags_translated"]["nl"]
    assert "Gesellschaft" in dataset["tags_translated"]["de"]
    # Two ZIP downloads (GML and GeoPackage), the WMS and the Atom feed, each its format.
    formats = sorted(r["format"] for r in dataset["resources"])
    assert formats == ["ATOM", "GML", "GPKG", "WMS_SRVC"], formats
    wms = next(r for r in dataset["resources"] if r["format"] == "WMS_SRVC")
    assert wms["access_url"].startswith("https://wms.ngi.be/inspire/dgstatistics/service")
    # Online resources without a name are named by their description, in each language.
    assert wms["name_translated"]["nl"] == "Raadpleegdienst"
    # The custodian's organisation publishes it; Statbel's licence, named in the use
    # limitations by its address, is recognised.
    publisher = dataset["publisher"][0]
    assert publisher["name_translated"]["nl"].startswith("FOD Economie")
    assert dataset["license_id"] == "BE_STATBEL_OPEN_DATA"
    assert dataset["access_rights"] == f"{EU}access-right/PUBLIC"
    assert "Registre national" in dataset["provenance"] or "Rijksregister" in dataset["provenance"]


def test_keywords_publishers_and_licence_texts_are_read_as_the_record_gives_them(
    authority, records
):
    source, *_ = harvest(authority, records)
    units = harvested(source)["629ad470-71dc-11eb-af47-3448ed25ad7c"]
    # geo.be writes its anchors' addresses in gmx:Anchor/@gmx:Anchor: still the INSPIRE
    # theme "Administrative units", and the GEMET keywords with their four labels.
    assert units["inspire_theme"] == ["http://inspire.ec.europa.eu/theme/au"]
    assert "sub-national boundary" in units["tags_translated"]["en"]
    assert any("grens" in tag for tag in units["tags_translated"]["nl"])
    # Published by a person of FPS Finance: the organisation is the publisher.
    assert units["publisher"][0]["name_translated"]["fr"].startswith("SPF Finances")
    assert units["organization"]["title"].startswith("SPF Finances")
    # Its licence is no known one: the text it links to is each file's licence.
    assert units["license_id"] in ("", None, "notspecified")
    assert all("Licence_plan_opendata_FR.PDF" in r["license"] for r in units["resources"])


def test_a_service_is_listed_with_its_endpoints_and_its_datasets_get_it(app, authority, records):
    # The NGI view service of the INSPIRE Geoportal operates on a geo.be dataset.
    service = next(r for r in records if b"wms.ngi.be/inspire/aeronomie" in r)
    operated = service.split(b'uuidref="', 1)[1].split(b'"', 1)[0].decode()
    population = next(r for r in records if POPULATION.encode() in r)
    dataset_record = population.replace(POPULATION.encode(), operated.encode())
    source, _job, summary, _ = harvest(authority, [dataset_record, service])
    found = harvested(source)
    assert summary.added == 2
    own = found[operated]
    served = [r for r in own["resources"] if "aeronomie" in (r.get("access_url") or "")]
    assert served and all(r["format"] == "WMS_SRVC" for r in served)
    services = served[0]["access_services"]
    services = json.loads(services) if isinstance(services, str) else services
    assert services[0]["endpoint_url"] == ["https://wms.ngi.be/inspire/aeronomie/service"]
    # The file's page links the service's capabilities.
    page = app.get(f"/fr/dataset/{own['name']}/resource/{served[0]['id']}").body
    capabilities = services[0]["endpoint_description"].replace("&", "&amp;")
    assert f'href="{capabilities}"' in page
    listed = next(d for guid, d in found.items() if guid != operated)
    assert listed["dcat_type"].endswith("ResourceType/service")
    assert {r["format"] for r in listed["resources"]} == {"WMS_SRVC"}


def test_a_reharvest_with_nothing_changed_writes_nothing(authority, records):
    some = records[:8]
    source, _job, first, _ = harvest(authority, some)
    before = {guid: d["metadata_modified"] for guid, d in harvested(source).items()}
    with FixtureServer({CSW: csw_catalogue(some)}) as server, allowing(server):
        tk.get_action("harvest_source_patch")(
            site_context(), {"id": source["id"], "url": server.url + CSW}
        )
        _job, again = sync.run_source(source["name"])
    assert first.added == len(before) and again.unchanged == len(before)
    assert again.added == again.updated == again.withdrawn == 0
    after = {guid: d["metadata_modified"] for guid, d in harvested(source).items()}
    assert after == before


def test_a_record_gone_from_a_complete_listing_is_withdrawn(authority, records):
    some = records[:4]
    source, *_ = harvest(authority, some)
    with FixtureServer({CSW: csw_catalogue(some[:3])}) as server, allowing(server):
        tk.get_action("harvest_source_patch")(
            site_context(), {"id": source["id"], "url": server.url + CSW}
        )
        _job, again = sync.run_source(source["name"])
    assert again.withdrawn == 1 and len(harvested(source)) == 3


def test_hostile_values_in_a_record_stay_data(app, authority, records):
    population = next(r for r in records if POPULATION.encode() in r)
    hostile = re.sub(
        rb"<gmd:URL>[^<]*</gmd:URL>", b"<gmd:URL>javascript:alert(1)</gmd:URL>", population
    ).replace(
        b"Population distribution per statistical sector-Belgium",
        b"&lt;script&gt;alert('x')&lt;/script&gt;Population",
    )
    source, _job, summary, _ = harvest(authority, [hostile])
    assert summary.added == 1
    dataset = harvested(source)[POPULATION]
    assert not any("javascript:" in (r.get("url") or "") for r in dataset["resources"])
    page = app.get(f"/en/dataset/{dataset['name']}").body
    assert "<script>alert('x')" not in page and "&lt;script&gt;alert" in page
    assert 'href="javascript:' not in page
    # The authority's page names the source's kind.
    assert "Géoportail (CSW)" in app.get(f"/fr/organization/{authority['name']}").body
