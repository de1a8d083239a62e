"""Benchmark: transparency (issue 15): scoring 10,000 datasets, the overview, the link checker.

Generates N realistic multilingual datasets (dcat_dump.py's words) in the *test* database
and Solr core, spread unevenly over the 562 authorities of Brussels and Wallonia (REFNIS,
seeded as `ckan wepulse authorities seed` does), each with 1–3 distributions whose URLs
are on the 50 loopback hosts of benchmarks/link_checker.py (404s, redirects on the host
and to another, servers refusing HEAD among them). Then, in one run, each step in a child
process of its own, on the real PostgreSQL, Solr and Redis:
  1. from scratch: ``ckanext.wepulse.jobs.validate_dataset`` on every dataset, what the
     worker runs after each change (DCAT-AP graph, SHACL, stored text, then the score),
     the score's share (``quality.scoring.refresh``) timed apart; then, scores and link
     rows deleted, ``scoring.refresh(package_show(...))`` alone on every dataset, from
     the DCAT-AP text the first pass stored;
  2. a link-check round through the CKAN glue (``quality.jobs.check_links``: the
     ``wepulse_link_check`` table, the budget on Redis) against the loopback hosts, which
     scores again each dataset whose links' verdicts changed; then ``scoring.rescore``
     on every dataset;
  3. the pages, served by CKAN under gunicorn as the portal serves them (2 gthread
     workers): with one client, after a warm-up, 200 sequential GETs each of
     /transparency, /transparency.json, /transparency.csv and the scorecards
     (/organization/<name>/quality) of the largest authority and of a median one; and
     ``quality.authorities.overview()`` in-process, with its SQL statements counted;
  4. the link checker alone: benchmarks/link_checker.py's runs (10,000 URLs, 50 hosts).
Target (issue 15): the overview served in <= 300 ms p95 with one client.

    .venv/bin/python benchmarks/transparency.py --datasets 10000     # WIPES the test database
    .venv/bin/python benchmarks/transparency.py --keep --part pages  # the same datasets again
(after `scripts/portal test` or `up` has started the services.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import link_checker  # noqa: E402 - the loopback hosts, their URLs and the checker's runs
from dcat_dump import WORDS  # noqa: E402 - the same multilingual words
from search_speed import WebServer, machine, percentile  # noqa: E402 - the portal's gunicorn

TEST_INI = ROOT / "var" / "test.ini"
PREFIX = "transp-"  # the generated datasets' names
FORMATS = ["CSV", "XLSX", "JSON", "GEOJSON", "PDF", "SHP", "XML"]
LICENCES = ["cc-by", "cc-zero", "odc-odbl", "CC_BY_4_0"]
FREQUENCIES = ["ANNUAL", "ANNUAL", "MONTHLY", "QUARTERLY", "IRREG", "NEVER"]
PAGE_REQUESTS = 200
WARM_UP = 10
PARTS = ("score", "links", "pages", "checker")


# -- the CKAN app, in this process ---------------------------------------------------


def with_app(func):
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
    with app._wsgi_app.test_request_context():
        return func()


def dataset_ids(expected: int) -> list[str]:
    """The generated datasets' ids, by name; exits when the test database no longer
    holds them all (a test run wiped it meanwhile)."""
    from ckan import model

    ids = [
        package_id
        for (package_id,) in model.Session.query(model.Package.id)
        .filter(model.Package.name.like(f"{PREFIX}%"), model.Package.state == "active")
        .order_by(model.Package.name)
    ]
    if len(ids) != expected:
        sys.exit(
            f"{len(ids)} of the {expected} generated datasets are in the test database: "
            "generate them again (without --keep), with no test run wiping it meanwhile"
        )
    return ids


def clear_queues() -> None:
    """The jobs package_create and scoring queue: no worker runs them here."""
    import ckan.plugins.toolkit as tk

    from ckanext.wepulse.quality.jobs import LINK_QUEUE

    tk.get_action("job_clear")({"ignore_auth": True}, {"queues": ["default", LINK_QUEUE]})


# -- the datasets --------------------------------------------------------------------


def generate(count: int, hosts: list[tuple[str, int]]) -> None:
    import ckan.lib.search as search
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations
    from ckan.tests import helpers

    from ckanext.wepulse import authorities, vocabularies
    from ckanext.wepulse.seeding import site_context

    helpers.reset_db()
    search.clear_all()
    for plugin in ("activity", "harvest", "wepulse"):
        _run_migrations(plugin)
    with open(authorities.REFNIS_FILE, "rb") as f:
        found = list(authorities.read_refnis(f.read()))
    for _name, _outcome in tqdm(
        authorities.seed(found), total=len(found), desc="Authorities", unit=" authorities"
    ):
        pass
    themes = [c.code for c in vocabularies.load("data_themes")]
    rng = random.Random(42)
    # Uneven, as publishing is: the first authorities of a shuffled list publish the most,
    # none is certain to publish anything.
    ranked = rng.sample(found, len(found))
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(ranked))]
    tk.config["ckan.search.solr_commit"] = False  # one commit at the end, not per dataset
    context = site_context()
    link = 0
    for i in tqdm(range(count), desc="package_create", unit=" datasets"):
        authority = rng.choices(ranked, weights)[0]
        k, year = rng.randrange(len(WORDS["fr"])), 2015 + i % 10
        resources = []
        for j in range(rng.randint(1, 3)):
            resources.append(
                {
                    "name_translated": {"fr": f"Fichier {j + 1}", "nl": f"Bestand {j + 1}"},
                    "url": link_checker.url(hosts, link),
                    "format": rng.choice(FORMATS),
                }
            )
            link += 1
        dataset = {
            "name": f"{PREFIX}{i:05d}",
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
            "frequency": rng.choice(FREQUENCIES),
            "access_rights": "PUBLIC",
            "license_id": rng.choice(LICENCES),
            "temporal_coverage": [{"start": f"{year}-01-01", "end": f"{year}-12-31"}],
            "resources": resources,
        }
        if rng.random() < 0.6:  # a contact point: what many authorities' datasets lack
            dataset["contact"] = [
                {"name": "Service données", "email": f"opendata@{authority.name}.example"}
            ]
        tk.get_action("package_create")(dict(context), dataset)
    search.commit()
    clear_queues()


# -- the steps, each in a child process (prints its figures as JSON, last) -------------


def timed(module: Any, name: str, spent: dict[str, float]) -> None:
    """Wrap ``module.name`` to add the seconds its calls take to ``spent[name]``."""
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
            spent[f"{name} calls"] = spent.get(f"{name} calls", 0) + 1

    setattr(module, name, wrapper)


def forget_scores() -> None:
    """No score and no link row: every dataset is scored as for the first time."""
    from ckan import model

    from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck

    model.Session.query(LinkCheck).delete()
    model.Session.query(DatasetQuality).delete()
    model.Session.commit()


def child_validate(count: int) -> dict[str, Any]:
    """``validate_dataset`` on every dataset, from scratch (no score, no link row)."""
    from ckan import model

    from ckanext.wepulse.jobs import validate_dataset
    from ckanext.wepulse.quality import scoring
    from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck

    ids = dataset_ids(count)
    forget_scores()
    spent: dict[str, float] = {}
    timed(scoring, "refresh", spent)  # validate_dataset calls it through the module
    timed(scoring, "_reindex", spent)  # what a first score or a new band costs in Solr
    started, cpu = time.perf_counter(), time.process_time()
    for package_id in tqdm(ids, desc="validate_dataset", unit=" datasets"):
        validate_dataset(package_id)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    scored = model.Session.query(DatasetQuality).count()
    clear_queues()
    return {
        "datasets": len(ids),
        "seconds": seconds,
        "cpu": cpu,
        "score_seconds": spent.get("refresh", 0.0),
        "reindex_seconds": spent.get("_reindex", 0.0),
        "reindexed": int(spent.get("_reindex calls", 0)),
        "scored": scored,
        "links": model.Session.query(LinkCheck).count(),
    }


def child_score(count: int) -> dict[str, Any]:
    """``scoring.refresh(package_show(...))`` on every dataset, its score and link rows
    deleted first, from the DCAT-AP text validate_dataset stored."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.wepulse.model import DatasetRdf
    from ckanext.wepulse.quality import scoring
    from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck
    from ckanext.wepulse.seeding import site_context

    ids = dataset_ids(count)
    stored = model.Session.query(DatasetRdf).filter(DatasetRdf.package_id.in_(ids)).count()
    forget_scores()
    show = tk.get_action("package_show")
    context = site_context()
    spent: dict[str, float] = {}
    timed(scoring, "_reindex", spent)
    started, cpu = time.perf_counter(), time.process_time()
    for package_id in tqdm(ids, desc="scoring.refresh", unit=" datasets"):
        dataset = show(dict(context), {"id": package_id})
        before = time.perf_counter()
        scoring.refresh([dataset])
        spent["refresh"] = spent.get("refresh", 0.0) + time.perf_counter() - before
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    clear_queues()
    return {
        "datasets": len(ids),
        "seconds": seconds,
        "cpu": cpu,
        "score_seconds": spent["refresh"],
        "reindex_seconds": spent.get("_reindex", 0.0),
        "reindexed": int(spent.get("_reindex calls", 0)),
        "stored_rdf": stored,
        "scored": model.Session.query(DatasetQuality).count(),
        "links": model.Session.query(LinkCheck).count(),
    }


