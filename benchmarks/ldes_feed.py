"""Benchmark: a whole LDES feed shaped like data.gov.be's, read by the DCAT adapter.

Generates (into a temporary directory, page by page) a feed of N pages in
data.gov.be's shape: one named graph per member, datasets first, then their
distributions (shuffled over the pages after them), then the agents naming their
publishers on the last pages; ``tree:relation`` from each page to the next. Then, each
in a child process of its own (its peak RSS is its own), ``DcatAdapter.records()`` over
the whole feed into a member store on disk:
  1. a first harvest (every page read, every dataset described across its members);
  2. an unchanged re-harvest with the store and memory the first one left;
the first harvest also at a tenth of the size, to show that memory does not grow with
the feed. Pages are read from the files by an in-process HTTP stand-in, so the figures
are the adapter's (parsing, store, descriptions), not the network's.
Targets (issue 13): memory flat whatever the feed's size; an unchanged re-harvest as
fast as before the store (then: every page asked again, 304s or parses).

    .venv/bin/python benchmarks/ldes_feed.py [--pages 950 --datasets 18000 --distributions 75000]
(no services needed).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE = "https://ldes.example.be/root"
EU = "http://publications.europa.eu/resource/authority"
DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
AS, TREE = "https://www.w3.org/ns/activitystreams#", "https://w3id.org/tree#"
FOAF, VCARD = "http://xmlns.com/foaf/0.1/", "http://www.w3.org/2006/vcard/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
AGENTS = 400
WORDS = ["budget", "arbres", "écoles", "parkings", "collectes", "subsides", "marchés", "voiries"]


def page_url(n: int, base: str = BASE) -> str:
    return f"{base}/page_{n}/index.trig"


def members(datasets: int, distributions: int, seed: int = 13, base: str = BASE):
    """The feed's members in order: (subject, TriG statements about it)."""
    rng = random.Random(seed)
    # Each dataset's distributions (at least one), then the distributions shuffled.
    counts = [1] * datasets
    for _ in range(distributions - datasets):
        counts[rng.randrange(datasets)] += 1
    owner = [d for d, k in enumerate(counts) for _ in range(k)]
    dist_ids, start = [], 0
    for k in counts:
        dist_ids.append(range(start, start + k))
        start += k
    for d in range(datasets):
        word = WORDS[d % len(WORDS)]
        links = ", ".join(f"<{base}/dist/{i}>" for i in dist_ids[d])
        description = f"Les données {word} de la commune, mises à jour chaque année. " * 40
        yield (
            f"{base}/dataset/{d}",
            f"<{base}/dataset/{d}> a <{DCAT}Dataset>;\n"
            f'  <{DCT}identifier> "ds-{d}";\n'
            f'  <{DCT}title> "{word.capitalize()} n°{d}"@fr, "{word} nr. {d}"@nl;\n'
            f'  <{DCT}description> "{description}"@fr, "{description}"@nl;\n'
            f'  <{DCT}modified> "2024-10-25T00:00:00.000Z"^^<{XSD}dateTime>;\n'
            f"  <{DCT}publisher> <{base}/agent/{d % AGENTS}>;\n"
            f'  <{DCAT}keyword> "{word}"@fr, "{word}"@nl;\n'
            f"  <{DCAT}theme> <{EU}/data-theme/ENVI>;\n"
            f"  <{DCAT}landingPage> <https://portal.example.be/dataset/{d}>;\n"
            f"  <{DCAT}distribution> {links};\n"
            f"  <{DCAT}contactPoint> _:c{d}.\n"
            f'_:c{d} a <{VCARD}Kind>; <{VCARD}fn> "Service {word}"@fr;'
            f" <{VCARD}hasEmail> <mailto:data{d % 97}@commune.example>.\n",
        )
    order = list(range(distributions))
    rng.shuffle(order)
    for i in order:
        fmt = rng.choice(["CSV", "JSON", "GEOJSON", "XLSX", "SHP", "KML"])
        yield (
            f"{base}/dist/{i}",
            f"<{base}/dist/{i}> a <{DCAT}Distribution>;\n"
            f'  <{DCT}title> "Export {fmt} du jeu {owner[i]}"@fr;\n'
            f"  <{DCAT}mediaType> <https://www.iana.org/assignments/media-types/text/csv>;\n"
            f"  <{DCT}format> <{EU}/file-type/{fmt}>;\n"
            f"  <{DCAT}accessURL> <https://portal.example.be/dataset/{owner[i]}>;\n"
            f"  <{DCAT}downloadURL> <https://portal.example.be/exports/{i}.{fmt.lower()}>;\n"
            f"  <{DCT}license> <{EU}/licence/CC_BY_4_0>.\n",
        )
    for a in range(AGENTS):
        yield (
            f"{base}/agent/{a}",
            f"<{base}/agent/{a}> a <{FOAF}Agent>, <{FOAF}Organization>;\n"
            f'  <{FOAF}name> "Commune {a}"@fr, "Gemeente {a}"@nl.\n',
        )


