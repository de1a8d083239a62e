"""Keep datasets' stored scores current.

After a change (the validation job has just stored their DCAT-AP text and SHACL result),
``refresh`` scores a batch of datasets from their DCAT-AP graphs, brings their lists of
links to check in line with their distributions' URLs, and assesses their freshness. After
a link-check round, ``rescore`` only redoes the MQA with the new verdicts. Datasets whose
band or freshness changed are indexed again, for the search facets, in one request.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from rdflib import Graph
from rdflib.namespace import DCAT
from sqlalchemy.dialects.postgresql import insert

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.model import DatasetRdf, DatasetValidation, upsert
from ckanext.wepulse.quality import dqv, freshness, mqa
from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck
from ckanext.wepulse.search.bulk import index_datasets
from ckanext.wepulse.seeding import site_context
from harvesters.http import Refused, host_key

__all__ = ["dataset_urls", "refresh", "refresh_freshness", "rescore"]

log = logging.getLogger(__name__)


def refresh(
    datasets: list[dict[str, Any]],
    graphs: Sequence[Graph | None] | None = None,
    now: datetime.datetime | None = None,
) -> list[DatasetQuality]:
    """Score ``datasets`` (as package_show gives them) and sync their links; returns
    their rows. ``graphs`` are their DCAT-AP graphs when the caller has just built them
    (else the stored text's, or made now). One commit.

    A new URL is checked soon: one link round is queued for the datasets that have one."""
    now = now or datetime.datetime.utcnow()
    graphs = [
        _graph(dataset["id"], dataset) if graph is None else graph
        for dataset, graph in zip(datasets, graphs or [None] * len(datasets), strict=True)
    ]
    verdicts, new_links = _sync_links(datasets, graphs, now)
    rows = _save(
        [
            (
                dataset["id"],
                dataset.get("owner_org"),
                graph,
                freshness.assess(dataset.get("frequency"), freshness.last_change(dataset), now),
            )
            for dataset, graph in zip(datasets, graphs, strict=True)
        ],
        verdicts,
        now,
    )
    if new_links:
        # Imported here: the jobs score again after a round, so they import this module.
        from ckanext.wepulse.quality.jobs import queue_link_check

        queue_link_check(new_links)
    return rows


def rescore(package_id: str, now: datetime.datetime | None = None) -> DatasetQuality | None:
    """Score again after its links' verdicts changed (its metadata did not)."""
    now = now or datetime.datetime.utcnow()
    row = DatasetQuality.get(package_id)
    if row is None:
        return _refresh_by_id(package_id, now)
    fresh = freshness.Freshness(row.freshness, row.frequency, row.last_change, row.due)
    verdicts = {link.url: link.works for link in LinkCheck.for_package(package_id)}
    [row] = _save(
        [(package_id, row.owner_org, _graph(package_id), fresh)], {package_id: verdicts}, now
    )
    return row


def refresh_freshness(now: datetime.datetime | None = None) -> int:
    """Assess every scored dataset's freshness again (the daily run): time alone
    makes a dataset late. Returns how many changed."""
    now = now or datetime.datetime.utcnow()
    changed = []
    for row in model.Session.query(DatasetQuality).yield_per(500):
        fresh = freshness.assess(row.frequency, row.last_change, now)
        if fresh.status != row.freshness:
            row.freshness, row.due = fresh.status, fresh.due
            changed.append(row.package_id)
    model.Session.commit()
    _reindex(changed)
    return len(changed)


def dataset_urls(graph: Graph) -> list[str]:
    """Every access and download URL of the graph's dataset's distributions."""
    dataset = mqa.dataset_subject(graph)
    urls = {
        str(url)
        for distribution in graph.objects(dataset, DCAT.distribution)
        for predicate in (DCAT.accessURL, DCAT.downloadURL)
        for url in graph.objects(distribution, predicate)
    }
    return sorted(urls)


def _refresh_by_id(package_id: str, now: datetime.datetime) -> DatasetQuality | None:
    try:
        dataset = tk.get_action("package_show")(site_context(), {"id": package_id})
    except tk.ObjectNotFound:
        return None
    [row] = refresh([dataset], now=now)
    return row


def _graph(package_id: str, dataset: dict[str, Any] | None = None) -> Graph:
    """The dataset's DCAT-AP as the validation job stored it (what the dump publishes),
    or made now when it has none yet."""
    stored = model.Session.get(DatasetRdf, package_id)
    graph = Graph()
    if stored is not None and (
        dataset is None
        or stored.source_modified == datetime.datetime.fromisoformat(dataset["metadata_modified"])
    ):
        graph.parse(data=stored.ntriples, format="nt11")
        return graph
    if dataset is None:
        dataset = tk.get_action("package_show")(site_context(), {"id": package_id})
    return dataset_rdf.dataset_graph(dataset)


def _sync_links(
    datasets: list[dict[str, Any]], graphs: list[Graph], now: datetime.datetime
) -> tuple[dict[str, dict[str, bool | None]], list[str]]:
    """Make the datasets' link rows their URLs. Returns each dataset's verdict by URL
    (None: not checked yet) and the datasets that have a new URL (check it soon)."""
    ids = [dataset["id"] for dataset in datasets]
    stored: dict[str, dict[str, LinkCheck]] = defaultdict(dict)
    for row in model.Session.query(LinkCheck).filter(LinkCheck.package_id.in_(ids)):
        stored[row.package_id][row.url] = row
    verdicts, new = {}, []
    for dataset, graph in zip(datasets, graphs, strict=True):
        urls, rows = set(dataset_urls(graph)), stored[dataset["id"]]
        for url, row in rows.items():
            if url not in urls:
                model.Session.delete(row)
            else:
                row.owner_org = dataset.get("owner_org")
        verdicts[dataset["id"]] = {url: rows[url].works if url in rows else None for url in urls}
        new.extend(
            {
                "package_id": dataset["id"],
                "url_hash": LinkCheck.hash(url),
                "url": url,
                "owner_org": dataset.get("owner_org"),
                "host": _host(url),
                "status": "not_checked",
                "next_check": now,
            }
            for url in sorted(urls - rows.keys())
        )
    if new:
        # ON CONFLICT: a second job scoring the same dataset at the same time adds them too.
        model.Session.execute(insert(LinkCheck).values(new).on_conflict_do_nothing())
    return verdicts, sorted({row["package_id"] for row in new})


def _host(url: str) -> str:
    """The link's host:port (the checker's politeness key); "" for a URL the guard
    refuses on sight, which the checker records as refused."""
    try:
        return host_key(url)
    except Refused:
        return ""


def _save(
    scored: list[tuple[str, str | None, Graph, freshness.Freshness]],
    verdicts: dict[str, dict[str, bool | None]],
    now: datetime.datetime,
) -> list[DatasetQuality]:
    """Score and store the datasets (one commit), then index again those whose band or
    freshness changed."""
    ids = [package_id for package_id, *_ in scored]
    compliant = dict(
        model.Session.query(DatasetValidation.package_id, DatasetValidation.conforms).filter(
            DatasetValidation.package_id.in_(ids),
            DatasetValidation.profile == dataset_rdf.CATALOGUE_PROFILE,
        )
    )
    facets_before = {
        package_id: (band, fresh)
        for package_id, band, fresh in model.Session.query(
            DatasetQuality.package_id, DatasetQuality.band, DatasetQuality.freshness
        ).filter(DatasetQuality.package_id.in_(ids))
    }
    rows = []
    for package_id, owner_org, graph, fresh in scored:
        subject = mqa.dataset_subject(graph)
        score = mqa.score_graph(graph, subject, compliant.get(package_id), verdicts[package_id])
        dqv_turtle, dqv_ntriples = dqv.serialise_measurements(subject, score.as_dict())
        rows.append(
            DatasetQuality(
                package_id=package_id,
                owner_org=owner_org,
                score=score.total,
                band=score.band,
                pending=score.pending,
                dimensions=score.dimensions(),
                indicators=[m.as_dict() for m in score.measures],
                freshness=fresh.status,
                frequency=fresh.frequency,
                last_change=fresh.last_change,
                due=fresh.due,
                computed_at=now,
                dqv_turtle=dqv_turtle,
                dqv_ntriples=dqv_ntriples,
            )
        )
    upsert(rows)
    model.Session.commit()
    _reindex(
        [r.package_id for r in rows if facets_before.get(r.package_id) != (r.band, r.freshness)]
    )
    return rows


def _reindex(package_ids: list[str]) -> None:
    """The search facets read the stored band and freshness: index the datasets again."""
    if not package_ids:
        return
    try:
        outcome = index_datasets(package_ids)
    except Exception:  # the index catches up at the next change or reindex
        log.exception(
            "Could not index %d datasets again after their scores changed", len(package_ids)
        )
        return
    for package_id, error in outcome.failed.items():
        log.error("Could not index dataset %s again after its score changed: %s", package_id, error)