def child_links(argument: str) -> dict[str, Any]:
    """One link-check round through ``jobs.check_links``, every link due and unchecked
    (as after a first scoring), with the benchmark's budget and the loopback hosts
    allowed."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib.redis import connect_to_redis
    from sqlalchemy import func

    from ckanext.wepulse.quality import jobs, scoring
    from ckanext.wepulse.quality.model import LinkCheck

    settings = json.loads(argument)
    dataset_ids(settings["datasets"])
    tk.config["ckanext.wepulse.harvest.allow_private"] = settings["hosts"]
    tk.config["ckanext.wepulse.links.per_host_per_minute"] = settings["budget"]
    tk.config["ckanext.wepulse.links.parallel_hosts"] = settings["parallel"]
    tk.config["ckanext.wepulse.links.batch_size"] = 10**6  # the whole table in one round
    tk.config["ckanext.wepulse.links.round_seconds"] = 3600
    now = datetime.datetime.utcnow()
    model.Session.query(LinkCheck).update(
        {
            LinkCheck.status: "not_checked",
            LinkCheck.http_status: None,
            LinkCheck.checked_at: None,
            LinkCheck.changed_at: None,
            LinkCheck.failing_since: None,
            LinkCheck.next_check: now,
        }
    )
    model.Session.commit()
    redis = connect_to_redis()
    for key in redis.scan_iter(f"{jobs.BUDGET_PREFIX}*127.0.0.*"):  # a previous run's log
        redis.delete(key)
    links = model.Session.query(LinkCheck).count()
    spent: dict[str, float] = {}
    timed(scoring, "rescore", spent)  # check_links calls it through the module
    timed(scoring, "_reindex", spent)
    started, cpu = time.perf_counter(), time.process_time()
    counts = jobs.check_links()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    statuses = dict(
        model.Session.query(LinkCheck.status, func.count()).group_by(LinkCheck.status).all()
    )
    clear_queues()
    return {
        "links": links,
        "seconds": seconds,
        "cpu": cpu,
        "counts": counts,
        "statuses": statuses,
        "rescored": int(spent.get("rescore calls", 0)),
        "rescore_seconds": spent.get("rescore", 0.0),
        "reindex_seconds": spent.get("_reindex", 0.0),
        "reindexed": int(spent.get("_reindex calls", 0)),
    }


def child_rescore(count: int) -> dict[str, Any]:
    """``scoring.rescore`` on every dataset (its links' verdicts are known)."""
    from ckanext.wepulse.quality import scoring

    ids = dataset_ids(count)
    started, cpu = time.perf_counter(), time.process_time()
    for package_id in tqdm(ids, desc="scoring.rescore", unit=" datasets"):
        scoring.rescore(package_id)
    return {
        "datasets": len(ids),
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
    }


def child_overview(repeats: int) -> dict[str, Any]:
    """``authorities.overview()`` in-process: its time and SQL statements."""
    from ckan import model
    from sqlalchemy import event

    from ckanext.wepulse.quality import authorities
    from ckanext.wepulse.quality.model import DatasetQuality

    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    engine = model.Session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    times, rows = [], []
    for _ in range(repeats):
        statements[0] = 0
        started = time.perf_counter()
        rows = authorities.overview()
        times.append(time.perf_counter() - started)
    event.remove(engine, "before_cursor_execute", count)
    ranked = sorted((r for r in rows if r.datasets), key=lambda r: -r.datasets)
    return {
        "authorities": len(rows),
        "publishing": len(ranked),
        "datasets": sum(r.datasets for r in rows),
        "scored": model.Session.query(DatasetQuality).count(),
        "median_ms": percentile(times, 50),
        "statements": statements[0],
        "largest": [ranked[0].name, ranked[0].datasets],
        "median": [ranked[len(ranked) // 2].name, ranked[len(ranked) // 2].datasets],
    }


CHILDREN = {
    "validate": lambda a: child_validate(int(a)),
    "score": lambda a: child_score(int(a)),
    "links": child_links,
    "rescore": lambda a: child_rescore(int(a)),
    "overview": lambda a: child_overview(int(a)),
}


def run_child(ini: str, mode: str, argument: str) -> dict[str, Any]:
    """``this script --child-<mode> argument`` in a fresh process: its last line of
    output, as JSON. Its progress bars and errors go straight to the terminal."""
    child = subprocess.run(
        [sys.executable, __file__, "--ini", ini, "--child", mode, argument],
        stdout=subprocess.PIPE,
        text=True,
    )
    if child.returncode != 0:
        sys.exit(f"{mode} failed (see above)")
    return json.loads(child.stdout.strip().splitlines()[-1])


# -- the pages -----------------------------------------------------------------------


def time_pages(server: WebServer, paths: list[str]) -> list[dict[str, Any]]:
    """``PAGE_REQUESTS`` sequential GETs of each path, by one client, after a warm-up."""
    session = requests.Session()  # keep-alive, as a browser
    rows = []
    for path in paths:
        for _ in range(WARM_UP):
            session.get(server.url + path, timeout=60)
        latencies, sizes, errors = [], [], 0
        for _ in tqdm(range(PAGE_REQUESTS), desc=path, unit=" requests"):
            started = time.perf_counter()
            response = session.get(server.url + path, timeout=60)
            latencies.append(time.perf_counter() - started)  # the body has been read
            sizes.append(len(response.content))
            errors += response.status_code != 200
        rows.append(
            {"path": path, "latencies": latencies, "kb": max(sizes) / 1024, "errors": errors}
        )
    return rows


# -- the figures ---------------------------------------------------------------------


def print_scoring(figures: dict[str, Any]) -> None:
    """The scoring steps' figures, those that ran. CPU: the step's own process (not
    PostgreSQL's, Solr's or the loopback servers')."""
    print(f"\n{'Scoring':66}{'count':>7}{'seconds':>9}{'per s':>8}{'ms each':>9}{'CPU s':>8}")

    def line(label: str, count: int, seconds: float, unit: str, cpu: float | None = None) -> None:
        rate = count / seconds if seconds else 0
        each = 1000 * seconds / count if count else 0
        cpu_text = "" if cpu is None else f"{cpu:.1f}"
        print(f"{label:66}{count:>7}{seconds:>9.1f}{rate:>8.1f}{each:>9.1f}{cpu_text:>8}  {unit}")

    def reindexed(step: dict[str, Any]) -> None:
        line(
            "    of which indexing again for the facets (search.rebuild)",
            step["reindexed"],
            step["reindex_seconds"],
            "datasets",
        )

    if "validate" in figures:
        validate, score = figures["validate"], figures["score"]
        n = validate["datasets"]
        line(
            "from scratch: jobs.validate_dataset (graph, SHACL, text, score)",
            n,
            validate["seconds"],
            "datasets",
            validate["cpu"],
        )
        line("  of which the score: scoring.refresh", n, validate["score_seconds"], "datasets")
        reindexed(validate)
        line(
            "  the rest: DCAT-AP graph, SHACL (pyshacl), stored text",
            n,
            validate["seconds"] - validate["score_seconds"],
            "datasets",
        )
        line(
            "score alone, from stored DCAT-AP: package_show + scoring.refresh",
            n,
            score["seconds"],
            "datasets",
            score["cpu"],
        )
        line("  of which scoring.refresh", n, score["score_seconds"], "datasets")
        reindexed(score)
    if "links" in figures:
        links, rescore = figures["links"], figures["rescore"]
        line(
            "link-check round: jobs.check_links",
            links["links"],
            links["seconds"],
            "links",
            links["cpu"],
        )
        line(
            "  of which rescoring the datasets whose verdicts changed",
            links["rescored"],
            links["rescore_seconds"],
            "datasets",
        )
        reindexed(links)
        line(
            "  the rest: checking (HEAD/GET, budget) and storing the links",
            links["links"],
            links["seconds"] - links["rescore_seconds"],
            "links",
        )
        line(
            "recompute after a round: scoring.rescore, every dataset",
            rescore["datasets"],
            rescore["seconds"],
            "datasets",
            rescore["cpu"],
        )
        print(f"  check_links: {links['counts']}; links now {links['statuses']}")
        window = links["server"]
        print(
            f"  the round's requests: {window['requests']} ({window['per_host_min']}–"
            f"{window['per_host_max']} a host), max in any 60 s: {window['max_window']} "
            f"{'≤' if window['max_window'] <= links['budget'] else '>'} budget "
            f"{links['budget']}, {links['parallel']} hosts at a time"
        )


def print_pages(pages: list[dict], overview: dict, server: WebServer) -> None:
    print(
        f"\nPages: {overview['authorities']} authorities ({overview['publishing']} publishing), "
        f"{overview['datasets']} datasets, {overview['scored']} scored; gunicorn "
        f"{server.workers} workers x 4 threads; one client, {PAGE_REQUESTS} sequential GETs "
        f"each after {WARM_UP} warm-up"
    )
    print(f"{'':44}{'min ms':>8}{'median':>8}{'p95':>8}{'max':>8}{'KB':>7}{'errors':>8}")
    for row in pages:
        ms = row["latencies"]
        print(
            f"{row['path']:44}{1000 * min(ms):>8.1f}{percentile(ms, 50):>8.1f}"
            f"{percentile(ms, 95):>8.1f}{1000 * max(ms):>8.1f}{row['kb']:>7.0f}{row['errors']:>8}"
        )
    p95 = percentile(pages[0]["latencies"], 95)
    print(
        f"Target: /transparency p95 <= 300 ms with one client: {p95:.1f} ms — "
        + ("met" if p95 <= 300 else "NOT met")
    )
    print(
        f"authorities.overview() in-process: {overview['median_ms']:.1f} ms median, "
        f"{overview['statements']} SQL statements, whatever the number of datasets"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="reuse the datasets already generated")
    parser.add_argument(
        "--part", action="append", choices=PARTS, help="only these parts (default: all)"
    )
    parser.add_argument(
        "--links-budget", type=int, default=600, help="per host and minute, in the CKAN round"
    )
    parser.add_argument("--links-parallel", type=int, default=16, help="hosts at a time, same")
    parser.add_argument(
        "--checker-runs",
        nargs="+",
        default=link_checker.RUNS,
        help="link_checker.py's budget:parallel:URLs-per-host runs (default: %(default)s)",
    )
    parser.add_argument("--port", type=int, default=link_checker.PORT)
    parser.add_argument(
        "--ini",
        default=str(TEST_INI),
        help="CKAN config whose database and Solr core are WIPED (default: the tests')",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    if args.child:
        mode, argument = args.child
        print(json.dumps(with_app(lambda: CHILDREN[mode](argument))))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # so servers are stopped
    parts = args.part or PARTS
    load_before = os.getloadavg()[1]
    hosts = link_checker.addresses(port=args.port)
    started = time.perf_counter()
    if not args.keep:
        print(f"Generating {args.datasets} datasets with {args.ini} (wiped)…", file=sys.stderr)
        with_app(lambda: generate(args.datasets, hosts))
    generated = time.perf_counter() - started
    figures: dict[str, Any] = {}
    with link_checker.LoopbackHosts(port=args.port) as loopback:
        if "score" in parts:
            figures["validate"] = run_child(args.ini, "validate", str(args.datasets))
            figures["score"] = run_child(args.ini, "score", str(args.datasets))
        if "links" in parts:
            settings = {
                "datasets": args.datasets,
                "hosts": loopback.keys,
                "budget": args.links_budget,
                "parallel": args.links_parallel,
            }
            loopback.reset()
            round_figures = loopback.progress(
                lambda: run_child(args.ini, "links", json.dumps(settings)),
                None,
                "jobs.check_links, requests received",
            )
            figures["links"] = {
                **round_figures,
                "budget": args.links_budget,
                "parallel": args.links_parallel,
                "server": link_checker.server_figures(loopback.stats()),
            }
            figures["rescore"] = run_child(args.ini, "rescore", str(args.datasets))
        if "checker" in parts:
            redis = link_checker.redis_client(args.ini)
            figures["checker"] = [
                link_checker.check(loopback, redis, *(int(p) for p in run.split(":")))
                for run in args.checker_runs
            ]
    if "pages" in parts:
        overview = run_child(args.ini, "overview", "20")
        largest, median = overview["largest"][0], overview["median"][0]
        paths = [
            "/transparency",
            "/transparency.json",
            "/transparency.csv",
            f"/organization/{largest}/quality",
            f"/organization/{median}/quality",
        ]
        server = WebServer("transparency", Path(args.ini).resolve())
        try:
            server.wait()
            pages = time_pages(server, paths)
        finally:
            server.stop()
        figures["pages"] = (pages, overview, server)

    print(
        f"\nMachine: {machine()}; load average (5 min) {load_before:.1f} at the start, "
        f"{os.getloadavg()[1]:.1f} at the end"
    )
    if not args.keep:
        print(f"Generation (562 authorities, {args.datasets} datasets): {generated:.0f} s")
    if "validate" in figures or "links" in figures:
        print_scoring(figures)
    if "pages" in figures:
        print_pages(*figures["pages"])
        _, overview, _ = figures["pages"]
        print(
            f"Scorecards: {overview['largest'][0]} ({overview['largest'][1]} datasets, the "
            f"largest), {overview['median'][0]} ({overview['median'][1]}, the median publisher)"
        )
    if "checker" in figures:
        print("\nThe link checker alone (quality.links.check_round), 50 loopback hosts:")
        link_checker.print_figures(figures["checker"])


if __name__ == "__main__":
    main()
