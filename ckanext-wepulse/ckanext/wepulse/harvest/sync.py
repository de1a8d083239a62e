"""One harvest of one source: the portal brought in step with what the source lists.

- A record whose content hash is the one stored is unchanged: it is counted and
  skipped before it is even mapped, so a re-harvest costs little more than reading.
- New and changed records are mapped and written through the Action API in batches:
  one database transaction and one search-index commit per batch, not per dataset.
  Each dataset is written inside a savepoint, so a record that fails rolls back
  alone and its batch goes on.
- A record is mapped again, changed or not, after the portal's mapping changed (an
  upgrade: see ``mapping_version``), so what was harvested follows the new rules.
- Datasets whose records the source no longer lists are withdrawn (deleted, and
  brought back if the record returns) - but only when the listing was complete: a
  source that failed half-way must not make the portal delete the other half.
- Every failure is a harvest object error of its record (or a gather error of the
  job when the source itself failed), and the job ends with a ``Summary``.

The same dataset listed by two sources (a municipality's portal and a regional
catalogue, say) is written once: a record whose dataset IRI an active dataset of
another source already has is reported as a duplicate, not created again.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.munge import munge_title_to_name
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestSource

from ckanext.wepulse import multilingual
from ckanext.wepulse.harvest import attribution, batches, fidelity
from ckanext.wepulse.harvest.sources import make_adapter
from ckanext.wepulse.model import HarvestedRecord, HarvestMemory
from ckanext.wepulse.seeding import site_context
from harvesters.base import Adapter, Record, RecordError, SourceError
from harvesters.memory_limit import MemoryLimitExceeded, records_within
from harvesters.safe_xml import UnsafeDocument

__all__ = [
    "Summary",
    "harvest",
    "mapping_version",
    "records_last_time",
    "refusal_message",
    "run_source",
]

log = logging.getLogger(__name__)
# The harvest log (ckan.ini routes it to log/harvest.log): the configured logger itself,
# which logging's fileConfig never disables, whatever was imported before it ran.
harvest_log = logging.getLogger("ckanext.wepulse.harvest")

_NAME_LENGTH = 90

_PACKAGE = Path(__file__).resolve().parents[1]  # ckanext/wepulse
#: What turns a source's record into a dataset: the adapters, the harvest, the DCAT-AP
#: parser, the schemas, vocabularies, validators and authorities.
MAPPED_BY = (
    _PACKAGE.parents[2] / "harvesters",
    _PACKAGE / "harvest",
    _PACKAGE / "dcat_ap" / "profile.py",
    _PACKAGE / "schemas",
    _PACKAGE / "vocabularies",
    _PACKAGE / "logic" / "validators.py",
    _PACKAGE / "multilingual.py",
    _PACKAGE / "authorities",
)


@cache
def mapping_version() -> str:
    """A digest of the code and data in ``MAPPED_BY``: when it changes, every source's
    next harvest maps all its records again, as ``--force`` does."""
    digest = hashlib.sha256()
    for root in MAPPED_BY:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.suffix in {".py", ".yaml", ".csv"}:
                digest.update(path.relative_to(_PACKAGE.parents[2]).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    duplicates: int = 0
    #: Records the source's attribution policy leaves out (see ``attribution``).
    skipped: int = 0
    errors: int = 0
    #: Why the source's listing stopped short (then nothing is withdrawn).
    incomplete: str | None = None

    def __str__(self) -> str:
        counts = ", ".join(
            f"{getattr(self, name)} {name}"
            for name in (
                "added",
                "updated",
                "unchanged",
                "withdrawn",
                "duplicates",
                "skipped",
                "errors",
            )
        )
        return counts + (f" (incomplete: {self.incomplete})" if self.incomplete else "")


def harvest(
    source: HarvestSource,
    job: HarvestJob,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> Summary:
    """Run one whole harvest of ``source`` as ``job``; ``progress(n)`` after n records.

    ``force`` maps and writes every record again, changed or not (after a fix to a
    mapping, say), and forgets what the source's pages were.

    Whatever goes wrong, the harvest ends: its job gets the error and is finished by
    its caller, nothing is withdrawn, and the source can be harvested again.
    """
    summary = Summary()
    try:
        _harvest(source, job, summary, progress, force)
    except Exception as error:
        model.Session.rollback()
        log.exception("Harvest of %s stopped", source.url)
        summary.incomplete = f"the harvest stopped: {error!r}"
        _gather_error(job, f"The harvest stopped, nothing withdrawn: {error!r}")
    return summary


def _harvest(source, job, summary: Summary, progress, force: bool) -> None:
    memory = model.Session.get(HarvestMemory, source.id) or HarvestMemory(source_id=source.id)
    harvested_before = model.Session.query(
        model.Session.query(HarvestedRecord).filter_by(source_id=source.id).exists()
    ).scalar()
    # After an upgrade that changed the mapping, as if forced.
    force = force or (memory.memory or {}).get("mapping") != mapping_version()
    # Forced, or nothing harvested yet (or all forgotten): every page is read again.
    # A deep copy: the adapter updates it in place, and the row must see a new value.
    remembered = {}
    if harvested_before and not force:
        remembered = copy.deepcopy(memory.memory["adapter"])
    try:
        config = json.loads(source.config or "{}")
        adapter = make_adapter(source.type, source.url, config, remembered)
    except ValueError as error:
        _gather_error(job, f"Cannot harvest this source: {error}")
        summary.incomplete = str(error)
        return
    writer = _Writer(source, job, adapter, summary, force)
    try:
        seen: dict[str, str] = {}  # guid -> content hash of its latest listing
        deleted: set[str] = set()
        max_mb = tk.config.get("ckanext.wepulse.harvest.max_memory_mb")
        try:
            # Read in a child process under a memory limit: a hostile source fails its job.
            for item in records_within(adapter, max_mb, remembered):
                if isinstance(item, RecordError):
                    writer.log(item.guid, "errored", error=str(item))
                elif item.deleted:  # the source's last word on it (a feed's Delete event)
                    deleted.add(item.guid)
                    seen.pop(item.guid, None)
                elif seen.get(item.guid) != item.content_hash:
                    # New, or a newer version listed later (feeds list changes again).
                    deleted.discard(item.guid)
                    seen[item.guid] = item.content_hash
                    writer.consider(item)
                if progress:
                    progress(1)
        except (MemoryLimitExceeded, UnsafeDocument) as error:
            summary.incomplete = str(error)
            _gather_error(job, refusal_message(error))
        except SourceError as error:
            summary.incomplete = str(error)
            _gather_error(job, f"The source's listing is incomplete, nothing withdrawn: {error}")
        except Exception as error:  # an adapter bug must end the job cleanly, not crash it
            log.exception("Harvest of %s failed", source.url)
            summary.incomplete = f"unexpected error while reading the source: {error!r}"
            _gather_error(job, f"The harvest stopped, nothing withdrawn: {summary.incomplete}")
        writer.finish_writing()
        adapter.forget(set(seen) - writer.saved(seen))
        vanished = set() if summary.incomplete else set(writer.known) - set(seen)
        writer.withdraw((vanished | deleted) - set(seen))
        writer.close()
    finally:  # writer processes never outlive their harvest
        writer.writers.shutdown()
    memory.memory = {"mapping": mapping_version(), "adapter": remembered}
    model.Session.add(memory)
    model.Session.commit()


def run_source(
    source_ref: str, progress: Callable[[int], None] | None = None, force: bool = False
) -> tuple[HarvestJob, Summary]:
    """Harvest the source with this id or name now, in this process, as a new job that
    ckanext-harvest lists like the queued ones."""
    source = _source(source_ref)
    job = HarvestJob(source=source, status="Running")
    job.gather_started = datetime.datetime.utcnow()
    job.save()
    try:
        summary = harvest(source, job, progress, force)
    finally:  # a job never stays "Running" for ever
        job.gather_finished = job.finished = datetime.datetime.utcnow()
        job.status = "Finished"
        job.save()
    return job, summary


def records_last_time(source_ref: str) -> int | None:
    """How many records the source's harvests know (None before the first)."""
    count = model.Session.query(HarvestedRecord).filter_by(source_id=_source(source_ref).id).count()
    return count or None


