from __future__ import annotations

import json
import logging
import os
import sys

import ckan.plugins.toolkit as tk
import click
from ckan import model
from tqdm import tqdm

from ckanext.wepulse import authorities as refnis
from ckanext.wepulse import demo as demo_catalogue
from ckanext.wepulse.dcat_ap import dump as catalogue_dump
from ckanext.wepulse.dcat_ap import validation
from ckanext.wepulse.harvest import sync
from ckanext.wepulse.harvest.sources import ADAPTERS, make_adapter
from ckanext.wepulse.quality.cli import quality
from ckanext.wepulse.search import reindex as search_index
from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads.cli import tables
from harvesters.base import RecordError, SourceError
from harvesters.memory_limit import records_within

__all__ = ["wepulse"]


@click.group(short_help="WePulse portal commands")
def wepulse():
    """WePulse Open Data: portal administration."""


wepulse.add_command(quality)
wepulse.add_command(tables)


@wepulse.group()
def demo():
    """The demo catalogue a new installation starts with."""


@demo.command("seed")
@click.argument("catalogue", required=False)
def demo_seed(catalogue: str | None):
    """Create or update the demo authorities and datasets (idempotent).

    CATALOGUE defaults to the ckanext.wepulse.demo.catalogue setting.
    """
    for kind, name, outcome in demo_catalogue.seed(catalogue):
        click.echo(f"{kind} {name}: {outcome}")


@demo.command("harvest")
def demo_harvest():
    """Harvest every demo source now (the fixture server must be running)."""
    failed = False
    for source in demo_catalogue.harvest_sources():
        _job, summary = _harvest_with_progress(source["name"])
        click.echo(f"{source['name']}: {summary}")
        failed = failed or bool(summary.incomplete)
    if failed:
        sys.exit(1)


@wepulse.group()
def authorities():
    """The publishing authorities: municipalities and CPAS."""


@authorities.command("seed")
@click.argument("refnis_file", required=False, type=click.Path(exists=True, dir_okay=False))
def authorities_seed(refnis_file: str | None):
    """Create or update the Brussels and Walloon municipalities and their CPAS
    from Statbel's REFNIS code list (idempotent). REFNIS_FILE defaults to the
    copy shipped with the extension."""
    with open(refnis_file or refnis.REFNIS_FILE, "rb") as f:
        found = list(refnis.read_refnis(f.read()))
    outcomes: dict[str, int] = {}
    with click.progressbar(refnis.seed(found), length=len(found), label="Authorities") as bar:
        for _name, outcome in bar:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    click.echo(", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())))


@wepulse.command()
@click.argument("dataset", required=False)
@click.option("--all", "all_datasets", is_flag=True, help="Validate every dataset.")
@click.option(
    "--profile",
    type=click.Choice(sorted(validation.PROFILES)),
    multiple=True,
    help="DCAT-AP version(s); default: ckanext.wepulse.validation.profiles.",
)
def validate(dataset: str | None, all_datasets: bool, profile: tuple[str, ...]):
    """Check datasets' DCAT-AP against the official SHACL shapes and store the results.

    Exits with status 1 when any dataset does not conform.
    """
    if bool(dataset) == all_datasets:
        raise click.UsageError("Give one DATASET or --all.")
    context = site_context()
    ids = [dataset] if dataset else _dataset_names()
    failed = 0
    with click.progressbar(ids, label="Validating", file=sys.stderr) as bar:
        results = [(name, result) for name in bar for result in _validate(context, name, profile)]
    for name, result in results:
        if not result["conforms"]:
            failed += 1
            click.echo(f"{name} [{result['profile']}]: {result['violations']} violation(s)")
            for message in result["messages"]:
                if message["severity"] == "Violation":
                    click.echo(f"  - {message['path'] or message['focus']}: {message['message']}")
    click.echo(
        f"{len(ids)} dataset(s) checked, {failed} result(s) not conforming, "
        f"{sum(r['violations'] for _, r in results)} violation(s)"
    )
    if failed:
        sys.exit(1)


def _dataset_names() -> list[str]:
    """Every active dataset (package_list would add harvest sources, which are not)."""
    query = model.Session.query(model.Package.name).filter_by(state="active", type="dataset")
    return [name for (name,) in query.order_by(model.Package.name)]


def _validate(context, name: str, profiles: tuple[str, ...]):
    if not profiles:
        return tk.get_action("wepulse_dataset_validate")(dict(context), {"id": name})
    return [
        result
        for profile in profiles
        for result in tk.get_action("wepulse_dataset_validate")(
            dict(context), {"id": name, "profile": profile}
        )
    ]


@wepulse.command()
@click.argument("output", type=click.File("wb"))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(catalogue_dump.FORMATS)),
    default="ttl",
    show_default=True,
    help="Turtle or N-Triples.",
)
def dump(output, fmt: str):
    """Write the whole catalogue as DCAT-AP to OUTPUT (a file, or - for stdout),
    one dataset at a time, so memory stays flat however large the catalogue."""
    total = catalogue_dump.public_dataset_count()
    with click.progressbar(length=total, label="Dumping", file=sys.stderr) as bar:
        count = catalogue_dump.dump_catalogue(output, fmt, progress=lambda: bar.update(1))
    click.echo(f"{count} dataset(s) written", err=True)


