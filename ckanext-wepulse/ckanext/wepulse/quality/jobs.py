"""The transparency's background work, on CKAN's job queue (RQ on Redis).

Link checks run on a queue of their own (``wepulse-links``, its own worker), so a
round of slow hosts never delays the validation of a changed dataset. Nothing here
schedules itself: ``ckan wepulse quality tick``, run by cron (scripts/portal's runner
loop stands in for it), queues a round when links are due and the daily run once a
day.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import jobs as ckan_jobs
from ckan.lib.redis import connect_to_redis

from ckanext.wepulse.harvest.sources import own_services
from ckanext.wepulse.quality import authorities, links, scoring
from ckanext.wepulse.quality.model import LinkCheck
from harvesters.http import Http

__all__ = ["LINK_QUEUE", "check_links", "daily", "queue_link_check", "tick"]

log = logging.getLogger(__name__)

LINK_QUEUE = "wepulse-links"
BUDGET_PREFIX = "wepulse:links:"
_DAILY_KEY = "wepulse:quality:daily:"


def queue_link_check(package_ids: list[str] | None = None) -> None:
    """Check these datasets' due links soon (all due links when None)."""
    title = "Check links" if package_ids is None else f"Check links of {len(package_ids)} datasets"
    tk.enqueue_job(check_links, [package_ids], title=title, queue=LINK_QUEUE)


def check_links(
    package_ids: list[str] | None = None,
    now: datetime.datetime | None = None,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """One round: check the due links (of ``package_ids`` only, if given), store what
    changed and score again the datasets whose verdicts changed. Returns counts."""
    now = now or datetime.datetime.utcnow()
    query = (
        model.Session.query(LinkCheck)
        .join(model.Package, model.Package.id == LinkCheck.package_id)
        .filter(LinkCheck.next_check <= now, model.Package.state == "active")
    )
    if package_ids is not None:
        query = query.filter(LinkCheck.package_id.in_(package_ids))
    rows = (
        query.order_by(LinkCheck.next_check)
        .limit(tk.config["ckanext.wepulse.links.batch_size"])
        .all()
    )
    by_key = {f"{row.package_id} {row.url_hash}": row for row in rows}
    budget = links.HostBudget(
        connect_to_redis(),
        per_minute=tk.config["ckanext.wepulse.links.per_host_per_minute"],
        prefix=BUDGET_PREFIX,
        unlimited=own_services(["ckan.site_url"]),  # its own files: no one else to spare
    )
    results = links.check_round(
        [links.Link(key, row.url) for key, row in by_key.items()],
        make_link_http,
        budget,
        deadline=time.time() + tk.config["ckanext.wepulse.links.round_seconds"],
        max_parallel_hosts=tk.config["ckanext.wepulse.links.parallel_hosts"],
        progress=progress,
    )
    counts = {"checked": 0, "changed": 0, "throttled": 0, "postponed": 0}
    rescore = set()
    for key, row in by_key.items():
        outcome = results.get(key)
        if outcome is None:
            counts["postponed"] += 1
            continue
        if isinstance(outcome, links.Throttled):
            counts["throttled"] += 1
            row.next_check = now + datetime.timedelta(seconds=outcome.retry_after)
            continue
        counts["checked"] += 1
        works_before = row.works
        if _record(row, outcome, now):
            counts["changed"] += 1
        if row.works != works_before:
            rescore.add(row.package_id)
    model.Session.commit()
    for package_id in sorted(rescore):
        scoring.rescore(package_id, now)
    log.info("Link check: %s", counts)
    return counts


def make_link_http(**limits: Any) -> Http:
    """The harvests' safe client with the link checker's limits: no retries (a
    throttled host cools off instead), a short timeout, and the portal's own pages
    allowed (its uploaded files are links too), never its other services.
    ``limits`` replace those limits (the table loader downloads whole files)."""
    site = own_services(["ckan.site_url"])
    allowed = tk.config["ckanext.wepulse.harvest.allow_private"] or []
    if isinstance(allowed, str):  # a list setting changed at run time is text
        allowed = allowed.replace(",", " ").split()
    settings = {
        "timeout": tk.config["ckanext.wepulse.links.timeout"],
        "retries": 0,
        "user_agent": "WePulse-LinkChecker/1.0 (+https://wepulse.example)",
        **limits,
    }
    return Http(
        allow_private=[*allowed, *site],
        deny=[service for service in own_services() if service not in site],
        **settings,
    )


def _record(row: LinkCheck, result: links.LinkResult, now: datetime.datetime) -> bool:
    """Store a check's result; True when the status changed."""
    changed = result.status != row.status
    row.status = result.status
    row.http_status = result.http_status
    row.final_url = result.final_url
    row.content_type = result.content_type
    row.content_length = result.content_length
    row.message = result.message
    row.checked_at = now
    if changed:
        row.changed_at = now
    if row.works is False:
        row.failing_since = row.failing_since or now
    else:
        row.failing_since = None
    row.next_check = links.next_check(now, row.changed_at)
    return changed


def daily(now: datetime.datetime | None = None) -> None:
    """Once a day: freshness moves with time alone, and each authority's figures of
    the day are kept for its history."""
    now = now or datetime.datetime.utcnow()
    changed = scoring.refresh_freshness(now)
    snapshots = authorities.snapshot_all(now.date())
    log.info("Daily quality run: %s freshness changes, %s authority snapshots", changed, snapshots)


def tick(now: datetime.datetime | None = None) -> list[str]:
    """What cron runs every few minutes: queue a link round when links are due and
    none is queued, and the daily run once a day. Returns what it queued."""
    now = now or datetime.datetime.utcnow()
    queued = []
    due = (
        model.Session.query(LinkCheck.url_hash)
        .join(model.Package, model.Package.id == LinkCheck.package_id)
        .filter(LinkCheck.next_check <= now, model.Package.state == "active")
        .first()
    )
    waiting = ckan_jobs.get_queue(LINK_QUEUE).count
    if due and not waiting:
        queue_link_check()
        queued.append("links")
    if connect_to_redis().set(f"{_DAILY_KEY}{now.date().isoformat()}", "1", nx=True, ex=172800):
        tk.enqueue_job(daily, [], title="Daily quality run")
        queued.append("daily")
    return queued