def _source(source_ref: str) -> HarvestSource:
    package = model.Package.get(source_ref)
    source = HarvestSource.get(package.id if package else source_ref)
    if source is None:
        raise tk.ObjectNotFound(f"No harvest source {source_ref!r}")
    return source


class _Writer:
    """Takes a harvest's records as they are read: skips the unchanged, maps the others
    and hands them, a batch at a time, to the writers (``batches``); logs each
    record's outcome and withdraws what the source no longer lists."""

    def __init__(self, source, job, adapter: Adapter, summary: Summary, force: bool) -> None:
        self.source, self.job, self.adapter, self.summary = source, job, adapter, summary
        self.force = force
        self.batch_size = tk.config.get("ckanext.wepulse.harvest.batch_size")
        self.known: dict[str, HarvestedRecord] = {
            row.guid: row
            for row in model.Session.query(HarvestedRecord).filter_by(source_id=source.id)
        }
        self.pending: dict[str, Record] = {}  # by guid: a newer version replaces an older
        self.outcomes = batches.Outcomes(source, job)
        self.names = _NameMaker()
        # The source's switch: its CSV and spreadsheet files loaded as tables too.
        options = json.loads(source.config or "{}")
        self.load_tables = isinstance(options, dict) and options.get("load_tables") is True
        # Which authority each dataset goes to: its publisher's, by the source's policy.
        self.attribution = attribution.Attribution(source)
        self.writers = batches.WriterPool(
            tk.config.get("ckanext.wepulse.harvest.write_processes"), self._written
        )

    # -- outcomes -------------------------------------------------------------

    def log(self, guid, status, package_id=None, error=None, current=False) -> None:
        """One harvest object per record: what became of it, and why if it failed."""
        self.outcomes.log(guid, status, package_id, error, current)
        if status == "errored":
            self.summary.errors += 1

    def consider(self, record: Record) -> None:
        known = self.known.get(record.guid)
        unchanged = known and known.state == "active" and known.content_hash == record.content_hash
        if unchanged and not self.force:
            self.summary.unchanged += 1
            self.log(record.guid, "not modified", package_id=known.package_id)
            return
        if record.payload is None:  # remembered from a page the server says is unchanged
            self.log(
                record.guid,
                "errored",
                error="unchanged at the source since a harvest that could not save it: "
                f"`ckan wepulse harvest run {self.source.id} --force` tries it again",
            )
            return
        self.pending[record.guid] = record
        if len(self.pending) >= self.batch_size:
            self.flush()

    # -- writing --------------------------------------------------------------

    def flush(self) -> None:
        """Map the pending records and hand them to the writers as one batch."""
        records, self.pending = list(self.pending.values()), {}
        mapped = []
        for record in records:
            try:
                mapped.append((record, _completed(self.adapter.map(record))))
            except RecordError as error:
                self.log(record.guid, "errored", error=str(error))
            except Exception as error:  # a mapping bug must cost one record, not the job
                self.log(record.guid, "errored", error=f"cannot map this record: {error!r}")
        mapped = self.attribution.attributed(self._without_duplicates(mapped), self)
        for record, dataset in mapped:
            known = self.known.get(record.guid)
            if not (known and known.package_id and model.Package.get(known.package_id)):
                dataset["name"] = self.names.make(dataset)
        self.outcomes.save()  # the outcomes so far, before the writers' own
        if mapped:
            items = sorted(mapped, key=lambda item: item[0].guid)
            self.writers.submit(batches.Batch(self.source.id, self.job.id, self.load_tables, items))

    def _written(self, batch: batches.Batch, outcome: Counter | Exception) -> None:
        """A batch is written (or its writer failed): count it, and learn its records."""
        if isinstance(outcome, Exception):
            log.error("A writer failed on a batch of %s: %r", self.source.url, outcome)
            for record, _dataset in batch.items:
                self.log(record.guid, "errored", error=f"cannot save this record: {outcome!r}")
            self.outcomes.save()
            return
        self.summary.added += outcome["added"]
        self.summary.updated += outcome["updated"]
        self.summary.errors += outcome["errored"]
        rows = (
            model.Session.query(HarvestedRecord)
            .filter(
                HarvestedRecord.source_id == self.source.id,
                HarvestedRecord.guid.in_(batch.guids),
            )
            .populate_existing()  # another process wrote them
        )
        self.known.update((row.guid, row) for row in rows)

    def _without_duplicates(self, mapped):
        """Leave out new records whose dataset another source already harvested."""
        others = self._datasets_of_other_sources([d.get("uri") for _r, d in mapped])
        kept = []
        for record, dataset in mapped:
            owner = others.get(dataset.get("uri"))
            if owner and record.guid not in self.known:
                self.summary.duplicates += 1
                message = (
                    f"the same dataset as {owner[1]} ({owner[0]}), already harvested from "
                    f"{owner[2]}: not created twice"
                )
                # No package_id: the dataset is the other source's, and clearing this
                # source (ckanext-harvest deletes its objects' packages) must keep it.
                self.log(record.guid, "not modified", error=message)
            else:
                kept.append((record, dataset))
        return kept

    def saved(self, listed: dict[str, str]) -> set[str]:
        """The guids of ``listed`` (guid -> content hash) whose dataset is as listed."""
        return {
            guid
            for guid, content_hash in listed.items()
            if (row := self.known.get(guid)) is not None
            and row.state == "active"
            and row.content_hash == content_hash
        }

    def finish_writing(self) -> None:
        """Write what is pending and wait for every writer."""
        self.flush()
        self.writers.close()

    def withdraw(self, guids: set[str]) -> None:
        """Delete the datasets of records the source no longer has (kept, restorable)."""
        for guid in sorted(guids):
            row = self.known.get(guid)
            if row is None or row.state != "active":
                continue
            try:
                if row.package_id and model.Package.get(row.package_id):
                    tk.get_action("package_delete")(site_context(), {"id": row.package_id})
            except tk.ObjectNotFound:
                pass
            row.state = "withdrawn"
            model.Session.add(row)
            model.Session.commit()
            self.summary.withdrawn += 1
            self.log(guid, "deleted", package_id=row.package_id)

    def close(self) -> None:
        self.writers.close()
        self.outcomes.save()

    def _datasets_of_other_sources(self, uris: list[str | None]) -> dict[str, tuple]:
        """Dataset IRI -> (id, name, source title) of active datasets another source wrote."""
        uris = [uri for uri in uris if uri]
        if not uris:
            return {}
        rows = (
            model.Session.query(
                model.PackageExtra.value, model.Package.id, model.Package.name, HarvestSource.title
            )
            .join(model.Package, model.Package.id == model.PackageExtra.package_id)
            .join(HarvestedRecord, HarvestedRecord.package_id == model.Package.id)
            .join(HarvestSource, HarvestSource.id == HarvestedRecord.source_id)
            .filter(
                model.PackageExtra.key == "uri",
                model.PackageExtra.value.in_(uris),
                model.Package.state == "active",
                HarvestedRecord.source_id != self.source.id,
            )
        )
        return {uri: (package_id, name, title) for uri, package_id, name, title in rows}


