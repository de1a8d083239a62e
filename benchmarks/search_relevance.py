"""Benchmark: search relevance over the demo catalogue, ours beside stock CKAN's.

Runs every query of tests/search/relevance.json twice on the same Solr index:
  - ours: ``package_search`` as a visitor reading the query's language (``ext_lang``),
    through the wepulse_search plugin (edismax over the per-language fields);
  - stock: the query CKAN sends without plugins (dismax on ``name title tags groups
    text``, CKAN's defaults), through ckan.lib.search directly.
and prints recall@10 (share of the expected datasets in the first ten) and MRR@10 (mean
of 1/rank of the first expected dataset; 0 when none is in the first ten), overall, per
language and per kind of query, then the queries ours still misses.

    .venv/bin/python benchmarks/search_relevance.py
(after `scripts/portal up`, which seeds and harvests the demo catalogue; reads the
portal's index and changes nothing; ``--ini`` for another configuration).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RELEVANCE = ROOT / "tests" / "search" / "relevance.json"
ROWS = 10


def ours(q: str, lang: str) -> list[str]:
    import ckan.plugins.toolkit as tk

    found = tk.get_action("package_search")({}, {"q": q, "rows": ROWS, "ext_lang": lang})
    return [d["name"] for d in found["results"]]


def stock(q: str, lang: str) -> list[str]:
    from ckan import model
    from ckan.lib.search import query_for

    # What package_search sends for an anonymous visitor, minus the plugins' changes.
    query = {"q": q, "rows": ROWS, "fl": "name", "fq": "+dataset_type:dataset"}
    result = query_for(model.Package).run(query, permission_labels=["public"])
    return [d if isinstance(d, str) else d["name"] for d in result["results"]]


def scores(expect: list[str], found: list[str]) -> tuple[float, float, int | None]:
    """(recall@10, reciprocal rank, rank of the first expected or None)."""
    top = found[:ROWS]
    recall = len(set(expect) & set(top)) / len(expect)
    rank = next((i for i, name in enumerate(top, 1) if name in expect), None)
    return recall, (1 / rank if rank else 0.0), rank


def evaluate(queries: list[dict]) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {"ours": [], "stock": []}
    for case in queries:
        for engine, search in (("ours", ours), ("stock", stock)):
            found = search(case["q"], case["lang"])
            recall, rr, rank = scores(case["expect"], found)
            results[engine].append({**case, "recall": recall, "rr": rr, "rank": rank, "top": found})
    return results


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def print_report(results: dict[str, list[dict]]) -> None:
    def groups(key: str | None) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for i, case in enumerate(results["ours"]):
            found["all" if key is None else case[key]].append(i)
        return found

    header = (
        f"{'':24} {'queries':>7} | {'recall@10':>9} {'MRR@10':>7} | {'recall@10':>9} {'MRR@10':>7}"
    )
    print(f"{'':34}| {'ours':^18}| {'stock CKAN':^18}")
    print(header)
    print("-" * len(header))
    for key in (None, "lang", "kind"):
        for name, indexes in sorted(groups(key).items()):
            row = [f"{(key or '') + (' ' if key else '') + name:24} {len(indexes):7}"]
            for engine in ("ours", "stock"):
                cases = [results[engine][i] for i in indexes]
                recall, rr = mean([c["recall"] for c in cases]), mean([c["rr"] for c in cases])
                row.append(f"{recall:9.3f} {rr:7.3f}")
            print(" | ".join(row))
        print("-" * len(header))

    misses = [c for c in results["ours"] if c["rank"] != 1]
    print(f"\nQueries whose first result is not an expected dataset (ours): {len(misses)}")
    for case in misses:
        rank = case["rank"] or "-"
        print(
            f"  [{case['lang']}] {case['q']!r} ({case['kind']}): first expected at {rank}; "
            f"top: {', '.join(case['top'][:3]) or '(nothing)'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "ckan.ini"))
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini

    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    queries = json.loads(RELEVANCE.read_text(encoding="utf-8"))["queries"]
    app = make_app(CKANConfigLoader(args.ini).get_config())
    with app._wsgi_app.test_request_context():
        results = evaluate(queries)
    print(f"{len(queries)} queries of {RELEVANCE.relative_to(ROOT)}, index of {args.ini}\n")
    print_report(results)


if __name__ == "__main__":
    main()
