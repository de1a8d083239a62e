"""Benchmark: the full-catalogue DCAT-AP dump and the paged catalogue endpoints.

Generates N realistic multilingual datasets (Brussels authorities from REFNIS,
EU vocabularies) in the *test* database and Solr core, validates and scores them as
the background job does, then, in one run:
  1. `ckan wepulse dump` (ckanext.wepulse.dcat_ap.dump): time and peak RSS, in a child process;
  2. every page of /catalog.ttl and /catalog.rdf through CKAN's WSGI app (made from the
     stored texts, dcat_ap/catalogue_pages.py): time;
  3. the first --stock-pages pages as ckanext-dcat builds them (its own dcat_catalog_show).
Target (issue 3): 10,000 datasets dumped in <= 10 s and <= 300 MB peak RSS.

    .venv/bin/python benchmarks/dcat_dump.py --datasets 10000
(after `scripts/portal test` or `up` has started the services; it wipes the test database).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_INI = ROOT / "var" / "test.ini"

WORDS = {
    "fr": ["budget", "arbres", "écoles", "parkings", "collectes", "subsides", "marchés", "voiries"],
    "nl": [
        "begroting",
        "bomen",
        "scholen",
        "parkings",
        "ophalingen",
        "subsidies",
        "markten",
        "wegen",
    ],
    "de": [
        "Haushalt",
        "Bäume",
        "Schulen",
        "Parkplätze",
        "Abholungen",
        "Zuschüsse",
        "Märkte",
        "Straßen",
    ],
    "en": ["budget", "trees", "schools", "car parks", "collections", "grants", "markets", "roads"],
}


def generate(count: int) -> None:
    import ckan.lib.search as search
    import ckan.plugins.toolkit as tk
    from ckan.tests import helpers

    from ckanext.wepulse import authorities, vocabularies
    from ckanext.wepulse.seeding import site_context

    helpers.reset_db()
    search.clear_all()
    for plugin in ("activity", "harvest", "wepulse"):
        from ckan.cli.db import _run_migrations

        _run_migrations(plugin)
    with open(authorities.REFNIS_FILE, "rb") as f:
        brussels = [a for a in authorities.read_refnis(f.read()) if a.region == "brussels"]
    list(authorities.seed(brussels))
    themes = [c.code for c in vocabularies.load("data_themes")]
    formats = ["CSV", "XLSX", "JSON", "GEOJSON", "PDF", "SHP", "XML"]
    licences = ["cc-by", "cc-zero", "odc-odbl", "CC_BY_4_0"]
    rng = random.Random(42)
    tk.config["ckan.search.solr_commit"] = False  # one commit at the end, not per dataset
    context = site_context()
    started = time.perf_counter()
    for i in range(count):
        authority = rng.choice(brussels)
        k = rng.randrange(len(WORDS["fr"]))
        year = 2015 + i % 10
        tk.get_action("package_create")(
            dict(context),
            {
                "name": f"bench-{i:05d}",
                "owner_org": authority.name,
                "title_translated": {
                    lang: f"{words[k].capitalize()} {year} — {authority.names.get(lang, '')}"
                    for lang, words in WORDS.items()
                },
                "notes_translated": {
                    lang: " ".join(rng.sample(w, 5)) + f" ({year})." for lang, w in WORDS.items()
                },
                "tags_translated": {lang: rng.sample(w, 2) for lang, w in WORDS.items()},
                "theme": rng.sample(themes, rng.randint(1, 2)),
                "language": ["FRA", "NLD"],
                "frequency": rng.choice(["ANNUAL", "MONTHLY", "IRREG"]),
                "access_rights": "PUBLIC",
                "license_id": rng.choice(licences),
                "temporal_coverage": [{"start": f"{year}-01-01", "end": f"{year}-12-31"}],
                "resources": [
                    {
                        "name_translated": {"fr": f"Fichier {j + 1}", "nl": f"Bestand {j + 1}"},
                        "url": f"https://data.example.be/{authority.name}/{i}/{j}",
                        "format": rng.choice(formats),
                    }
                    for j in range(rng.randint(1, 3))
                ],
            },
        )
        if (i + 1) % 500 == 0:
            print(
                f"  generated {i + 1}/{count} ({(i + 1) / (time.perf_counter() - started):.0f}/s)",
                file=sys.stderr,
            )
    search.commit()
    # What `ckan jobs worker` does after a harvest's batch: validate, store the DCAT-AP
    # text, score. Run inline here, and timed, instead of through the queue.
    from ckanext.wepulse.jobs import validate_datasets

    tk.get_action("job_clear")(dict(context), {})
    started = time.perf_counter()
    ids = [
        tk.get_action("package_show")(dict(context), {"id": f"bench-{i:05d}"})["id"]
        for i in range(count)
    ]
    for first in range(0, count, 100):
        validate_datasets(ids[first : first + 100])
        print(f"  validated and stored {min(first + 100, count)}/{count}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(
        f"  background job (validate + store DCAT-AP + score): {count / elapsed:.0f} datasets/s",
        file=sys.stderr,
    )


def dump_child(output: str, fmt: str) -> None:
    """Runs in a fresh process so its peak RSS is the dump's alone."""
    from ckanext.wepulse.dcat_ap import dump

    started = time.perf_counter()
    with open(output, "wb") as out:
        count = dump.dump_catalogue(out, fmt)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count} {elapsed:.2f} {peak_mb:.0f}")


