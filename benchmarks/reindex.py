"""Benchmark: rebuilding the search index (issue 17), ours beside CKAN's own.

Fills the ini's database with N realistic multilingual datasets (benchmarks/transparency.py's
generator: the 562 authorities of Brussels and Wallonia, 1-3 distributions each), then, in
one run, each command in a process of its own on the same database and Solr core:
  1. ``ckan -c INI search-index rebuild``: CKAN's, one package_show and one Solr request a
     dataset (the anchor);
  2. ``ckan -c INI wepulse search reindex --processes P`` for each P of --processes.
Each row is the whole command, CKAN's start-up included; after each, the index must hold
the N datasets, each indexed during that command (its ``indexed_ts``).
Target (issue 17): >= 300 datasets/s.

    .venv/bin/python benchmarks/reindex.py --ini var/reindex.ini --datasets 10000  # WIPES it
    .venv/bin/python benchmarks/reindex.py --ini var/reindex.ini --keep     # the same again
(after `scripts/portal test` or `up` has started the services.)
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import transparency  # noqa: E402 - its generator, datasets spread over the authorities
from search_speed import machine  # noqa: E402

CKAN = str(ROOT / ".venv" / "bin" / "ckan")


def generate(count: int) -> None:
    from ckanext.wepulse.search.bulk import indexing_deferred

    # Its distributions' URLs are never fetched here: any host will do. Indexed once
    # each at the end, as a harvest would, rather than twice per package_create.
    with indexing_deferred():
        transparency.generate(count, [("127.0.0.1", 9)])


def datasets() -> int:
    from ckan import model

    return model.Session.query(model.Package).filter(model.Package.state == "active").count()


def documents(since: str) -> tuple[int, int]:
    """The site's dataset documents in Solr: those indexed since ``since``, and all."""
    import ckan.plugins.toolkit as tk
    from ckan.lib.search.common import make_connection
    from ckan.lib.search.query import solr_literal

    query = f"+site_id:{solr_literal(tk.config['ckan.site_id'])} +entity_type:package"
    solr = make_connection()
    fresh = solr.search(q=f"{query} +indexed_ts:[{since} TO *]", rows=0).hits
    return fresh, solr.search(q=query, rows=0).hits


def parts(count: int) -> dict[str, float]:
    """Milliseconds a dataset spends in each part of ``index_datasets``, on ``count``
    datasets, in this process."""
    import ckan.lib.plugins as lib_plugins
    from ckan.lib.search.index import PackageSearchIndex

    from ckanext.wepulse.search import bulk, plugin, reindex

    spent: dict[str, float] = {}
    transparency.timed(PackageSearchIndex, "index_package", spent)
    transparency.timed(lib_plugins, "plugin_validate", spent)
    transparency.timed(plugin.SearchPlugin, "before_dataset_index", spent)
    transparency.timed(bulk, "_send", spent)
    ids = reindex.dataset_ids()[:count]
    started = time.perf_counter()
    bulk.index_datasets(ids)
    total = time.perf_counter() - started
    index_package = spent["index_package"]
    ours, validate = spent["before_dataset_index"], spent["plugin_validate"]
    seconds = {
        "package_show": total - index_package - spent["_send"],
        "index_package: CKAN's second validation (plugin_validate)": validate,
        "index_package: our before_dataset_index": ours,
        "index_package: the rest (JSON, flattening, dates, labels)": index_package
        - validate
        - ours,
        "sending to Solr (250 a request) and the commit": spent["_send"],
        "in all": total,
    }
    return {part: 1000 * value / len(ids) for part, value in seconds.items()}


def run(command: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB, of its largest process) of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed (see above)")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="reuse the datasets already generated")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--parts", type=int, metavar="N", help="only: where the time goes, on N datasets"
    )
    parser.add_argument(
        "--ini",
        default=str(transparency.TEST_INI),
        help="CKAN config whose database and Solr core are WIPED (default: the tests')",
    )
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    load_before = os.getloadavg()[1]
    if not args.keep:
        print(f"Generating {args.datasets} datasets with {args.ini} (wiped)…", file=sys.stderr)
        transparency.with_app(lambda: generate(args.datasets))
    if args.parts:
        print("| part | ms a dataset |\n|---|---:|")
        for part, ms in transparency.with_app(lambda: parts(args.parts)).items():
            print(f"| {part} | {ms:.1f} |")
        return
    count = transparency.with_app(datasets)
    if count != args.datasets:
        sys.exit(f"{count} datasets in the database, not {args.datasets}: generate them again")
    commands = [
        ("`ckan search-index rebuild` (CKAN's)", [CKAN, "-c", args.ini, "search-index", "rebuild"])
    ]
    for processes in args.processes:
        commands.append(
            (
                f"`ckan wepulse search reindex --processes {processes}`",
                [
                    CKAN,
                    "-c",
                    args.ini,
                    "wepulse",
                    "search",
                    "reindex",
                    "--processes",
                    str(processes),
                ],
            )
        )
    rows = []
    for label, command in commands:
        print(f"{label}…", file=sys.stderr)
        since = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        seconds, peak_mb = run(command)
        fresh, total = transparency.with_app(functools.partial(documents, since))
        if fresh != count or total != count:
            sys.exit(f"{label}: {fresh} documents indexed of {count} ({total} in the index)")
        rows.append((label, seconds, peak_mb))
    anchor = count / rows[0][1]
    print(
        f"\nMachine: {machine()}; load average (5 min) {load_before:.1f} at the start, "
        f"{os.getloadavg()[1]:.1f} at the end\n"
    )
    print(
        "| command | datasets | seconds | datasets/s | × CKAN's | peak RSS (MB, largest process) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, seconds, peak_mb in rows:
        rate = count / seconds
        figures = f"{count} | {seconds:.1f} | {rate:.0f} | {rate / anchor:.1f} | {peak_mb:.0f}"
        print(f"| {label} | {figures} |")


if __name__ == "__main__":
    main()
