"""Reading, checking and loading a table, on CKAN's job queue.

``check_table`` is queued when a tabular resource is created or changed (and, for a
harvest source that asks for it, when a harvest brings a table): it reads the file,
stores how it read it and what is wrong with it, and loads it unless it has errors
the publisher has not accepted. Every load is recorded; a failed one changes nothing
published.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.lib.uploader import get_resource_uploader
from ckanext.datastore.logic.action import set_datastore_active_flag

from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.quality.jobs import make_link_http
from ckanext.wepulse.seeding import site_context
from ckanext.wepulse.uploads import dictionary, loading, reading
from ckanext.wepulse.uploads.model import Table, TableLoad
from harvesters.http import HttpError

__all__ = [
    "FORMATS",
    "check_dataset_tables",
    "check_table",
    "file_changed",
    "is_table",
    "progress",
    "queue_check",
]

log = logging.getLogger(__name__)

#: Resource formats read as tables, and the file extensions that say so.
FORMATS = {"CSV": "csv", "TSV": "tsv", "XLSX": "xlsx", "XLS": "xls", "ODS": "ods"}
_PROGRESS_KEY = "wepulse:table-progress:"
#: The share of a column's first values that may break the type the others share,
#: in a publisher's table: 1 odd value in 20 is a mistake to report, not a text column.
TOLERANCE = 0.05


def is_table(resource: dict[str, Any]) -> bool:
    return _format(resource) is not None


def file_changed(resource: dict[str, Any]) -> bool:
    """Whether the resource points at another file than when it was last queued."""
    table = Table.get(resource["id"])
    return table is None or table.file_stamp != _stamp(resource)


def queue_check(resource: dict[str, Any]) -> None:
    """Have the resource's file read (and loaded) in the background; its page says
    so meanwhile."""
    _set_status(resource, "queued", file_stamp=_stamp(resource))
    tk.enqueue_job(check_table, [resource["id"]], title=f"Read table {resource['id']}")


def check_table(resource_id: str) -> str:
    """Read the resource's file, store the reading and the dictionary, and load it
    when it may be loaded; returns the table's status.

    A publisher's table may have a few values that break their column's type: they
    are reported, for the publisher to correct. A harvested one has no publisher
    here to do so: a column is typed only if every value reads, so that it loads
    true to its source."""
    row = model.Resource.get(resource_id)
    if row is None or row.state != "active":
        return "gone"
    dataset = tk.get_action("package_show")(site_context(), {"id": row.package_id})
    resource = next(r for r in dataset["resources"] if r["id"] == resource_id)
    harvested = bool(dataset.get("harvest_guid"))
    table = _set_status(resource, "reading")
    try:
        with _local_file(resource) as path:
            return _check(table, resource, path, 0.0 if harvested else TOLERANCE)
    except (HttpError, OSError) as error:
        return _finish(table, "unreadable", message=str(error)[:500])


def _set_status(resource: dict[str, Any], status: str, **fields: Any) -> Table:
    """The resource's table row, made if need be, in ``status`` (committed)."""
    table = Table.get(resource["id"]) or Table(
        resource_id=resource["id"], package_id=resource["package_id"], dictionary=[]
    )
    table.status, table.message = status, None
    for name, value in fields.items():
        setattr(table, name, value)
    model.Session.add(table)
    model.Session.commit()
    return table


def check_dataset_tables(dataset_ids: list[str]) -> None:
    """Read (and load) the tables of datasets a harvest wrote, one after another."""
    for dataset_id in dataset_ids:
        try:
            dataset = tk.get_action("package_show")(site_context(), {"id": dataset_id})
        except tk.ObjectNotFound:
            continue
        for resource in dataset["resources"]:
            if is_table(resource):
                check_table(resource["id"])


def progress(resource_id: str) -> int | None:
    """Rows loaded so far by the load running now, if any."""
    value = connect_to_redis().get(_PROGRESS_KEY + resource_id)
    return int(value) if value is not None else None


def _check(table: Table, resource: dict[str, Any], path: str, tolerance: float) -> str:
    file_hash = _sha256(path)
    found = reading.read(
        path,
        _format(resource),
        sheet=table.sheet,
        types=dictionary.type_overrides(table.dictionary or []),
        tolerance=tolerance,
    )
    table.reading = found.to_dict()
    table.dictionary = dictionary.merge(table.dictionary or [], table.reading)
    table.checked_at = _now()
    if table.file_hash != file_hash:
        table.load_anyway = False  # accepting errors was for the file they were found in
    table.file_hash = file_hash
    if not found.columns:
        return _finish(table, "unreadable")
    if found.errors and not table.load_anyway:
        return _finish(table, "checked")
    signature = _signature(table)
    if signature == table.loaded_hash and resource.get("datastore_active"):
        return _finish(table, "loaded")  # this file, read this way, is what is published
    return _load(table, resource, path, found, signature)


