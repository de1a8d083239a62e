"""Writing a harvest's mapped records, a batch at a time, here or in writer processes.

- A batch is one transaction: its datasets, what the portal knows of each record
  (``HarvestedRecord``) and their harvest objects are committed together, and the
  batch's datasets are indexed once, together, after it (``indexing_deferred``).
- CKAN rolls the whole session back when one dataset fails validation, so a batch with
  a bad record is written again one dataset per transaction: the bad one fails alone,
  with its reason, and the others are kept.
- One dataset costs CKAN ~100 ms of CPU (schema validation, plugins' hooks, the
  activity stream), so a harvest scales by processes: with
  ``ckanext.wepulse.harvest.write_processes`` above 1, batches are written side by
  side by forked writer processes while the harvest reads and maps the next ones.
- Before writing a record, its writer takes a PostgreSQL advisory lock on (source,
  guid) and only then reads what the portal knows of it: two processes - of this
  harvest or of another harvest of the same source - never write the same record at
  once, and the second sees what the first wrote. Locks are taken in guid order, so
  two batches never wait on each other in a circle.
"""

from __future__ import annotations

import datetime
import logging
import multiprocessing
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from ckanext.harvest.model import HarvestObjectError as ObjectError

from ckanext.wepulse import jobs
from ckanext.wepulse.harvest import fidelity
from ckanext.wepulse.model import HarvestedRecord
from ckanext.wepulse.search.bulk import indexing_deferred
from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads import jobs as table_jobs
from harvesters.base import Record

__all__ = ["VALIDATION_BATCH", "Batch", "Outcomes", "WriterPool", "write_batch"]

log = logging.getLogger(__name__)
# The harvest log (ckan.ini routes it to log/harvest.log).
harvest_log = logging.getLogger("ckanext.wepulse.harvest")

# Context key the plugin reads: datasets whose validation the harvest queues itself,
# one job per batch instead of one per dataset.
VALIDATION_BATCH = "wepulse.validation_batch"


@dataclass
class Batch:
    """Mapped records to write, sorted by guid (the locks' order). A new record's
    dataset already has its URL name: names are chosen by the one process that reads
    the source, so two writers never pick the same."""

    source_id: str
    job_id: str
    load_tables: bool
    items: list[tuple[Record, dict[str, Any]]] = field(default_factory=list)

    @property
    def guids(self) -> set[str]:
        return {record.guid for record, _dataset in self.items}


class Outcomes:
    """What became of each record: one harvest object per record (with its error,
    if any), stored in bulk, so ckanext-harvest's reports and error lists work."""

    def __init__(self, source: HarvestSource, job: HarvestJob) -> None:
        self.source, self.job = source, job
        self.now = datetime.datetime.utcnow()
        self.objects: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []

    def log(self, guid, status, package_id=None, error=None, current=False) -> None:
        object_id = str(uuid.uuid4())
        self.objects.append(
            {
                "id": object_id,
                "guid": guid,
                "current": current,
                "gathered": self.now,
                "import_finished": datetime.datetime.utcnow(),
                "state": "ERROR" if error and status == "errored" else "COMPLETE",
                "report_status": status,
                "harvest_job_id": self.job.id,
                "harvest_source_id": self.source.id,
                "package_id": package_id,
            }
        )
        if error:
            self.errors.append(
                {
                    "id": str(uuid.uuid4()),
                    "harvest_object_id": object_id,
                    "message": error,
                    "stage": "Import",
                    "line": None,
                }
            )
            # Also in the harvest log (var/log/harvest.log), whichever process harvests.
            level = logging.WARNING if status == "errored" else logging.INFO
            record = guid or "(no guid)"
            harvest_log.log(
                level, "%s: record %s %s: %s", named(self.source), record, status, error
            )

    def forget(self) -> None:
        """Drop what was logged since the last save (its transaction was rolled back)."""
        self.objects, self.errors = [], []

    def save(self) -> None:
        """Store the outcomes and commit; the records written now are their guid's
        current object."""
        current = [o["guid"] for o in self.objects if o["current"]]
        if current:
            model.Session.query(HarvestObject).filter(
                HarvestObject.harvest_source_id == self.source.id,
                HarvestObject.guid.in_(current),
                HarvestObject.current.is_(True),
            ).update({"current": False}, synchronize_session=False)
        if self.objects:
            model.Session.bulk_insert_mappings(HarvestObject, self.objects)
        if self.errors:
            model.Session.bulk_insert_mappings(ObjectError, self.errors)
        model.Session.commit()
        self.forget()


def named(source: HarvestSource) -> str:
    """A source as the harvest log names it: its title and URL."""
    return f"source {source.title!r} ({source.url})"


# -- one batch ----------------------------------------------------------------------


def write_batch(batch: Batch) -> Counter:
    """Write the batch (in whichever process runs it); the count of each outcome:
    "added", "updated", "errored"."""
    source = model.Session.get(HarvestSource, batch.source_id)
    job = model.Session.get(HarvestJob, batch.job_id)
    outcomes = Outcomes(source, job)
    counts: Counter = Counter()
    validate: list[str] = []
    with indexing_deferred():
        try:
            written = [_write(source, record, dataset, validate) for record, dataset in batch.items]
            for (record, _dataset), (status, package_id) in zip(batch.items, written, strict=True):
                _log_written(outcomes, record, status, package_id)
                counts[status] += 1
            outcomes.save()  # one commit: datasets, records and harvest objects
        except Exception:
            model.Session.rollback()
            outcomes.forget()
            validate.clear()
            counts = _write_one_by_one(source, outcomes, batch.items, validate)
    if validate:
        tk.enqueue_job(
            jobs.validate_datasets, [validate], title=f"Validate {len(validate)} datasets"
        )
        if batch.load_tables:
            tk.enqueue_job(
                table_jobs.check_dataset_tables,
                [validate],
                title=f"Read the tables of {len(validate)} datasets",
            )
    return counts


