"""Benchmark: harvesting 10,000 datasets, first time and again with nothing changed.

Serves on loopback (harvesters.fixtures) a generated DCAT-AP catalogue of N datasets,
Hydra-paged in Turtle, and an Opendatasoft-like catalogue of N datasets, then in one run:
  1. WePulse's DCAT harvester: first harvest, then re-harvests with nothing changed,
     from the server as is and from the server tagging its pages with ETags;
  2. WePulse's Opendatasoft harvester: the same;
  3. ckanext-dcat's stock dcat_rdf_harvester on the same kind of DCAT catalogue
     (``--stock-datasets``, 1,000 by default: at its rate all 10,000 take most of an hour),
     run the way ckanext-harvest documents for a synchronous run, ``harvester run-test``.
Each harvest runs in a child process, so its peak RSS is its own; a first harvest runs
once for each count of writer processes in ``--processes`` (its own copy of the DCAT
catalogue each time, under other IRIs, so that every run starts empty).
Targets (issue 17): first harvest >= 10x the stock harvester and >= 10x the
Opendatasoft rate of issue 4 (9/s); unchanged re-harvest >= 2,000 datasets/s, also from a
server without ETags.

    .venv/bin/python benchmarks/harvest.py --datasets 10000 --processes 1,2,4
(after `scripts/portal test` or `up` has started the services; it WIPES the test database).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEST_INI = ROOT / "var" / "test.ini"
PAGE_SIZE = 500
THEMES = ["ECON", "ENVI", "EDUC", "GOVE", "HEAL", "SOCI", "TRAN", "REGI", "JUST", "ENER"]
FORMATS = ["CSV", "XLSX", "JSON", "GEOJSON", "PDF", "SHP", "XML"]
LICENCES = ["CC_BY_4_0", "CC0", "ODC_BY", "CC_BY_SA_4_0"]
WORDS = {
    "fr": ["budget", "arbres", "écoles", "parkings", "collectes", "subsides", "marchés", "voiries"],
    "nl": ["begroting", "bomen", "scholen", "parkings", "ophalingen", "subsidies", "markten"],
}
EU = "http://publications.europa.eu/resource/authority"
#: The first harvest of an Opendatasoft portal measured for issue 4 (datasets/s).
ISSUE_4_ODS_RATE = 9


# -- the generated sources --------------------------------------------------------


def dcat_page(base: str, start: int, count: int, total: int, next_url: str | None) -> bytes:
    """One Hydra page of a realistic multilingual DCAT-AP catalogue, in Turtle."""
    rng = random.Random(start)
    out = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .",
        "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f"<{base}/catalogue> a dcat:Catalog, hydra:PagedCollection ;",
        f"  hydra:totalItems {total} ;",
    ]
    if next_url:
        out.append(f"  hydra:next <{next_url}> ;")
    out.append('  dct:title "Catalogue communal"@fr .')
    for i in range(start, min(start + count, total)):
        k, year = rng.randrange(len(WORDS["nl"])), 2015 + i % 10
        ds = f"<{base}/dataset/{i}>"
        out += [
            f"{ds} a dcat:Dataset ;",
            f'  dct:identifier "ds-{i}" ;',
            f'  dct:title "{WORDS["fr"][k].capitalize()} {year} n°{i}"@fr, '
            f'"{WORDS["nl"][k].capitalize()} {year} nr. {i}"@nl ;',
            f'  dct:description "Les données {WORDS["fr"][k]} de la commune pour {year}, '
            f'mises à jour par le service concerné."@fr, "De gegevens {WORDS["nl"][k]} van de '
            f'gemeente voor {year}, bijgewerkt door de bevoegde dienst."@nl ;',
            f'  dcat:keyword "{WORDS["fr"][k]}"@fr, "{WORDS["nl"][k]}"@nl ;',
            f"  dcat:theme <{EU}/data-theme/{rng.choice(THEMES)}> ;",
            f"  dct:language <{EU}/language/FRA>, <{EU}/language/NLD> ;",
            f"  dct:accrualPeriodicity <{EU}/frequency/ANNUAL> ;",
            f'  dct:modified "{year}-06-30"^^xsd:date ;',
            f"  dcat:landingPage <{base}/page/{i}> ;",
            '  dcat:contactPoint [ a vcard:Organization ; vcard:fn "Service données"@fr ;'
            " vcard:hasEmail <mailto:opendata@commune.example> ] ;",
            f"  dcat:distribution <{base}/dist/{i}-1>, <{base}/dist/{i}-2> .",
        ]
        for j in (1, 2):
            fmt = rng.choice(FORMATS)
            out += [
                f"<{base}/dist/{i}-{j}> a dcat:Distribution ;",
                f'  dct:title "Fichier {j}"@fr ;',
                f"  dcat:accessURL <{base}/files/{i}-{j}.{fmt.lower()}> ;",
                f"  dct:format <{EU}/file-type/{fmt}> ;",
                f"  dct:license <{EU}/licence/{rng.choice(LICENCES)}> .",
            ]
    return "\n".join(out).encode("utf-8")


def dcat_route(base: str, total: int):
    def route(query: dict[str, str]):
        page = int(query.get("page", 0))
        start = page * PAGE_SIZE
        next_url = f"{base}?page={page + 1}" if start + PAGE_SIZE < total else None
        return 200, "text/turtle", dcat_page(base, start, PAGE_SIZE, total, next_url)

    return route


def ods_datasets(total: int) -> list[dict]:
    rng = random.Random(7)
    datasets = []
    for i in range(total):
        k, year = rng.randrange(len(WORDS["nl"])), 2015 + i % 10
        datasets.append(
            {
                "dataset_id": f"jeu-{i}",
                "dataset_uid": f"da_{i:06x}",
                "has_records": True,
                "features": ["analyze"],
                "metas": {
                    "default": {
                        "title": f"{WORDS['fr'][k].capitalize()} {year} n°{i}",
                        "description": f"<p>Les données <b>{WORDS['fr'][k]}</b> de la commune "
                        f"pour {year}.</p>",
                        "language": "fr",
                        "keyword": [WORDS["fr"][k], str(year)],
                        "theme": ["Environnement"],
                        "license": "CC BY 4.0",
                        "license_url": "https://creativecommons.org/licenses/by/4.0/",
                        "modified": f"{year}-06-30T10:00:00+00:00",
                        "records_count": rng.randrange(10, 5000),
                    }
                },
            }
        )
    return datasets


def serve(total: int, stock_total: int, copies: int = 1):
    from harvesters.fixtures import FixtureServer, ods_catalogue

    server = FixtureServer({}).__enter__()
    ods = ods_datasets(total)
    body = json.dumps(ods).encode()
    server.routes.update(
        {
            f"/dcat{copy or ''}": dcat_route(f"{server.url}/dcat{copy or ''}", total)
            for copy in range(copies)
        }
    )
    server.routes.update(
        {
            "/stock-dcat": dcat_route(server.url + "/stock-dcat", stock_total),
            "/ods/api/explore/v2.1/catalog/datasets": ods_catalogue(ods),
            "/ods/api/explore/v2.1/catalog/exports/json": lambda _q: (
                200,
                "application/json",
                body,
            ),
        }
    )
    return server


# -- the harvests, each in a child process ----------------------------------------


def with_app(func):
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
    with app._wsgi_app.test_request_context():
        return func()


def allowing(ini: Path, address: str) -> Path:
    """A configuration that is ``ini`` but lets harvests reach ``address``."""
    derived = ROOT / "var" / "bench" / f"{ini.stem}-allowing.ini"
    derived.parent.mkdir(parents=True, exist_ok=True)
    logging = ini.read_text().split("# Python's logging", 1)[1]
    derived.write_text(
        f"[app:main]\nuse = config:{ini.resolve()}\n"
        f"ckanext.wepulse.harvest.allow_private = {address}\n"
        f"\n# Python's logging{logging}"
    )
    return derived


def prepare(urls: dict[str, str]) -> None:
    import ckan.lib.search as search
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations
    from ckan.tests import helpers

    from ckanext.wepulse.seeding import site_context

    helpers.reset_db()
    search.clear_all()
    for plugin in ("activity", "harvest", "wepulse"):
        _run_migrations(plugin)
    org = tk.get_action("organization_create")(site_context(), {"name": "bench-commune"})
    for name, (source_type, url) in urls.items():
        tk.get_action("harvest_source_create")(
            site_context(),
            {
                "name": name,
                "title": name,
                "url": url,
                "source_type": source_type,
                "owner_org": org["id"],
                "frequency": "MANUAL",
            },
        )


def child_run(source: str) -> None:
    """Runs one WePulse harvest with ``WRITE_PROCESSES`` writers; prints seconds, records,
    peak RSS (MB: the harvest's process, and its largest writer) and the summary."""
    import ckan.plugins.toolkit as tk

    from ckanext.wepulse.harvest import sync

    tk.config["ckanext.wepulse.harvest.write_processes"] = int(
        os.environ.get("WRITE_PROCESSES", "1")
    )
    started = time.perf_counter()
    _job, summary = sync.run_source(source)
    elapsed = time.perf_counter() - started
    done = summary.added + summary.updated + summary.unchanged
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    writers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "records": done,
                "peak_mb": peak,
                "writer_mb": writers,
                "summary": str(summary),
            }
        )
    )


