"""Benchmark: a whole LDES feed shaped like data.gov.be's, harvested into a searchable,
validated catalogue.

Generates the feed of ``benchmarks/ldes_feed.py`` (950 pages, 18,000 datasets, 75,000
distributions by default) and serves it on loopback. Then, against the real PostgreSQL,
Solr and Redis of ``--ini`` (WIPED), with ``--workers`` real `ckan jobs worker`
processes running throughout:
  1. the first harvest, in a child process with ``--processes`` writer processes: when
     it ends, every dataset is searchable (each batch is indexed after its commit);
  2. the validation the harvest queued (DCAT-AP text, SHACL, score), until every
     dataset has its stored result.
It samples the memory of every process involved (harvest, its writers and reader, the
job workers) once a second and prints the peak, the harvest's own tree and all of them
together. Forked processes share their parent's pages, so the sum is of each one's
proportional set size (PSS: a page shared by n processes counts 1/n in each), what the
processes together take from the machine; their resident sizes would count each shared
page once per process.
Targets (issue 17): searchable and validated in <= 10 minutes, peak RSS <= 1 GB.

    .venv/bin/python benchmarks/ldes_catalogue.py --ini var/test.ini --processes 2 --workers 2
(after `scripts/portal up` or `test` has started the services).
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harvest  # noqa: E402 - the benchmarks' shared steps
import ldes_feed  # noqa: E402

from harvesters.fixtures import FixtureServer, file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "bench-ldes"


class MemorySampler(threading.Thread):
    """Peak memory (MB, PSS) of process trees, sampled once a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.roots: dict[str, list[psutil.Process]] = {}
        self.peaks: dict[str, float] = {}
        self.running = True

    def watch(self, group: str, pid: int) -> None:
        self.roots.setdefault(group, []).append(psutil.Process(pid))

    def run(self) -> None:
        while self.running:
            total = 0.0
            for group, roots in list(self.roots.items()):
                mb = sum(_tree_pss(root) for root in roots) / 2**20
                self.peaks[group] = max(self.peaks.get(group, 0.0), mb)
                total += mb
            self.peaks["all"] = max(self.peaks.get("all", 0.0), total)
            time.sleep(1)


def _tree_pss(root: psutil.Process) -> int:
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    pss = 0
    for process in processes:
        try:
            pss += process.memory_full_info().pss
        except psutil.NoSuchProcess:
            pass
    return pss