def _write_one_by_one(source, outcomes: Outcomes, items, validate: list[str]) -> Counter:
    counts: Counter = Counter()
    for record, dataset in items:
        to_validate = len(validate)
        try:
            status, package_id = _write(source, record, dataset, validate)
            _log_written(outcomes, record, status, package_id)
            outcomes.save()
            counts[status] += 1
        except Exception as error:
            model.Session.rollback()
            # What was logged for this record went with its transaction; its failure
            # is stored at once, so the next record starts clean.
            outcomes.forget()
            del validate[to_validate:]
            if isinstance(error, tk.ValidationError):
                reason = f"invalid dataset: {_summary(error)}"
            else:
                reason = f"cannot save this record: {error!r}"
            outcomes.log(record.guid, "errored", error=reason)
            outcomes.save()
            counts["errored"] += 1
    return counts


def _log_written(outcomes: Outcomes, record: Record, status: str, package_id: str) -> None:
    # What reading the source repaired in the record, as a warning.
    notes = "repaired when read: " + "; ".join(record.notes) if record.notes else None
    outcomes.log(record.guid, status, package_id=package_id, error=notes, current=True)


def _write(source, record: Record, dataset: dict[str, Any], validate: list[str]):
    """Create or update the record's dataset (uncommitted); (status, package id)."""
    # Held until the transaction ends: another writer of this record waits, then
    # reads the row below as this one leaves it.
    model.Session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"wepulse-harvest {source.id} {record.guid}"},
    )
    known = model.Session.get(HarvestedRecord, (source.id, record.guid), populate_existing=True)
    now = datetime.datetime.utcnow()
    dataset = {
        **dataset,
        "harvest_source_title": source.title,
        "harvest_url": fidelity.web_address(record.url),
        "harvest_guid": record.guid,
        "harvest_first": (known.first_harvested if known else now).isoformat(),
        "harvest_last": now.isoformat(),
    }
    context = {
        **site_context(),
        "defer_commit": True,
        "return_id_only": True,
        VALIDATION_BATCH: validate,
    }
    existing = model.Package.get(known.package_id) if known and known.package_id else None
    if existing is not None:
        dataset.update(id=existing.id, name=existing.name, state="active")
        package_id = tk.get_action("package_update")(context, dataset)
        status = "updated"
    else:
        package_id = tk.get_action("package_create")(context, dataset)
        status = "added"
    package_id = package_id if isinstance(package_id, str) else package_id["id"]
    row = known or HarvestedRecord(source_id=source.id, guid=record.guid)
    row.first_harvested = row.first_harvested or now
    row.package_id, row.content_hash, row.state = package_id, record.content_hash, "active"
    row.last_harvested = now
    model.Session.add(row)
    return status, package_id


# -- several processes -----------------------------------------------------------


class WriterPool:
    """Writes batches in this process (``processes`` 1) or in that many forked writer
    processes, at most two batches each in flight (the reading waits, memory stays
    flat). ``done(batch, counts or error)`` is called here, in this process, for each
    batch written; a batch with a guid still in flight waits for it (a feed lists a
    record again when it changes: the newer version is written after the older)."""

    def __init__(self, processes: int, done: Callable[[Batch, Counter | Exception], None]):
        self.processes, self.done = max(1, processes), done
        self.executor: ProcessPoolExecutor | None = None
        self.in_flight: dict[Future, Batch] = {}

    def submit(self, batch: Batch) -> None:
        if self.processes == 1:
            return self.done(batch, _safely(batch))
        while self.in_flight and (
            len(self.in_flight) >= 2 * self.processes
            or any(batch.guids & other.guids for other in self.in_flight.values())
        ):
            self._collect(return_when=FIRST_COMPLETED)
        model.Session.commit()  # writers see all this process wrote
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_writer_started,
            )
        self.in_flight[self.executor.submit(write_batch, batch)] = batch

    def drain(self) -> None:
        """Wait for every batch in flight."""
        while self.in_flight:
            self._collect(return_when=FIRST_COMPLETED)

    def close(self) -> None:
        self.drain()
        self.shutdown()

    def shutdown(self) -> None:
        """Let the writers go (waiting for the batches they are writing)."""
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None
        self.in_flight.clear()

    def _collect(self, return_when: str) -> None:
        finished, _pending = wait(list(self.in_flight), return_when=return_when)
        broken = False
        for future in finished:
            batch = self.in_flight.pop(future)
            error = future.exception()
            broken = broken or isinstance(error, BrokenProcessPool)
            self.done(batch, error if error is not None else future.result())
        if broken and self.executor is not None:  # a writer died: the next batches get new ones
            self.executor.shutdown(wait=False, cancel_futures=False)
            self.executor = None


def _safely(batch: Batch) -> Counter | Exception:
    try:
        return write_batch(batch)
    except Exception as error:  # e.g. the database went away: the batch's records fail
        model.Session.rollback()
        return error


def _writer_started() -> None:
    """In a new writer process: connections of its own, never its parent's."""
    model.Session.remove()
    model.meta.engine.dispose(close=False)


def _summary(error: tk.ValidationError) -> str:
    summary = error.error_summary or {}
    return "; ".join(f"{field}: {message}" for field, message in summary.items()) or str(error)
