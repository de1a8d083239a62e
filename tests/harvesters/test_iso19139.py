"""The GeoDCAT-AP mapping: the vendored SEMIC stylesheet as published, run by Saxon as
SEMIC's own test cases expect, never fetching what a record links to; and the formats
of online resources."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from harvesters.csw import MalformedXml, parse_xml
from harvesters.fixtures import FixtureServer, iso_records
from harvesters.iso19139 import STYLESHEET, format_of, to_geodcat_ap
from harvesters.safe_xml import UnsafeDocument

GEO = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "geoportals"
CASES = sorted((GEO / "iso-19139-to-dcat-ap" / "test-cases").iterdir())


def test_the_stylesheet_is_semics_unmodified():
    digest = hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()
    assert digest == "d8954f7993b733ede5dc6ca8c1039fcc140c51dd3e033efe52a55e72595df5dd"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_saxon_gives_what_semics_test_cases_expect(case):
    parameters = json.loads((case / "config.json").read_text())["parameters"]
    record = (case / "input.xml").read_bytes()
    ours = Graph().parse(data=to_geodcat_ap(record, parameters), format="xml")
    expected = Graph().parse(case / "expected_output.rdf", format="xml")
    _both, only_ours, only_expected = graph_diff(to_isomorphic(ours), to_isomorphic(expected))
    assert len(only_ours) == len(only_expected) == 0, (
        sorted(only_ours)[:5],
        sorted(only_expected)[:5],
    )


def test_a_linked_record_is_never_fetched():
    # An operatesOn that points at a record: SEMIC's "extended" profile would look it
    # up with document(); the portal asks the stylesheet never to.
    service = GEO / "iso-19139-to-dcat-ap" / "test-cases" / "network-service" / "input.xml"
    with FixtureServer({}) as server:
        record = re.sub(
            rb'(<srv:operatesOn[^>]*xlink:href=")[^"]*',
            rb"\g<1>" + f"{server.url}/record.xml".encode(),
            service.read_bytes(),
        )
        assert f"{server.url}/record.xml".encode() in record
        to_geodcat_ap(record, {"CoupledResourceLookUp": "enabled", "profile": "extended"})
        assert server.requests == []


def test_a_record_with_a_dtd_or_broken_xml_is_refused_before_mapping():
    laughs = (
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><gmd:MD_Metadata xmlns:gmd="g">&a;</gmd:MD_Metadata>'
    )
    with pytest.raises(UnsafeDocument):
        parse_xml(laughs, "record")
    truncated = (GEO / "ckanext-spatial" / "error_bad_xml.xml").read_bytes()
    with pytest.raises(MalformedXml):
        parse_xml(truncated, "record")


@pytest.mark.parametrize(
    ("url", "protocol", "expected"),
    [
        ("https://wms.ngi.be/inspire/x/service?request=GetCapabilities", "OGC:WMS", "WMS_SRVC"),
        ("https://geo.example/ows?SERVICE=WFS&request=GetCapabilities", "", "WFS_SRVC"),
        ("https://geo.example/wmts", "OGC:WMTS-1.0.0-http-get-capabilities", "WMTS_SRVC"),
        (
            "https://ac.ngi.be/SB/x_geopackage+sqlite3_3035.zip",
            "WWW:DOWNLOAD-1.0-http--download",
            "GPKG",
        ),
        ("https://ac.ngi.be/SB/x_gml+xml_3035.zip", "WWW:DOWNLOAD", "GML"),
        ("https://geo.example/communes.shp.zip", None, "SHP"),
        ("https://geo.example/limites.zip", "WWW:DOWNLOAD", "ZIP"),
        ("https://ac.ngi.be/ATOM/Atomfeed-en.xml", "INSPIRE Atom", "ATOM"),
        ("https://statbel.fgov.be/open-data", "WWW:LINK-1.0-http--link", None),
    ],
)
def test_an_online_resource_has_the_format_its_protocol_or_address_says(url, protocol, expected):
    assert format_of(url, protocol) == expected


def test_every_corpus_record_maps_to_rdf_with_a_dataset_or_service():
    from rdflib.namespace import DCAT, FOAF

    records = [
        r for path in sorted(GEO.glob("geonetwork-microservices/*.xml")) for r in iso_records(path)
    ]
    for record in records:
        graph = Graph().parse(data=to_geodcat_ap(record), format="xml")
        assert any(graph.subjects(FOAF.isPrimaryTopicOf, None)), record[:200]
        assert any(graph.subjects(None, DCAT.Dataset)) or any(
            graph.subjects(None, DCAT.DataService)
        )