def generate(
    directory: Path, pages: int, datasets: int, distributions: int, base: str = BASE
) -> int:
    """Write the feed's pages, its IRIs under ``base``; their total size in bytes."""
    total = datasets + distributions + AGENTS
    per_page = -(-total // pages)
    stream, size, clock = members(datasets, distributions, base=base), 0, 0
    for n in range(1, pages + 1):
        out = [f"<index.trig> a <{TREE}Node>.\n"]
        for _ in range(per_page):
            member = next(stream, None)
            if member is None:
                break
            subject, body = member
            clock += 1
            event = f"<#m{clock}>"
            out.append(
                f"<../../index.trig> <{TREE}member> {event}.\n"
                f"{event} a <{AS}Create>; <{AS}object> <{subject}>;\n"
                f'  <{AS}published> "2025-02-06T18:{clock // 6000 % 60:02d}:'
                f'{clock // 100 % 60:02d}.{clock % 100:03d}Z"^^<{XSD}dateTime>.\n'
                f"{event} {{\n{body}}}\n"
            )
        if n < pages:
            out.append(
                f"<index.trig> <{TREE}relation> _:r.\n_:r a <{TREE}Relation>;"
                f" <{TREE}node> <../page_{n + 1}/index.trig>.\n"
            )
        body = "".join(out).encode("utf-8")
        (directory / f"page_{n}.trig").write_bytes(body)
        size += len(body)
    return size


class FileHttp:
    """The feed's pages from their files, answered like an HTTP server would."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.requests = 0

    def get(self, url, *, params=None, headers=None, conditional=False):
        from requests.structures import CaseInsensitiveDict

        from harvesters.http import Response

        self.requests += 1
        name = url.removeprefix(BASE + "/").split("/")[0] + ".trig"
        body = (self.directory / name).read_bytes()
        return Response(url, 200, body, CaseInsensitiveDict({"Content-Type": "application/trig"}))


def child(directory: Path, store: Path, memory_file: Path) -> None:
    """One harvest's reading of the feed: figures as JSON on stdout."""
    from harvesters.dcat import DcatAdapter

    memory = json.loads(memory_file.read_text()) if memory_file.exists() else {}
    http = FileHttp(directory)
    adapter = DcatAdapter(page_url(1), http, {"store_dir": str(store)}, memory=memory)
    started = time.perf_counter()
    records = with_payload = complete = 0
    for record in adapter.records():
        records += 1
        if record.payload is None:
            continue
        with_payload += 1
        links = record.payload.count(f"<{DCAT}distribution>")
        described = record.payload.count(f"<{DCAT}downloadURL>")
        complete += bool(links) and links == described
    seconds = time.perf_counter() - started
    memory_file.write_text(json.dumps(memory))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    store_mb = sum(f.stat().st_size for f in store.iterdir()) / 2**20
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": peak,
                "records": records,
                "with_payload": with_payload,
                "complete": complete,
                "requests": http.requests,
                "store_mb": store_mb,
            }
        )
    )


def run(directory: Path, store: Path, memory_file: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(directory), str(store), str(memory_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=950)
    parser.add_argument("--datasets", type=int, default=18000)
    parser.add_argument("--distributions", type=int, default=75000)
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    rows = []
    for scale in (0.1, 1.0):
        pages, datasets = int(args.pages * scale), int(args.datasets * scale)
        distributions = int(args.distributions * scale)
        with tempfile.TemporaryDirectory(prefix="ldes-bench-") as tmp:
            feed, store, memory = Path(tmp, "feed"), Path(tmp, "store"), Path(tmp, "memory.json")
            feed.mkdir()
            size = generate(feed, pages, datasets, distributions)
            label = f"{pages} pages, {datasets:,} datasets, {distributions:,} distributions"
            print(f"{label}: {size / 2**20:.0f} MB of TriG", flush=True)
            for harvest in ("first harvest", "unchanged re-harvest"):
                figures = run(feed, store, memory)
                rows.append((label, harvest, figures))
                print(f"  {harvest}: {json.dumps(figures)}", flush=True)
    print(
        "\n| feed | harvest | seconds (CPU) | peak RSS | pages read | datasets with payload |"
        " …with all their distributions | store |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, harvest, f in rows:
        print(
            f"| {label} | {harvest} | {f['seconds']:.1f} ({f['cpu_seconds']:.1f}) |"
            f" {f['peak_mb']:.0f} MB |"
            f" {f['requests']} | {f['with_payload']:,} of {f['records']:,} |"
            f" {f['complete']:,} | {f['store_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