def _load(
    table: Table, resource: dict[str, Any], path: str, found: reading.Reading, signature: str
) -> str:
    attempt = TableLoad(
        resource_id=table.resource_id,
        file_hash=table.file_hash,
        started_at=_now(),
        status="running",
        errors=[],
    )
    table.status = "loading"
    model.Session.add(attempt)
    model.Session.commit()
    redis, key = connect_to_redis(), _PROGRESS_KEY + table.resource_id
    language = tk.config.get("ckan.locale_default") or "fr"
    published = dataclasses.replace(
        found, columns=dictionary.published_columns(found, table.dictionary)
    )
    info = {e["name"]: dictionary.column_info(e, language) for e in table.dictionary}
    started = time.perf_counter()
    try:
        rows = loading.load(
            table.resource_id,
            path,
            published,
            info=info,
            progress=lambda n: redis.set(key, n, ex=86400),
        )
    except Exception as error:  # noqa: BLE001 - whatever failed, the published table stays
        log.exception("Loading %s failed", table.resource_id)
        attempt.errors = [{"code": "load_failed", "message": _summary(error)}]
        return _finish(table, "failed", attempt=attempt, message=_summary(error))
    finally:
        redis.delete(key)
        attempt.seconds = round(time.perf_counter() - started, 3)
    attempt.rows = rows
    attempt.errors = [f for f in table.reading["findings"] if f["severity"] == "error"]
    try:
        loading.index(table.resource_id, published.columns)
    except Exception as error:  # noqa: BLE001 - the table is published; only slower to query
        log.exception("Indexing %s failed", table.resource_id)
        attempt.errors = [*attempt.errors, {"code": "index_failed", "message": _summary(error)}]
    first_load = table.loaded_at is None
    table.loaded_hash, table.loaded_at = signature, _now()
    status = _finish(table, "loaded", attempt=attempt)
    if not resource.get("datastore_active"):
        set_datastore_active_flag(
            {"model": model, "ignore_auth": True}, {"resource_id": table.resource_id}, True
        )
    if first_load:  # its DCAT-AP now names the table's schema (dct:conformsTo)
        tk.enqueue_job(validate_dataset, [table.package_id], title=f"Validate {table.package_id}")
    return status


def _finish(
    table: Table, status: str, attempt: TableLoad | None = None, message: str | None = None
) -> str:
    table.status, table.message = status, message
    if attempt is not None:
        attempt.status = "failed" if status == "failed" else "loaded"
        attempt.finished_at = _now()
    model.Session.commit()
    return status


def _signature(table: Table) -> str:
    """What the published table depends on: the file, the sheet and the dictionary."""
    decided = [table.file_hash, table.sheet, table.dictionary]
    return hashlib.sha256(json.dumps(decided, sort_keys=True).encode()).hexdigest()


@contextlib.contextmanager
def _local_file(resource: dict[str, Any]) -> Iterator[str]:
    """The resource's file on disk: the upload as stored, or a link downloaded
    through the harvests' safe client (its size capped, the portal's services refused)."""
    if resource.get("url_type") == "upload":
        yield get_resource_uploader(resource).get_path(resource["id"])
        return
    http = make_link_http(
        timeout=tk.config["ckanext.wepulse.harvest.timeout"],
        retries=tk.config["ckanext.wepulse.harvest.retries"],
        max_bytes=tk.config["ckanext.wepulse.tables.max_bytes"],
        user_agent="WePulse-TableLoader/1.0 (+https://wepulse.example)",
    )
    descriptor, path = tempfile.mkstemp(prefix="wepulse-table-")
    try:
        with os.fdopen(descriptor, "w+b") as sink:
            http.get(resource["url"], sink=sink)
        yield path
    finally:
        http.close()
        os.unlink(path)


def _stamp(resource: dict[str, Any]) -> str:
    return json.dumps([resource.get(k) for k in ("url", "last_modified", "size")], default=str)


def _format(resource: dict[str, Any]) -> str | None:
    declared = (resource.get("format") or "").strip().upper()
    if declared in FORMATS:
        return FORMATS[declared]
    name = (resource.get("url") or "").split("?")[0].rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].upper() if "." in name else ""
    return FORMATS.get(extension)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _summary(error: Exception) -> str:
    """The first line of an error, as a publisher can read it (PostgreSQL's included)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:500]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
