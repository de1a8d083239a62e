"""``ckan wepulse tables``: read and load tables again, in this process (after a
DataStore restore, or to retry the loads an outage failed)."""

from __future__ import annotations

import sys
from collections import Counter

import click
from ckan import model
from tqdm import tqdm

from ckanext.wepulse.uploads.jobs import check_table
from ckanext.wepulse.uploads.model import Table

__all__ = ["tables"]


@click.group(short_help="Publishers' tables: read and load again")
def tables():
    """Publishers' tables in the DataStore."""


@tables.command("load")
@click.argument("resources", nargs=-1)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="Every table in this status (failed, unreadable, queued...); repeatable.",
)
@click.option("--all", "all_tables", is_flag=True, help="Every table the portal has read.")
@click.option("--force", is_flag=True, help="Load even a table already loaded from that file.")
def load(resources: tuple[str, ...], statuses: tuple[str, ...], all_tables: bool, force: bool):
    """Read and load RESOURCES (ids), or the tables --status or --all select, now."""
    if sum(map(bool, (resources, statuses, all_tables))) != 1:
        raise click.UsageError("Give RESOURCES, --status or --all.")
    ids = list(resources) or _selected(statuses)
    outcomes: Counter[str] = Counter()
    for resource_id in tqdm(ids, unit=" tables", desc="Reading and loading", file=sys.stderr):
        if force and (table := Table.get(resource_id)) is not None:
            table.loaded_hash = None  # what is published no longer counts as this file's
            model.Session.commit()
        outcomes[check_table(resource_id)] += 1
    click.echo(
        f"{len(ids)} table(s): "
        + (", ".join(f"{n} {status}" for status, n in sorted(outcomes.items())) or "none")
    )


def _selected(statuses: tuple[str, ...]) -> list[str]:
    query = model.Session.query(Table.resource_id).order_by(Table.resource_id)
    if statuses:
        query = query.filter(Table.status.in_(statuses))
    return [resource_id for (resource_id,) in query]
