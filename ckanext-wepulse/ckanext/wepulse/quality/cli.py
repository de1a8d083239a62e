"""``ckan wepulse quality``: score datasets, check links, and what cron runs."""

from __future__ import annotations

import datetime
import sys
import time

import ckan.plugins.toolkit as tk
import click
from ckan import model
from ckan.lib import jobs as ckan_jobs
from rq.registry import StartedJobRegistry
from sqlalchemy import func
from tqdm import tqdm

from ckanext.wepulse.quality import jobs, scoring
from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck
from ckanext.wepulse.seeding import site_context

__all__ = ["quality"]

BATCH = 100  # datasets scored together: one commit, one Solr request


@click.group(short_help="Metadata quality, freshness and link checks")
def quality():
    """Transparency: metadata quality (MQA), freshness and link health."""


@quality.command("score")
@click.argument("datasets", nargs=-1)
@click.option("--all", "all_datasets", is_flag=True, help="Every active dataset.")
@click.option("--missing", is_flag=True, help="Only the datasets that have no score yet.")
@click.option(
    "--wait", is_flag=True, help="First let the queued validation jobs finish (they score too)."
)
def score(datasets: tuple[str, ...], all_datasets: bool, missing: bool, wait: bool):
    """Score DATASETS (names or ids), or every dataset, now."""
    if bool(datasets) == all_datasets:
        raise click.UsageError("Give DATASETS or --all.")
    if wait:
        _wait_for_jobs()
    ids = list(datasets) or _active_dataset_ids(only_missing=missing)
    bands: dict[str, int] = {}
    with tqdm(total=len(ids), unit=" datasets", desc="Scoring", file=sys.stderr) as bar:
        for start in range(0, len(ids), BATCH):
            names = ids[start : start + BATCH]
            show = tk.get_action("package_show")
            for row in scoring.refresh([show(site_context(), {"id": name}) for name in names]):
                bands[row.band] = bands.get(row.band, 0) + 1
            bar.update(len(names))
    click.echo(
        f"{len(ids)} dataset(s) scored: "
        + (", ".join(f"{n} {band}" for band, n in sorted(bands.items())) or "none")
    )


@quality.command("links")
@click.option("--rounds", default=1, show_default=True, help="Rounds at most (each a batch).")
def links(rounds: int):
    """Check the links that are due now, in this process (cron queues the job instead)."""
    totals: dict[str, int] = {}
    for _round in range(rounds):
        now = datetime.datetime.utcnow()
        due = model.Session.query(LinkCheck).filter(LinkCheck.next_check <= now).count()
        if not due:
            break
        with tqdm(total=due, unit=" links", desc="Checking links", file=sys.stderr) as bar:
            counts = jobs.check_links(progress=bar.update)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    statuses = dict(
        model.Session.query(LinkCheck.status, func.count()).group_by(LinkCheck.status).all()
    )
    click.echo(
        "links: "
        + ", ".join(f"{n} {key}" for key, n in sorted(totals.items()))
        + " | now: "
        + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    )


@quality.command("tick")
def tick():
    """What cron runs every few minutes: queue a link round when links are due, and
    the daily run (freshness, the authorities' history) once a day."""
    queued = jobs.tick()
    click.echo("queued: " + (", ".join(queued) or "nothing"))


@quality.command("daily")
def daily():
    """Assess every dataset's freshness again and keep the authorities' figures of today."""
    jobs.daily()
    click.echo("done")


def _wait_for_jobs(timeout: float = 900) -> None:
    """Until CKAN's default queue is empty and its jobs done (the validation jobs a
    harvest or an edit queued score their datasets themselves)."""
    queue = ckan_jobs.get_queue()
    deadline = time.monotonic() + timeout
    with tqdm(desc="Waiting for background jobs", unit=" jobs", file=sys.stderr) as bar:
        while queue.count or StartedJobRegistry(queue=queue).count:
            if time.monotonic() > deadline:
                raise click.ClickException("background jobs still running; is the worker up?")
            bar.set_postfix(queued=queue.count)
            time.sleep(1)


def _active_dataset_ids(only_missing: bool) -> list[str]:
    query = model.Session.query(model.Package.id).filter_by(state="active", type="dataset")
    if only_missing:
        scored = model.Session.query(DatasetQuality.package_id)
        query = query.filter(model.Package.id.not_in(scored))
    return [package_id for (package_id,) in query.order_by(model.Package.name)]