@wepulse.group()
def search():
    """The search index."""


@search.command("reindex")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=os.cpu_count(),
    show_default="the machine's cores",
    help="Processes that index at the same time.",
)
def search_reindex(processes: int):
    """Index every dataset again (after a change to Solr's configuration or to what is
    indexed). Search keeps working meanwhile; exits with status 1 if a dataset failed."""
    logging.getLogger().setLevel(logging.WARNING)
    ids = search_index.dataset_ids()
    with tqdm(total=len(ids), unit=" datasets", desc="Reindexing", file=sys.stderr) as bar:
        outcome = search_index.reindex(ids, progress=bar.update, processes=processes)
    click.echo(str(outcome))
    for package_id, error in outcome.failed.items():
        click.echo(f"  - {package_id}: {error}", err=True)
    if outcome.failed:
        sys.exit(1)


@wepulse.group()
def harvest():
    """Harvest the authorities' existing portals, catalogues and spreadsheets."""


SOURCE_TYPES = sorted(source_type.removeprefix("wepulse_") for source_type in ADAPTERS)


@harvest.command("preview")
@click.argument(
    "source_type", type=click.Choice(sorted(t.removeprefix("wepulse_") for t in ADAPTERS))
)
@click.argument("url")
@click.option("--limit", default=5, show_default=True, help="Records to show (0: all).")
@click.option("--config", "config_json", default="{}", help="Source options, as JSON.")
def harvest_preview(source_type: str, url: str, limit: int, config_json: str):
    """Print the datasets a source would give, mapped, without saving anything."""
    adapter = make_adapter(source_type, url, json.loads(config_json))
    shown = 0
    max_mb = tk.config.get("ckanext.wepulse.harvest.max_memory_mb")
    try:
        for record in records_within(adapter, max_mb):  # bounded as a harvest is
            if isinstance(record, RecordError):
                click.echo(f"# error: {record}")
                continue
            try:
                mapped = (
                    {"guid": record.guid, **adapter.map(record)}
                    if not record.deleted
                    else {"guid": record.guid, "deleted": True}
                )
            except RecordError as error:
                click.echo(f"# {record.guid}: {error}")
                continue
            click.echo(json.dumps(mapped, ensure_ascii=False, indent=2))
            shown += 1
            if limit and shown >= limit:
                break
    except SourceError as error:
        click.echo(f"# the source failed: {error}", err=True)
        sys.exit(1)


@harvest.command("run")
@click.argument("source")
@click.option("--force", is_flag=True, help="Map and write every record, changed or not.")
def harvest_run(source: str, force: bool):
    """Harvest SOURCE (a harvest source's name or id) now, showing progress.

    Exits with status 1 when records failed or the source could not be read whole.
    """
    try:
        job, summary = _harvest_with_progress(source, force)
    except tk.ObjectNotFound as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{source}: {summary}")
    if summary.errors or summary.incomplete:
        click.echo(
            f"Each error: the source's page, or the Action API's harvest_job_report id={job.id}",
            err=True,
        )
        sys.exit(1)


def _harvest_with_progress(source: str, force: bool = False):
    """Run a harvest under a progress bar whose total is what the source listed last time."""
    # Warnings and errors only: a line of INFO per batch would break the bar.
    logging.getLogger().setLevel(logging.WARNING)
    with tqdm(
        total=sync.records_last_time(source), unit=" records", desc=source, file=sys.stderr
    ) as bar:
        return sync.run_source(source, progress=bar.update, force=force)