def child_stock(source: str) -> None:
    """Runs ckanext-dcat's dcat_rdf harvester as its documentation says for a synchronous
    run, ``ckan harvester run-test`` (gather, fetch and import in one process)."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    ckan = Path(sys.executable).with_name("ckan")
    started = time.perf_counter()
    subprocess.run(
        [str(ckan), "-c", os.environ["CKAN_INI"], "harvester", "run-test", source],
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    source_id = model.Package.get(source).id
    count = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True))
        .count()
    )
    print(json.dumps({"seconds": elapsed, "records": count, "peak_mb": peak, "summary": ""}))


def run_child(ini: str, mode: str, source: str, script: str = __file__, processes: int = 1) -> dict:
    """What ``script --child-<mode> source`` printed last, as JSON."""
    child = subprocess.run(
        [sys.executable, script, "--ini", ini, f"--child-{mode}", source],
        capture_output=True,
        text=True,
        env={**os.environ, "WRITE_PROCESSES": str(processes)},
    )
    if child.returncode != 0:
        sys.exit(f"{mode} {source} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--stock-datasets", type=int, default=1000)
    parser.add_argument(
        "--processes", default="1,2,4", help="writer processes of each first harvest"
    )
    parser.add_argument(
        "--ini",
        default=str(TEST_INI),
        help="CKAN config whose database and Solr core are WIPED (default: the tests')",
    )
    parser.add_argument("--child-run", help=argparse.SUPPRESS)
    parser.add_argument("--child-stock", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    if args.child_run:
        return with_app(lambda: child_run(args.child_run))
    if args.child_stock:
        return with_app(lambda: child_stock(args.child_stock))

    processes = [int(n) for n in args.processes.split(",")]
    server = serve(args.datasets, args.stock_datasets, copies=len(processes))
    ini = str(allowing(Path(args.ini), server.url.removeprefix("http://")))
    os.environ["CKAN_INI"] = ini
    sources = {
        f"bench-dcat{copy}": ("wepulse_dcat", f"{server.url}/dcat{copy or ''}")
        for copy in range(len(processes))
    }
    sources.update(
        {
            "bench-ods": ("wepulse_opendatasoft", server.url + "/ods"),
            "bench-stock-dcat": ("dcat_rdf", server.url + "/stock-dcat"),
        }
    )
    print(f"Preparing {args.ini} (wiped) and the sources on {server.url}…", file=sys.stderr)
    with_app(lambda: prepare(sources))
    rows = []

    def measure(label: str, mode: str, source: str, writers: int = 1) -> dict:
        print(f"  {label}…", file=sys.stderr)
        result = run_child(ini, mode, source, processes=writers)
        rows.append((label, result))
        return result

    firsts = [
        measure(f"WePulse DCAT, first harvest, {n} writer(s)", "run", f"bench-dcat{copy}", n)
        for copy, n in enumerate(processes)
    ]
    measure("WePulse DCAT, unchanged, server without ETags", "run", "bench-dcat0")
    server.etags = True
    run_child(ini, "run", "bench-dcat0")  # the pages' ETags are learnt
    measure("WePulse DCAT, unchanged, server with ETags", "run", "bench-dcat0")
    server.etags = False
    ods = measure(
        f"WePulse Opendatasoft, first harvest, {max(processes)} writer(s)",
        "run",
        "bench-ods",
        max(processes),
    )
    measure("WePulse Opendatasoft, unchanged", "run", "bench-ods")
    stock = measure("ckanext-dcat dcat_rdf, first harvest", "stock", "bench-stock-dcat")

    print(
        "\n| harvest | datasets | seconds | datasets/s | peak RSS | writer peak RSS |"
        "\n|---|---:|---:|---:|---:|---:|"
    )
    for label, r in rows:
        rate = r["records"] / r["seconds"] if r["seconds"] else 0
        writer = f"{r['writer_mb']:.0f} MB" if r.get("writer_mb") else "–"
        print(
            f"| {label} | {r['records']:,} | {r['seconds']:.1f} | {rate:,.0f} | "
            f"{r['peak_mb']:.0f} MB | {writer} |"
        )

    def rate(r: dict) -> float:
        return r["records"] / r["seconds"]

    print()
    for n, first in zip(processes, firsts, strict=True):
        print(
            f"WePulse DCAT first harvest, {n} writer(s), vs stock dcat_rdf: "
            f"{rate(first) / rate(stock):.1f}x (target >= 10x)"
        )
    print(
        f"WePulse Opendatasoft first harvest vs issue 4's 9 datasets/s: "
        f"{rate(ods) / ISSUE_4_ODS_RATE:.1f}x (target >= 10x)"
    )
    for label, r in rows:
        if r["summary"]:
            print(f"  {label}: {r['summary']}")


if __name__ == "__main__":
    main()