class CpuClock:
    """CPU seconds the services spent: PostgreSQL (its postmaster, its live backends and
    the ones that ended) and Solr; read before and after, so what they did meanwhile is
    the difference."""

    def __init__(self) -> None:
        postmaster = ROOT / "var" / "postgres" / "data" / "postmaster.pid"
        self.postgres = psutil.Process(int(postmaster.read_text().split()[0]))
        self.solr = next(
            (
                p
                for p in psutil.process_iter(["cmdline"])
                if "SolrLauncher" in " ".join(p.info["cmdline"] or [])
            ),
            None,
        )

    def read(self) -> dict[str, float]:
        times = self.postgres.cpu_times()
        postgres = times.user + times.system + times.children_user + times.children_system
        for backend in self.postgres.children():
            try:
                postgres += sum(backend.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
        solr = sum(self.solr.cpu_times()[:2]) if self.solr else 0.0
        return {"postgres": postgres, "solr": solr}


def children_cpu() -> float:
    """CPU seconds of this process's waited-for children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def database(ini: Path) -> sa.engine.Engine:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ini)
    return sa.create_engine(parser["app:main"]["sqlalchemy.url"])


def count(engine: sa.engine.Engine, sql: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar() or 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ini", default=str(harvest.TEST_INI), help="its database is WIPED")
    parser.add_argument("--pages", type=int, default=950)
    parser.add_argument("--datasets", type=int, default=18000)
    parser.add_argument("--distributions", type=int, default=75000)
    parser.add_argument("--processes", type=int, default=2, help="the harvest's writers")
    parser.add_argument("--workers", type=int, default=2, help="`ckan jobs worker` processes")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--child-count", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_count:
        os.environ["CKAN_INI"] = args.ini
        return harvest.with_app(lambda: child_count(args.child_count))

    server = FixtureServer({}).__enter__()
    base = f"{server.url}/root"
    feed = ROOT / "var" / "bench" / "ldes-catalogue"
    feed.mkdir(parents=True, exist_ok=True)
    size = ldes_feed.generate(feed, args.pages, args.datasets, args.distributions, base)
    server.routes.update(
        {
            f"/root/page_{n}/index.trig": file(feed / f"page_{n}.trig", "application/trig")
            for n in range(1, args.pages + 1)
        }
    )
    print(
        f"{args.pages} pages, {args.datasets:,} datasets, {args.distributions:,} "
        f"distributions: {size / 2**20:.0f} MB of TriG on {server.url}",
        file=sys.stderr,
    )
    ini = harvest.allowing(Path(args.ini), server.url.removeprefix("http://"))
    os.environ["CKAN_INI"] = str(ini)
    harvest.with_app(
        lambda: harvest.prepare({SOURCE: ("wepulse_dcat", ldes_feed.page_url(1, base))})
    )
    ckan = str(Path(sys.executable).with_name("ckan"))
    subprocess.run([ckan, "-c", str(ini), "jobs", "clear"], check=True, capture_output=True)
    engine = database(Path(args.ini))

    sampler = MemorySampler()
    workers = [
        subprocess.Popen(
            [ckan, "-c", str(ini), "jobs", "worker"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    for worker in workers:
        sampler.watch("job workers", worker.pid)
    sampler.start()
    clock = CpuClock()
    services_before, children_before = clock.read(), children_cpu()
    try:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, harvest.__file__, "--ini", str(ini), "--child-run", SOURCE],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "WRITE_PROCESSES": str(args.processes)},
        )
        sampler.watch("harvest", child.pid)
        out, err = child.communicate()
        if child.returncode:
            sys.exit(f"the harvest failed:\n{err[-3000:]}")
        harvested = time.perf_counter() - started
        harvest_cpu = children_cpu() - children_before
        result = json.loads(out.strip().splitlines()[-1])
        print(f"  harvested in {harvested:.0f} s: {result['summary']}", file=sys.stderr)
        validated_sql = (
            "SELECT count(*) FROM wepulse_dataset_validation v JOIN package p"
            " ON p.id = v.package_id WHERE p.type = 'dataset' AND p.state = 'active'"
            " AND v.profile = 'dcat-ap-3.0.1'"
        )
        scored_sql = "SELECT count(*) FROM wepulse_dataset_quality"
        while (
            min(count(engine, validated_sql), count(engine, scored_sql)) < result["records"]
            and time.perf_counter() - started < args.timeout
        ):
            time.sleep(2)
        validated = time.perf_counter() - started
    finally:
        sampler.running = False
        for worker in workers:
            worker.terminate()
            worker.wait()
    services = {k: v - services_before[k] for k, v in clock.read().items()}
    workers_cpu = children_cpu() - children_before - harvest_cpu
    searchable = harvest.run_child(str(ini), "count", SOURCE, script=__file__)["count"]

    print(
        "\n| feed | writers | job workers | searchable after | validated after |"
        " datasets searchable | …validated | …scored | peak memory (PSS): harvest |"
        " …job workers |"
        " …all |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.pages} pages, {args.datasets:,} datasets, {args.distributions:,}"
        f" distributions | {args.processes} | {args.workers} | {harvested:.0f} s |"
        f" {validated:.0f} s | {searchable:,} | {count(engine, validated_sql):,} |"
        f" {count(engine, scored_sql):,} | {sampler.peaks.get('harvest', 0):.0f} MB |"
        f" {sampler.peaks.get('job workers', 0):.0f} MB | {sampler.peaks['all']:.0f} MB |"
    )
    n = max(result["records"], 1)
    print("\n| CPU per dataset | ms |\n|---|---:|")
    for label, seconds in (
        ("the harvest (reading, mapping, its writers: CKAN's actions)", harvest_cpu),
        ("the job workers (DCAT-AP text, SHACL, score)", workers_cpu),
        ("PostgreSQL", services["postgres"]),
        ("Solr", services["solr"]),
    ):
        print(f"| {label} | {1000 * seconds / n:.1f} |")
    print(
        f"\nTargets: searchable and validated <= 600 s ({validated:.0f} s), peak memory"
        f" <= 1 GB ({sampler.peaks.get('harvest', 0):.0f} MB the harvest,"
        f" {sampler.peaks['all']:.0f} MB with the job workers)."
    )


def child_count(_source: str) -> None:
    import ckan.plugins.toolkit as tk

    from ckanext.wepulse.seeding import site_context

    found = tk.get_action("package_search")(site_context(), {"q": "*:*", "rows": 0})
    print(json.dumps({"count": found["count"]}))


if __name__ == "__main__":
    main()