def paged_catalog(app, fmt: str) -> tuple[int, float, int]:
    """Every page of /catalog.<fmt>, as a harvester follows them: (datasets, seconds, pages)."""
    started = time.perf_counter()
    page, datasets = 1, 0
    while True:
        response = app.get(f"/catalog.{fmt}?page={page}")
        found = datasets_in(response.get_data(), fmt) if response.status_code == 200 else 0
        if not found:
            break
        datasets += found
        page += 1
    return datasets, time.perf_counter() - started, page - 1


def built_catalog(flask_app, fmt: str, pages: int) -> tuple[int, float, int]:
    """The first pages as ckanext-dcat builds them (its action, not ours chained to it)."""
    from ckanext.dcat import logic as dcat_logic

    started = time.perf_counter()
    datasets = 0
    for page in range(1, pages + 1):
        with flask_app.test_request_context(f"/catalog.{fmt}?page={page}"):
            body = dcat_logic.dcat_catalog_show({}, {"format": fmt, "page": page})
        datasets += datasets_in(body.encode(), fmt)
    return datasets, time.perf_counter() - started, pages


def datasets_in(body: bytes, fmt: str) -> int:
    if fmt == "ttl":
        return body.count(b" a dcat:Dataset")
    # RDF/XML, pretty (ckanext-dcat) or flat (Oxigraph)
    return body.count(b"<dcat:Dataset") + body.count(
        b'resource="http://www.w3.org/ns/dcat#Dataset"'
    )


def with_app(func):
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
    flask_app = app._wsgi_app
    with flask_app.test_request_context():
        return func(flask_app)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="reuse the datasets already generated")
    parser.add_argument(
        "--ini",
        default=str(TEST_INI),
        help="CKAN config whose database and Solr core are WIPED (default: the tests')",
    )
    parser.add_argument(
        "--stock-pages", type=int, default=10, help="pages built by ckanext-dcat, for comparison"
    )
    parser.add_argument("--child-dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    if args.child_dump:
        output, fmt = args.child_dump.split(",")
        with_app(lambda app: dump_child(output, fmt))
        return
    if not args.keep:
        print(f"Generating {args.datasets} datasets with {args.ini}…", file=sys.stderr)
        with_app(lambda app: generate(args.datasets))
    rows = []
    for fmt, label in (
        ("ttl", "ckan wepulse dump (Turtle)"),
        ("nt", "ckan wepulse dump (N-Triples)"),
    ):
        output = ROOT / "var" / f"benchmark-dump.{fmt}"
        child = subprocess.run(
            [sys.executable, __file__, "--ini", args.ini, "--child-dump", f"{output},{fmt}"],
            capture_output=True,
            text=True,
            check=True,
        )
        count, seconds, peak_mb = child.stdout.split()[-3:]
        rows.append((label, int(count), float(seconds), peak_mb, output))
    for fmt in ("ttl", "rdf"):
        count, seconds, pages = with_app(lambda app, fmt=fmt: paged_catalog(app.test_client(), fmt))
        rows.append((f"/catalog.{fmt}, every page", count, seconds, "", f"({pages} pages)"))
        count, seconds, pages = with_app(
            lambda app, fmt=fmt: built_catalog(app, fmt, args.stock_pages)
        )
        rows.append((f"  ckanext-dcat, first {pages}", count, seconds, "", f"({pages} pages)"))
    print()
    print(f"{'':34}{'datasets':>10}{'seconds':>10}{'datasets/s':>12}{'peak RSS MB':>13}")
    for label, count, seconds, peak_mb, output in rows:
        size = (
            f"   {output.stat().st_size / 1e6:.1f} MB file"
            if isinstance(output, Path)
            else f"   {output}"
        )
        print(f"{label:34}{count:>10}{seconds:>10.2f}{count / seconds:>12.0f}{peak_mb:>13}{size}")


if __name__ == "__main__":
    main()
