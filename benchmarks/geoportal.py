"""Benchmark: harvesting a geoportal of 5,000 ISO 19139 records, first time and again.

Serves on loopback (``harvesters.fixtures.csw_catalogue``, GeoNetwork's paging) a CSW
2.0.2 catalogue of N generated ISO 19139 records shaped like geo.be's: titles,
abstracts and keywords in fr/nl/de/en (``gmd:PT_FreeText``), an INSPIRE theme, a
bounding box in Belgium, a responsible organisation with its e-mail, use limitations,
and three online resources (a WMS, a WFS, a ZIP download); one record in ten is a view
service operating on two of the datasets. Then, in one run, each harvest in a child
process of its own (its peak RSS is its own), on the real PostgreSQL, Solr and Redis:
  1. WePulse's CSW harvester (``wepulse_csw``): first harvest, then an unchanged one;
  2. ckanext-spatial's stock CSW harvester on the same server (``--spatial-records``
     of them, 200 by default: at its rate all 5,000 take hours), installed apart for
     this run only (``benchmarks/ckanext_spatial.py``);
and, in one process, the GeoDCAT-AP mapping (Saxon) alone over every record, with the
process's resident memory along the way: a long-lived harvest worker must not grow.

    .venv/bin/python benchmarks/geoportal.py --records 5000 --spatial-records 200
(after `scripts/portal test` or `up` has started the services; it WIPES the test database).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harvest  # noqa: E402 - the benchmarks' shared steps
from harvest import TEST_INI, child_run, prepare, with_app  # noqa: E402

CSW = "/geonetwork/srv/fre/csw"
SPATIAL_CSW = "/spatial/csw"
THEMES = ["hy", "au", "tn", "lu", "pd", "bu", "ps", "el", "su", "us"]
WORDS = {
    "fr": ["Voiries", "Cours d'eau", "Parcelles", "Bâtiments", "Zones inondables", "Écoles"],
    "nl": ["Wegen", "Waterlopen", "Percelen", "Gebouwen", "Overstromingsgebieden", "Scholen"],
    "de": ["Straßen", "Wasserläufe", "Parzellen", "Gebäude", "Überschwemmungsgebiete", "Schulen"],
    "en": ["Roads", "Watercourses", "Parcels", "Buildings", "Flood zones", "Schools"],
}
MUNICIPALITIES = ["Namur", "Liège", "Ixelles", "Mons", "Charleroi", "Wavre", "Arlon", "Uccle"]
LOCALES = {"FR": "fre", "NL": "dut", "DE": "ger", "EN": "eng"}
NAMESPACES = (
    'xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" '
    'xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:srv="http://www.isotc211.org/2005/srv" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
#: The elements holding multilingual text, typed as ISO 19139 asks for a PT_FreeText.
MULTILINGUAL = ("gmd:title", "gmd:abstract", "gmd:organisationName")


def free_text(texts: dict[str, str]) -> str:
    """A multilingual ISO text: the French as the record's own, all four by locale."""
    groups = "".join(
        f'<gmd:textGroup><gmd:LocalisedCharacterString locale="#{code}">{texts[code.lower()]}'
        "</gmd:LocalisedCharacterString></gmd:textGroup>"
        for code in LOCALES
    )
    return (
        f"<gco:CharacterString>{texts['fr']}</gco:CharacterString>"
        f"<gmd:PT_FreeText>{groups}</gmd:PT_FreeText>"
    )


def online(url: str, protocol: str, name: str) -> str:
    return (
        "<gmd:onLine><gmd:CI_OnlineResource>"
        f"<gmd:linkage><gmd:URL>{url}</gmd:URL></gmd:linkage>"
        f"<gmd:protocol><gco:CharacterString>{protocol}</gco:CharacterString></gmd:protocol>"
        f"<gmd:name><gco:CharacterString>{name}</gco:CharacterString></gmd:name>"
        "</gmd:CI_OnlineResource></gmd:onLine>"
    )


