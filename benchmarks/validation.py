"""Benchmark: the validation job (issue 17) — each dataset's DCAT-AP graph, its stored
Turtle and N-Triples, its SHACL validation, its score and its facets indexed again —
today's job per dataset beside the batch job.

Generates N datasets (transparency.py's generator: multilingual, 1–3 distributions, the
562 authorities of Brussels and Wallonia) in the ini's database (WIPES it). Then, in one
run, each step in a child process of its own and from scratch (no stored text,
validation, score or link row, as after a first harvest):
  1. the anchor: the job as it was at ANCHOR (that commit's code, from git),
     ``validate_dataset`` on each of a sample of datasets;
  2. ``validate_datasets`` on the datasets in batches of 100 (what a harvest queues),
     in one process, with the time of each part;
  3. the same batches queued and consumed by 1, then 2 ``ckan jobs worker`` processes.
Target (issue 17): >= 100 datasets/s per worker.

    .venv/bin/python benchmarks/validation.py --ini var/valid.ini --datasets 2000  # WIPES it
    .venv/bin/python benchmarks/validation.py --ini var/valid.ini --datasets 2000 --keep
(after `scripts/portal up` or `test` has started the services.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import link_checker  # noqa: E402 - the generated datasets' URLs
import transparency  # noqa: E402 - the generator and the app

# The last commit with the per-dataset job (2 or 3 package_show, the N-Triples parsed
# again to score, a commit per row, two Solr commits per dataset).
ANCHOR = "f34c87bc42a4b67eb7ca5c370e0f3d45c04f4ca9"
BATCH = 100  # datasets per job, as a harvest queues them
QUEUE = "wepulse-benchmark-validation"

# (label, module, attribute) of the parts timed in each path; a part's time includes
# the parts under it, "of which" below.
ANCHOR_PARTS = [
    ("package_show", "ckan.logic", "package_show"),
    ("graph building (ckanext-dcat chain)", "ckanext.wepulse.dcat_ap.dataset_rdf", "dataset_graph"),
    ("serialising (Turtle + N-Triples)", "ckanext.wepulse.dcat_ap.dataset_rdf", "serialise"),
    ("pyshacl", "ckanext.wepulse.dcat_ap.dataset_rdf", "validate_graph"),
    ("storing text and result (commit each)", "ckanext.wepulse.model.DatasetRdf", "save"),
    ("storing text and result (commit each)", "ckanext.wepulse.model.DatasetValidation", "save"),
    ("parsing the stored N-Triples again", "ckanext.wepulse.quality.scoring", "_graph"),
    ("links synced", "ckanext.wepulse.quality.scoring", "_sync_links"),
    ("MQA score", "ckanext.wepulse.quality.mqa", "score_graph"),
    ("DQV measurements serialised", "ckanext.wepulse.quality.dqv", "serialise_measurements"),
    ("reindexing (search.rebuild each)", "ckanext.wepulse.quality.scoring", "_reindex"),
]
BATCH_PARTS = [
    ("package_show", "ckanext.wepulse.jobs", "_show"),
    ("graph building (ckanext-dcat chain)", "ckanext.wepulse.dcat_ap.dataset_rdf", "dataset_graph"),
    (
        "… of which EuropeanDCATAP3Profile",
        "ckanext.dcat.profiles.EuropeanDCATAP3Profile",
        "graph_from_dataset",
    ),
    (
        "… of which WepulseDCATAPProfile",
        "ckanext.wepulse.dcat_ap.profile.WepulseDCATAPProfile",
        "graph_from_dataset",
    ),
    ("serialising (Turtle + N-Triples)", "ckanext.wepulse.dcat_ap.dataset_rdf", "serialise"),
    ("shared nodes, what pyshacl may see", "ckanext.wepulse.dcat_ap.validation", "_partition"),
    ("pyshacl (union of a chunk)", "ckanext.wepulse.dcat_ap.validation", "_validate"),
    (
        "… of which its set-up (shapes read)",
        "pyshacl.shapes_graph.ShapesGraph",
        "_build_node_shape_cache",
    ),
    ("storing text and results (upserts)", "ckanext.wepulse.dcat_ap.dataset_rdf", "upsert"),
    ("storing scores (upsert)", "ckanext.wepulse.quality.scoring", "upsert"),
    ("links synced (one query, one insert)", "ckanext.wepulse.quality.scoring", "_sync_links"),
    ("MQA score", "ckanext.wepulse.quality.mqa", "score_graph"),
    ("DQV measurements serialised", "ckanext.wepulse.quality.dqv", "serialise_measurements"),
    ("reindexing (index_datasets, once a batch)", "ckanext.wepulse.quality.scoring", "_reindex"),
]


# -- the steps, each in a child process (prints its figures as JSON, last) -------------


def forget() -> None:
    """No stored text, validation, score or link row: every dataset as after a harvest."""
    from ckan import model

    from ckanext.wepulse.model import DatasetRdf, DatasetValidation

    for table in (DatasetRdf, DatasetValidation):
        model.Session.query(table).delete()
    model.Session.commit()
    transparency.forget_scores()


def time_parts(parts: list[tuple[str, str, str]]) -> dict[str, float]:
    """Wrap each part to add its seconds to the returned dict (by label)."""
    import importlib

    import ckan.logic

    spent: dict[str, float] = {}
    for label, where, name in parts:
        if where == "ckan.logic":  # an action: wrap what get_action hands out
            ckan.logic.get_action(name)
            ckan.logic._actions[name] = _wrapped(ckan.logic._actions[name], label, spent)
            continue
        try:
            target = importlib.import_module(where)
        except ModuleNotFoundError:  # a class: module path, then the class
            module_name, _, class_name = where.rpartition(".")
            target = getattr(importlib.import_module(module_name), class_name)
        original = getattr(target, name)
        setattr(target, name, _wrapped(original, label, spent))
    return spent


def _wrapped(original: Any, label: str, spent: dict[str, float]) -> Any:
    import functools

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

    return wrapper


def child_anchor(argument: str) -> dict[str, Any]:
    """The anchor's ``validate_dataset`` (this process runs ANCHOR's code) on a sample."""
    count, sample = (int(n) for n in argument.split(","))
    ids = transparency.dataset_ids(count)[:: max(1, count // sample)][:sample]
    forget()
    spent = time_parts(ANCHOR_PARTS)
    from ckanext.wepulse import jobs

    assert not jobs.__file__.startswith(str(ROOT)), "the anchor runs ANCHOR's code"
    started, cpu = time.perf_counter(), time.process_time()
    for package_id in ids:
        jobs.validate_dataset(package_id)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    transparency.clear_queues()
    return {"datasets": len(ids), "seconds": seconds, "cpu": cpu, "parts": spent}


def child_batch(count: str) -> dict[str, Any]:
    """``validate_datasets`` on every dataset, ``BATCH`` at a time, in this process."""
    from ckan import model

    from ckanext.wepulse import jobs
    from ckanext.wepulse.quality.model import DatasetQuality

    ids = transparency.dataset_ids(int(count))
    forget()
    spent = time_parts(BATCH_PARTS)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(ids), BATCH):
        jobs.validate_datasets(ids[start : start + BATCH])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    transparency.clear_queues()
    return {
        "datasets": len(ids),
        "seconds": seconds,
        "cpu": cpu,
        "parts": spent,
        "scored": model.Session.query(DatasetQuality).count(),
    }


def child_queue(count: str) -> dict[str, Any]:
    """Queue every dataset's validation, ``BATCH`` a job, for the workers."""
    import ckan.plugins.toolkit as tk

    from ckanext.wepulse import jobs

    ids = transparency.dataset_ids(int(count))
    forget()
    tk.get_action("job_clear")({"ignore_auth": True}, {"queues": [QUEUE]})
    for start in range(0, len(ids), BATCH):
        tk.enqueue_job(jobs.validate_datasets, [ids[start : start + BATCH]], queue=QUEUE)
    return {"jobs": len(range(0, len(ids), BATCH))}


