"""The CSW adapter's reading of a catalogue: capabilities, paging and its stop rules,
exceptions, hostile and broken XML, on a loopback CSW serving real records."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from harvesters.base import Record, RecordError, SourceError
from harvesters.csw import CswAdapter
from harvesters.fixtures import FixtureServer, csw_catalogue, file, iso_records
from harvesters.http import Http
from harvesters.safe_xml import UnsafeDocument

GEO = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "geoportals"
GEO_BE = sorted((GEO / "geonetwork-microservices").glob("*.xml"))
CSW = "/geonetwork/srv/fre/csw"


def adapter(server: FixtureServer, config=None) -> CswAdapter:
    """The CSW adapter for ``CSW`` on ``server``, allowed to reach it on loopback."""
    address = server.url.removeprefix("http://")
    client = Http(allow_private=[address], retries=0, sleep=lambda _s: None)
    return CswAdapter(server.url + CSW, client, config)


def records_of(routes, config=None) -> tuple[tuple[list, list], list[str]]:
    """(records, errors) of a harvest of the CSW at ``CSW`` on a server of ``routes``."""
    with FixtureServer(routes) as server:
        found = list(adapter(server, config).records())
        server_requests = server.requests
    return (
        [r for r in found if isinstance(r, Record)],
        [r for r in found if isinstance(r, RecordError)],
    ), server_requests


def geo_be_records() -> list[bytes]:
    return [record for path in GEO_BE for record in iso_records(path)]


def test_every_record_of_a_paged_catalogue_is_read_once():
    records = geo_be_records()
    (found, errors), requests = records_of({CSW: csw_catalogue(records)}, {"page_size": 4})
    assert errors == []
    assert sorted(r.guid for r in found) == sorted(p.stem for p in GEO_BE)
    pages = [r for r in requests if "GetRecords" in r]
    assert len(pages) == 2  # 6 records, 4 a page: nextRecord 5, then 0
    assert "outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd" in pages[0]
    assert "elementSetName=full" in pages[0] and "sortBy=Identifier%3AA" in pages[0]
    record = next(r for r in found if r.guid == "0202b8dd-1c7e-4331-8ba7-35e1fef4037a")
    assert record.modified == "2021-10-04T08:45:15"  # its gmd:dateStamp
    assert "request=GetRecordById" in record.url and record.guid in record.url


def test_a_service_record_is_carried_by_the_datasets_it_operates_on():
    # The INSPIRE Geoportal's NGI view service operates on two NGI datasets.
    service, *_ = iso_records(GEO / "OWSLib" / "inspire-getrecords-response.xml")
    dataset = iso_records(GEO_BE[0])[0]
    operated = service.split(b'uuidref="', 1)[1].split(b'"', 1)[0].decode()
    dataset = dataset.replace(b"01d4aeaf-1302-47a7-83c0-4fd0820b1427", operated.encode(), 1)
    (found, _), _ = records_of({CSW: csw_catalogue([dataset, service])})
    by_guid = {r.guid: r for r in found}
    services = by_guid[operated].payload["services"]
    assert [s["type"] for s in services] == ["view"]
    assert any("wms.ngi.be/inspire/aeronomie" in link["url"] for link in services[0]["links"])
    # The service is a record of its own too.
    assert len(found) == 2


def test_the_listing_stops_at_an_empty_page_and_is_complete():
    records = geo_be_records()[:4]

    def lying(query):  # says there are 4, pages by 2 and always points further
        start = int(query.get("startPosition", 1))
        status, kind, body = csw_catalogue(records)(query)
        return status, kind, body.replace(b'nextRecord="0"', f'nextRecord="{start + 2}"'.encode())

    (found, errors), _ = records_of({CSW: lying}, {"page_size": 2})
    assert len(found) == 4 and errors == []


def test_a_server_that_ignores_start_position_is_read_once_and_found_incomplete():
    records = geo_be_records()
    with FixtureServer({CSW: csw_catalogue(records, ignore_start=True)}) as server:
        found = []
        with pytest.raises(SourceError, match="record 2 of 6.*repeats records"):
            for record in adapter(server, {"page_size": 2}).records():
                found.append(record)
        assert len([r for r in server.requests if "GetRecords" in r]) == 2
    assert len(found) == 2  # what was read is yielded before the listing fails


def test_next_record_going_backwards_ends_the_listing():
    records = geo_be_records()

    def backwards(query):
        status, kind, body = csw_catalogue(records)(query)
        return status, kind, body.replace(b'nextRecord="3"', b'nextRecord="1"')

    with FixtureServer({CSW: backwards}) as server:
        with pytest.raises(SourceError, match="nextRecord 1 does not move past 1"):
            list(adapter(server, {"page_size": 2}).records())


def test_a_loop_of_pages_is_bounded_by_max_pages():
    records = geo_be_records()

    def endless(query):  # new records forever: each page a fresh identifier
        start = int(query.get("startPosition", 1))
        record = records[0].replace(GEO_BE[0].stem.encode(), f"record-{start}".encode())
        body = (
            b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
            b'<csw:SearchResults numberOfRecordsMatched="999999" numberOfRecordsReturned="1" '
            + f'nextRecord="{start + 1}">'.encode()
            + record
            + b"</csw:SearchResults></csw:GetRecordsResponse>"
        )
        if query.get("request") == "GetCapabilities":
            return csw_catalogue(records)(query)
        return 200, "application/xml", body

    with FixtureServer({CSW: endless}) as server:
        with pytest.raises(SourceError, match="stopped after 5 pages"):
            list(adapter(server, {"max_pages": 5}).records())


def test_an_exception_report_fails_the_listing_with_its_message():
    report = file(GEO / "pycsw" / "harvesting" / "post_Exception-Havest-csw-404.xml")
    with FixtureServer({CSW: report}) as server:
        with pytest.raises(SourceError, match="Harvest failed: record parsing failed"):
            list(adapter(server).records())


def test_a_document_that_is_no_csw_is_refused_with_what_to_do():
    page = next(GEO.parent.glob("**/*.rdf"))  # a DCAT catalogue given as a CSW
    with FixtureServer({CSW: file(page, "application/xml")}) as server:
        with pytest.raises(SourceError, match="not a CSW 2.0.2 catalogue|not well-formed"):
            list(adapter(server).records())


def test_a_billion_laughs_page_is_refused_before_parsing_with_bounded_memory():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
        b'<csw:SearchResults numberOfRecordsMatched="1" nextRecord="0">'
        b"<gmd:MD_Metadata xmlns:gmd='http://www.isotc211.org/2005/gmd'>&lol9;</gmd:MD_Metadata>"
        b"</csw:SearchResults></csw:GetRecordsResponse>"
    )
    records = geo_be_records()

    def hostile(query):
        if query.get("request") == "GetCapabilities":
            return csw_catalogue(records)(query)
        return 200, "application/xml", laughs

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with FixtureServer({CSW: hostile}) as server:
        with pytest.raises(UnsafeDocument, match="DTD"):
            list(adapter(server).records())
        assert len([r for r in server.requests if "GetRecords" in r]) == 1  # no retries
    # 10^9 "lol"s expanded would be gigabytes; refused, the peak does not move.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB


def test_a_broken_record_fails_alone():
    records = geo_be_records()[:3]
    truncated = (GEO / "ckanext-spatial" / "error_bad_xml.xml").read_bytes()
    broken = truncated[truncated.index(b"<gmd:MD_Metadata") :]  # cut short, inside a page
    pages = csw_catalogue([records[0], broken, *records[1:]])
    (found, errors), _ = records_of({CSW: pages}, {"page_size": 10})
    assert sorted(r.guid for r in found) == [path.stem for path in GEO_BE[:3]]
    assert len(errors) == 1 and "record 2 of the listing" in str(errors[0])


def test_a_record_too_large_or_without_identifier_fails_alone(monkeypatch):
    import harvesters.csw

    records = geo_be_records()
    anonymous = records[1].replace(b"fileIdentifier", b"fileIdentifierX")
    monkeypatch.setattr(harvesters.csw, "MAX_RECORD_BYTES", 80_000)
    (found, errors), _ = records_of({CSW: csw_catalogue([records[0], anonymous, records[2]])})
    messages = sorted(str(e) for e in errors)
    assert any("has no gmd:fileIdentifier" in m for m in messages)
    sizes = [len(records[0]), len(records[2])]
    assert len(found) + len(errors) == 3 and len(found) == sum(s <= 80_000 for s in sizes)


def test_an_iso_19115_3_record_says_which_output_schema_to_ask_for():
    record = (GEO / "OWSLib" / "metawal.wallonie.be-srv.xml").read_bytes().split(b"?>", 1)[-1]
    (found, errors), _ = records_of({CSW: csw_catalogue([record])})
    assert found == [] and len(errors) == 1
    assert "ISO 19115-3" in str(errors[0]) and "outputSchema" in str(errors[0])


def test_a_constraint_is_sent_as_cql():
    records = geo_be_records()
    _, requests = records_of(
        {CSW: csw_catalogue(records)}, {"constraint": "OrganisationName = 'Statbel'"}
    )
    page = next(r for r in requests if "GetRecords" in r)
    assert "constraintLanguage=CQL_TEXT" in page and "OrganisationName" in page


@pytest.mark.parametrize("page", ["geonetwork-dcat-page-1.xml", "geonetwork-geodcatap-page-1.xml"])
def test_a_geoportals_dcat_output_is_unwrapped_into_dcat_records(page):
    answer = (GEO / "udata" / page).read_bytes()
    capabilities = csw_catalogue([])({"request": "GetCapabilities"})[2].replace(
        b"<ows:Value>http://www.isotc211.org/2005/gmd</ows:Value>",
        b"<ows:Value>http://www.w3.org/ns/dcat#</ows:Value>",
    )

    def geonetwork(query):
        if query.get("request") == "GetCapabilities":
            return 200, "application/xml", capabilities
        return 200, "application/xml", answer  # the recorded first page, for any page

    with FixtureServer({CSW: geonetwork}) as server:
        found = []
        # The recorded page says 6 matched; the next pages repeat it: incomplete.
        with pytest.raises(SourceError, match="of 6"):
            for record in adapter(server, {"output_schema": "dcat"}).records():
                found.append(record)
        assert "outputSchema=http%3A%2F%2Fwww.w3.org%2Fns%2Fdcat%23" in server.requests[1]
    datasets = [r for r in found if isinstance(r, Record)]
    assert len(datasets) == 2 and all("dcat#Dataset" in r.payload for r in datasets)
    # Each dataset by its IRI (one GeoDCAT-AP record gives a relative one: resolved).
    assert any(r.guid.startswith("https://www.geo2france.fr/") for r in datasets)