def record(i: int, total: int) -> bytes:
    """ISO 19139 record ``i``: a dataset, or (one in ten) a view service."""
    rng = random.Random(i)
    k, town = rng.randrange(len(WORDS["fr"])), rng.choice(MUNICIPALITIES)
    service = i % 10 == 9
    west, south = 2.6 + rng.random() * 3.4, 49.6 + rng.random() * 1.7
    east, north = west + 0.05 + rng.random() * 0.3, south + 0.05 + rng.random() * 0.2
    title = {lang: f"{words[k]} – {town} n° {i}" for lang, words in WORDS.items()}
    abstract = {lang: f"{words[k]} ({town}), {i}. " * 8 for lang, words in WORDS.items()}
    theme = THEMES[i % len(THEMES)]
    base = f"https://geo.example.be/{i}"
    identification = "srv:SV_ServiceIdentification" if service else "gmd:MD_DataIdentification"
    operates = (
        "".join(f'<srv:operatesOn uuidref="rec-{j:06d}"/>' for j in (i - 9, i - 8) if j >= 0)
        if service
        else ""
    )
    extent = (
        "<gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>"
        f"<gmd:westBoundLongitude><gco:Decimal>{west:.4f}</gco:Decimal></gmd:westBoundLongitude>"
        f"<gmd:eastBoundLongitude><gco:Decimal>{east:.4f}</gco:Decimal></gmd:eastBoundLongitude>"
        f"<gmd:southBoundLatitude><gco:Decimal>{south:.4f}</gco:Decimal></gmd:southBoundLatitude>"
        f"<gmd:northBoundLatitude><gco:Decimal>{north:.4f}</gco:Decimal></gmd:northBoundLatitude>"
        "</gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent>"
    )
    # In ISO 19139's order: a service's type, extent, coupling, operations, datasets.
    service_part = (
        "<srv:serviceType><gco:LocalName>view</gco:LocalName></srv:serviceType>"
        f"<srv:extent>{extent}</srv:extent>"
        "<srv:couplingType><srv:SV_CouplingType codeList='' codeListValue='tight'/>"
        "</srv:couplingType><srv:containsOperations><srv:SV_OperationMetadata>"
        "<srv:operationName><gco:CharacterString>GetCapabilities</gco:CharacterString>"
        "</srv:operationName><srv:DCP><srv:DCPList codeList='' codeListValue='WebServices'/>"
        "</srv:DCP><srv:connectPoint><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>"
        f"{base}/wms</gmd:URL></gmd:linkage></gmd:CI_OnlineResource></srv:connectPoint>"
        "</srv:SV_OperationMetadata></srv:containsOperations>" + operates
        if service
        else "<gmd:language><gmd:LanguageCode codeList='' codeListValue='fre'/></gmd:language>"
        f"<gmd:extent>{extent}</gmd:extent>"
    )
    text = (
        f"<gmd:MD_Metadata {NAMESPACES}>"
        f"<gmd:fileIdentifier><gco:CharacterString>rec-{i:06d}</gco:CharacterString>"
        "</gmd:fileIdentifier>"
        "<gmd:language><gmd:LanguageCode codeList='' codeListValue='fre'/></gmd:language>"
        + "<gmd:hierarchyLevel><gmd:MD_ScopeCode codeList='' codeListValue="
        f"'{'service' if service else 'dataset'}'/></gmd:hierarchyLevel>"
        "<gmd:contact><gmd:CI_ResponsibleParty><gmd:organisationName>"
        + free_text({lang: f"Ville de {town}" for lang in WORDS})
        + "</gmd:organisationName><gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>"
        f"<gmd:electronicMailAddress><gco:CharacterString>sig@{town.lower()}.example.be"
        "</gco:CharacterString></gmd:electronicMailAddress></gmd:CI_Address></gmd:address>"
        "</gmd:CI_Contact></gmd:contactInfo><gmd:role><gmd:CI_RoleCode codeList='' "
        "codeListValue='pointOfContact'/></gmd:role></gmd:CI_ResponsibleParty></gmd:contact>"
        f"<gmd:dateStamp><gco:DateTime>2026-0{1 + i % 9}-15T10:00:00</gco:DateTime></gmd:dateStamp>"
        + "".join(
            f'<gmd:locale><gmd:PT_Locale id="{code}"><gmd:languageCode><gmd:LanguageCode '
            f"codeList='' codeListValue='{iso}'/></gmd:languageCode>"
            "<gmd:characterEncoding><gmd:MD_CharacterSetCode codeList='' codeListValue='utf8'/>"
            "</gmd:characterEncoding></gmd:PT_Locale></gmd:locale>"
            for code, iso in LOCALES.items()
        )
        + f"<gmd:identificationInfo><{identification}><gmd:citation><gmd:CI_Citation><gmd:title>"
        + free_text(title)
        + "</gmd:title><gmd:date><gmd:CI_Date><gmd:date><gco:Date>2024-05-01</gco:Date></gmd:date>"
        "<gmd:dateType><gmd:CI_DateTypeCode codeList='' codeListValue='publication'/>"
        "</gmd:dateType></gmd:CI_Date></gmd:date></gmd:CI_Citation></gmd:citation>"
        "<gmd:abstract>"
        + free_text(abstract)
        + "</gmd:abstract><gmd:pointOfContact><gmd:CI_ResponsibleParty><gmd:organisationName>"
        + free_text({lang: f"Ville de {town}" for lang in WORDS})
        + "</gmd:organisationName><gmd:role><gmd:CI_RoleCode codeList='' codeListValue='owner'/>"
        "</gmd:role></gmd:CI_ResponsibleParty></gmd:pointOfContact>"
        "<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword>"
        f'<gmx:Anchor xlink:href="http://inspire.ec.europa.eu/theme/{theme}">{theme}</gmx:Anchor>'
        "</gmd:keyword><gmd:thesaurusName><gmd:CI_Citation><gmd:title><gco:CharacterString>"
        "GEMET - INSPIRE themes, version 1.0</gco:CharacterString></gmd:title>"
        "<gmd:date><gmd:CI_Date><gmd:date><gco:Date>2008-06-01</gco:Date></gmd:date>"
        "<gmd:dateType><gmd:CI_DateTypeCode codeList='' codeListValue='publication'/>"
        "</gmd:dateType></gmd:CI_Date></gmd:date></gmd:CI_Citation>"
        "</gmd:thesaurusName></gmd:MD_Keywords></gmd:descriptiveKeywords>"
        "<gmd:resourceConstraints><gmd:MD_Constraints><gmd:useLimitation>"
        "<gco:CharacterString>Licence CC BY 4.0</gco:CharacterString></gmd:useLimitation>"
        "</gmd:MD_Constraints></gmd:resourceConstraints>"
        + service_part
        + f"</{identification}></gmd:identificationInfo>"
        "<gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions>"
        "<gmd:MD_DigitalTransferOptions>"
        + online(f"{base}/wms?service=WMS&amp;request=GetCapabilities", "OGC:WMS", "WMS")
        + online(f"{base}/wfs?service=WFS&amp;request=GetCapabilities", "OGC:WFS", "WFS")
        + online(f"{base}/donnees.zip", "WWW:DOWNLOAD-1.0-http--download", "ZIP")
        + "</gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution>"
        "</gmd:distributionInfo></gmd:MD_Metadata>"
    )
    for name in MULTILINGUAL:
        text = text.replace(f"<{name}>", f'<{name} xsi:type="gmd:PT_FreeText_PropertyType">')
    return text.encode("utf-8")


