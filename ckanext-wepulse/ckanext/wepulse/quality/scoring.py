"""Keep a dataset's stored score current.

After a change (the validation job has just stored its DCAT-AP text and SHACL result),
``refresh`` scores the dataset from that text, brings its list of links to check in
line with its distributions' URLs, and assesses its freshness. After a link-check round,
``rescore`` only redoes the MQA with the new verdicts. A dataset whose band or freshness
changed is indexed again, for the search facets.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search
from rdflib import Graph
from rdflib.namespace import DCAT
from sqlalchemy.dialects.postgresql import insert

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.model import DatasetRdf, DatasetValidation
from ckanext.wepulse.quality import dqv, freshness, mqa
from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck
from ckanext.wepulse.seeding import site_context
from harvesters.http import Refused, host_key

__all__ = ["dataset_urls", "refresh", "refresh_freshness", "rescore"]

log = logging.getLogger(__name__)


def refresh(
    dataset: dict[str, Any], now: datetime.datetime | None = None, check_new_links: bool = True
) -> DatasetQuality:
    """Score ``dataset`` (as package_show gives it) and sync its links; returns the row.

    A new URL is checked soon: a link round is queued for the dataset, unless the
    caller queues one for a whole batch (``check_new_links=False``)."""
    now = now or datetime.datetime.utcnow()
    graph = _graph(dataset["id"], dataset)
    new_links = _sync_links(dataset, graph, now)
    fresh = freshness.assess(dataset.get("frequency"), freshness.last_change(dataset), now)
    row = _save(dataset["id"], dataset.get("owner_org"), graph, fresh, now)
    if new_links and check_new_links:
        # Imported here: the jobs score again after a round, so they import this module.
        from ckanext.wepulse.quality.jobs import queue_link_check

        queue_link_check([dataset["id"]])
    return row


def rescore(package_id: str, now: datetime.datetime | None = None) -> DatasetQuality | None:
    """Score again after its links' verdicts changed (its metadata did not)."""
    now = now or datetime.datetime.utcnow()
    row = DatasetQuality.get(package_id)
    if row is None:
        return _refresh_by_id(package_id, now)
    fresh = freshness.Freshness(row.freshness, row.frequency, row.last_change, row.due)
    return _save(package_id, row.owner_org, _graph(package_id), fresh, now)


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
    for package_id in changed:
        _reindex(package_id)
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
    return refresh(dataset, now)


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


def _compliant(package_id: str) -> bool | None:
    row = model.Session.get(DatasetValidation, (package_id, dataset_rdf.CATALOGUE_PROFILE))
    return None if row is None else bool(row.conforms)


def _sync_links(dataset: dict[str, Any], graph: Graph, now: datetime.datetime) -> bool:
    """Make the dataset's link rows its URLs; True when a URL is new (check it soon)."""
    urls = set(dataset_urls(graph))
    rows = {row.url: row for row in LinkCheck.for_package(dataset["id"])}
    for url, row in rows.items():
        if url not in urls:
            model.Session.delete(row)
        else:
            row.owner_org = dataset.get("owner_org")
    new = sorted(urls - rows.keys())
    if new:
        # ON CONFLICT: a second job scoring the same dataset at the same time adds them too.
        model.Session.execute(
            insert(LinkCheck)
            .values(
                [
                    {
                        "package_id": dataset["id"],
                        "url_hash": LinkCheck.hash(url),
                        "url": url,
                        "owner_org": dataset.get("owner_org"),
                        "host": _host(url),
                        "status": "not_checked",
                        "next_check": now,
                    }
                    for url in new
                ]
            )
            .on_conflict_do_nothing()
        )
    model.Session.commit()
    return bool(new)


def _host(url: str) -> str:
    """The link's host:port (the checker's politeness key); "" for a URL the guard
    refuses on sight, which the checker records as refused."""
    try:
        return host_key(url)
    except Refused:
        return ""


def _save(
    package_id: str,
    owner_org: str | None,
    graph: Graph,
    fresh: freshness.Freshness,
    now: datetime.datetime,
) -> DatasetQuality:
    verdicts = {row.url: row.works for row in LinkCheck.for_package(package_id)}
    subject = mqa.dataset_subject(graph)
    score = mqa.score_graph(graph, subject, _compliant(package_id), verdicts)
    row = DatasetQuality.get(package_id) or DatasetQuality(package_id=package_id)
    facets_before = (row.band, row.freshness)
    row.owner_org = owner_org
    row.score, row.band, row.pending = score.total, score.band, score.pending
    row.dimensions = score.dimensions()
    row.indicators = [m.as_dict() for m in score.measures]
    row.freshness, row.frequency = fresh.status, fresh.frequency
    row.last_change, row.due = fresh.last_change, fresh.due
    row.computed_at = now
    row.dqv_turtle, row.dqv_ntriples = dqv.serialise_measurements(subject, score.as_dict())
    model.Session.add(row)
    model.Session.commit()
    if facets_before != (row.band, row.freshness):
        _reindex(package_id)
    return row


def _reindex(package_id: str) -> None:
    """The search facets read the stored band and freshness: index the dataset again."""
    try:
        search.rebuild(package_id)
    except Exception:  # the index catches up at the next change or reindex
        log.exception("Could not index dataset %s again after its score changed", package_id)