class _NameMaker:
    """URL names from titles, unique across the whole portal (deleted datasets too)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, dataset: dict[str, Any]) -> str:
        # From an original title: a machine translation only when there is none.
        titles = dataset.get("title_translated") or {}
        machine = multilingual.machine_translations(dataset.get("title_machine_translated"))
        title = next((titles[lang] for lang in ("fr", "nl", "de", "en") if titles.get(lang)), "")
        title = title or next(iter(machine.values()), {}).get("text", "")
        base = munge_title_to_name(title or dataset.get("identifier") or "dataset")
        base = base[:_NAME_LENGTH].strip("-") or "dataset"
        candidates = [base] + [f"{base}-{n}" for n in range(2, 50)]
        in_use = {
            name
            for (name,) in model.Session.query(model.Package.name).filter(
                model.Package.name.in_(candidates)
            )
        } | self.taken
        name = next((c for c in candidates if c not in in_use), f"{base}-{uuid.uuid4().hex[:8]}")
        self.taken.add(name)
        return name


def _completed(dataset: dict[str, Any]) -> dict[str, Any]:
    """What every harvested dataset gets, whatever its source.

    - What the schema cannot hold is kept aside, not refused (``fidelity.fitted``).
    - Nothing is made up: a dataset without a description stays without one (the
      schema requires one of editors only; validation shows the gap).
    - A distribution the record only names (its IRI, described nowhere in it) is
      left out; one described without an address is kept as described.
    - A distribution without a name is named after its file, else its format.
    """
    fidelity.fitted(dataset)
    resources = []
    for resource in dataset.get("resources") or []:
        url = resource.get("url") or resource.get("download_url") or resource.get("access_url")
        said = {k for k, v in resource.items() if _said(v)}
        if not url and not said - {"uri", "distribution_ref"}:
            continue
        if not any((resource.get("name_translated") or {}).values()) and not resource.get("name"):
            file_name = (url or "").split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            name = file_name if "." in file_name else resource.get("format") or file_name
            resource["name_translated"] = {lang: name for lang in dataset["title_translated"]}
        resources.append({**resource, "url": url or ""})
    dataset["resources"] = resources
    return dataset


def _said(value: Any) -> bool:
    """Whether a mapped value says anything (ckanext-dcat fills absent texts with "")."""
    if isinstance(value, dict):
        return any(_said(v) for v in value.values())
    return value not in (None, "", [])


def refusal_message(error: MemoryLimitExceeded | UnsafeDocument) -> str:
    """The job's error for a source stopped for its own sake or the worker's."""
    if isinstance(error, MemoryLimitExceeded):
        return tk._(
            "The harvest used more than {limit} MB of memory and was stopped, nothing "
            "withdrawn ({detail}). A source this large needs a higher "
            "ckanext.wepulse.harvest.max_memory_mb."
        ).format(limit=error.max_mb, detail=error.detail)
    return tk._(
        "The source sent a document the portal refuses to read, nothing withdrawn: {reason}"
    ).format(reason=error)


def _gather_error(job: HarvestJob, message: str) -> None:
    HarvestGatherError(message=message, job=job).save()
    harvest_log.error("%s: job %s: %s", batches.named(job.source), job.id, message)