# -- the harvests, each in a child process ----------------------------------------


def child_mapping(total: int) -> None:
    """The GeoDCAT-AP mapping (Saxon) of every record in this one process, and its
    resident memory after each fifth of them."""
    from harvesters.iso19139 import to_geodcat_ap

    resident, started = [], time.perf_counter()
    for i in range(total):
        to_geodcat_ap(record(i, total))
        if (i + 1) % max(1, total // 5) == 0:
            with open("/proc/self/statm") as statm:
                resident.append(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "records": total, "resident_mb": resident}))


def run_child(ini: str, mode: str, argument: str) -> dict:
    return harvest.run_child(ini, mode, argument, script=__file__)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--spatial-records", type=int, default=200)
    parser.add_argument(
        "--ini",
        default=str(TEST_INI),
        help="CKAN config whose database and Solr core are WIPED (default: the tests')",
    )
    parser.add_argument("--child-run", help=argparse.SUPPRESS)
    parser.add_argument("--child-mapping", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    if args.child_run:
        return with_app(lambda: child_run(args.child_run))
    if args.child_mapping:
        return child_mapping(args.child_mapping)

    from harvesters.fixtures import FixtureServer, csw_catalogue

    records = [record(i, args.records) for i in range(args.records)]
    server = FixtureServer(
        {
            CSW: csw_catalogue(records),
            SPATIAL_CSW: csw_catalogue(records[: args.spatial_records]),
        }
    ).__enter__()
    # The harvests may reach this server, and only it (the portal's SSRF guard).
    ini = harvest.allowing(Path(args.ini), server.url.removeprefix("http://"))
    os.environ["CKAN_INI"] = args.ini = str(ini)
    print(f"Preparing {args.ini} (wiped) and the sources on {server.url}…", file=sys.stderr)
    with_app(lambda: prepare({"bench-csw": ("wepulse_csw", server.url + CSW)}))
    rows = []
    print("  WePulse CSW, first harvest…", file=sys.stderr)
    rows.append(("WePulse CSW, first harvest", run_child(args.ini, "run", "bench-csw")))
    print("  WePulse CSW, unchanged…", file=sys.stderr)
    rows.append(("WePulse CSW, unchanged", run_child(args.ini, "run", "bench-csw")))
    spatial = None
    if args.spatial_records:
        import ckanext_spatial

        print("  ckanext-spatial csw, first harvest…", file=sys.stderr)
        # As released (2.3.2) it harvests nothing: it crashes on the first record's XML
        # declaration, and refuses GML 3.2 records by schema validation. Run with its
        # declaration stripped and its own continue_on_validation_errors setting.
        spatial = ckanext_spatial.run(
            server.url + SPATIAL_CSW,
            args.spatial_records,
            Path(args.ini),
            fix_declaration=True,
            continue_on_validation_errors=True,
        )
        rows.append(
            (
                "ckanext-spatial csw, first harvest",
                {
                    "seconds": spatial["seconds"],
                    "records": spatial["datasets"],
                    "peak_mb": spatial["peak_rss_mb"],
                    "summary": f"{spatial['errors']} errors, e.g. "
                    + "; ".join(m[:160] for m in spatial["error_messages"][:2]),
                },
            )
        )
    print("  the GeoDCAT-AP mapping alone…", file=sys.stderr)
    mapping = run_child(args.ini, "mapping", str(args.records))

    print(f"\n{'harvest':<40}{'records':>9}{'seconds':>10}{'records/s':>11}{'peak RSS':>10}")
    for label, r in rows:
        rate = r["records"] / r["seconds"] if r["seconds"] else 0
        print(
            f"{label:<40}{r['records']:>9}{r['seconds']:>10.1f}{rate:>11.1f}{r['peak_mb']:>8.0f} MB"
        )
    ours = rows[0][1]["records"] / rows[0][1]["seconds"]
    if spatial and spatial["datasets"]:
        theirs = spatial["datasets"] / spatial["seconds"]
        print(f"\nWePulse CSW first harvest vs ckanext-spatial's: {ours / theirs:.1f}x")
    per_record = mapping["seconds"] / mapping["records"] * 1000
    print(
        f"GeoDCAT-AP mapping (Saxon) alone: {per_record:.1f} ms a record; resident memory "
        f"after each fifth of {mapping['records']}: "
        + ", ".join(f"{mb} MB" for mb in mapping["resident_mb"])
    )
    for label, r in rows:
        if r["summary"]:
            print(f"  {label}: {r['summary']}")


if __name__ == "__main__":
    main()