def child_count(_argument: str) -> dict[str, Any]:
    from ckan import model

    from ckanext.wepulse.model import DatasetRdf, DatasetValidation
    from ckanext.wepulse.quality.model import DatasetQuality

    transparency.clear_queues()
    return {
        table.__name__: model.Session.query(table).count()
        for table in (DatasetRdf, DatasetValidation, DatasetQuality)
    }


CHILDREN = {
    "anchor": child_anchor,
    "batch": child_batch,
    "queue": child_queue,
    "count": child_count,
}


def run_child(ini: str, mode: str, argument: str, pythonpath: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath:  # the anchor's code first
        env["PYTHONPATH"] = pythonpath
    child = subprocess.run(
        [sys.executable, __file__, "--ini", ini, "--child", mode, argument],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    if child.returncode != 0:
        sys.exit(f"{mode} failed (see above)")
    return json.loads(child.stdout.strip().splitlines()[-1])


def anchor_code(folder: str) -> str:
    """ANCHOR's extension and harvesters, checked out into ``folder``; its PYTHONPATH."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ANCHOR, "ckanext-wepulse/ckanext", "harvesters"],
        stdout=subprocess.PIPE,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return f"{folder}/ckanext-wepulse:{folder}"


def workers(ini: str, count: int, processes: int) -> dict[str, Any]:
    """The batches queued, then consumed by ``processes`` ``ckan jobs worker --burst``."""
    queued = run_child(ini, "queue", str(count))
    ckan = str(Path(sys.executable).parent / "ckan")
    started, cpu = time.perf_counter(), _children_cpu()
    running = [
        subprocess.Popen(
            [ckan, "-c", ini, "jobs", "worker", "--burst", QUEUE], stderr=subprocess.DEVNULL
        )
        for _ in range(processes)
    ]
    for worker in running:
        worker.wait()
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    return {
        "datasets": count,
        "seconds": seconds,
        "cpu": cpu,
        **queued,
        **run_child(ini, "count", ""),
    }


def _children_cpu() -> float:
    """CPU seconds of the child processes that ended (the workers and their jobs)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


# -- the report ----------------------------------------------------------------------


def print_figures(
    anchor: dict[str, Any], batch: dict[str, Any], queued: list[dict[str, Any]]
) -> None:
    def row(label: str, found: dict[str, Any], processes: int = 1) -> str:
        rate = found["datasets"] / found["seconds"]
        return (
            f"| {label} | {found['datasets']:,} | {found['seconds']:.1f} | "
            f"**{rate / processes:.1f}** | {1000 * found['seconds'] / found['datasets']:.1f} | "
            f"{1000 * found['cpu'] / found['datasets']:.1f} |"
        )

    print("\n| path | datasets | seconds | datasets/s per worker | ms each | CPU ms each |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row(f"today's job: `validate_dataset` per dataset (code at {ANCHOR[:7]})", anchor))
    print(row(f"batch job: `validate_datasets`, {BATCH} a batch, in one process", batch))
    for found, processes in queued:
        print(
            row(
                f"batch job: {processes} `ckan jobs worker` consuming {found['jobs']} batches",
                found,
                processes,
            )
        )
    print("\nms per dataset, by part (a part's time includes those under it):\n")
    print("| part | today's job | batch job |")
    print("|---|---:|---:|")
    labels = list(dict.fromkeys(label for label, _, _ in ANCHOR_PARTS + BATCH_PARTS))
    for label in labels:
        cells = [
            f"{1000 * found['parts'][label] / found['datasets']:.1f}"
            if label in found["parts"]
            else "—"
            for found in (anchor, batch)
        ]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    cells = [f"{1000 * found['seconds'] / found['datasets']:.1f}" for found in (anchor, batch)]
    print(f"| **the whole job** | {cells[0]} | {cells[1]} |")
    for found, processes in queued:
        stored = {k: v for k, v in found.items() if k.startswith("Dataset")}
        print(f"\n{processes} worker(s) stored: {stored}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=200, help="datasets the anchor validates")
    parser.add_argument("--keep", action="store_true", help="reuse the datasets already generated")
    parser.add_argument(
        "--ini", default=str(transparency.TEST_INI), help="CKAN config whose database is WIPED"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    if args.child:
        mode, argument = args.child
        print(json.dumps(transparency.with_app(lambda: CHILDREN[mode](argument))))
        return
    if not args.keep:
        print(f"Generating {args.datasets} datasets with {args.ini}…", file=sys.stderr)
        transparency.with_app(
            lambda: transparency.generate(args.datasets, link_checker.addresses())
        )
    with tempfile.TemporaryDirectory() as folder:
        anchor = run_child(
            args.ini, "anchor", f"{args.datasets},{args.sample}", anchor_code(folder)
        )
    print(f"anchor: {anchor['datasets'] / anchor['seconds']:.1f} datasets/s", file=sys.stderr)
    batch = run_child(args.ini, "batch", str(args.datasets))
    print(f"batch: {batch['datasets'] / batch['seconds']:.1f} datasets/s", file=sys.stderr)
    queued = []
    for processes in (1, 2):
        queued.append((workers(args.ini, args.datasets, processes), processes))
        print(f"{processes} worker(s): {queued[-1][0]['seconds']:.1f} s", file=sys.stderr)
    print_figures(anchor, batch, queued)


if __name__ == "__main__":
    main()
