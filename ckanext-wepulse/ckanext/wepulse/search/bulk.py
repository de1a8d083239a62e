"""Index many datasets into Solr with few requests.

CKAN sends each dataset's document in a request of its own and, at every commit of the
session, indexes each dataset the commit changed (a new one twice: as new, then as
changed through its resources), each time after a full ``package_show``.

- ``index_datasets`` builds each document exactly as CKAN does (its ``index_package``,
  with every ``before_dataset_index`` hook) and sends them a few hundred a request,
  with one commit at the end.
- ``indexing_deferred`` holds CKAN's indexing at commits back for a block of writes,
  then indexes each dataset the block changed once.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.search.index as ckan_index
import ckan.plugins.toolkit as tk
import pysolr
from ckan import model
from ckan.lib.search import SearchIndexError, SynchronousSearchPlugin, index_for
from ckan.lib.search.common import make_connection
from ckan.model.domain_object import DomainObjectOperation

from ckanext.wepulse.search.plugin import authorities_read_once

__all__ = ["GONE", "Reindexed", "index_datasets", "indexing_deferred"]

log = logging.getLogger(__name__)

#: Documents per Solr request: past a few hundred, larger requests gain nothing.
BATCH_SIZE = 250
#: Why a dataset that is no longer in the database was not indexed.
GONE = "not found"


@dataclass
class Reindexed:
    indexed: int = 0
    removed: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # dataset id -> why

    def __str__(self) -> str:
        text = f"{self.indexed} indexed, {self.removed} removed"
        return text + (f", {len(self.failed)} failed" if self.failed else "")


def index_datasets(
    ids: Iterable[str], *, commit: bool = True, progress: Callable[[int], object] | None = None
) -> Reindexed:
    """Index the datasets ``ids`` as CKAN would, ``BATCH_SIZE`` documents a request.

    A dataset that cannot be indexed (gone, refused by Solr) is in the outcome's
    ``failed`` and stops nothing. Commits once at the end when ``commit``.
    """
    outcome = Reindexed()
    solr = make_connection()  # one connection, so one HTTP session kept alive
    kept = _KeptDocuments(solr)
    package_index = index_for(model.Package)
    with authorities_read_once():
        for package_id in ids:
            # Kept until the document is built: the context holds the dataset's row, so
            # CKAN's index_package finds it in the session instead of reading it again.
            context = {"ignore_auth": True, "validate": False, "use_cache": False}
            try:
                dataset = tk.get_action("package_show")(context, {"id": package_id})
                with _connection(kept):
                    package_index.index_package(dataset, defer_commit=True)
            except tk.ObjectNotFound:
                outcome.failed[package_id] = GONE
            except SearchIndexError as error:
                outcome.failed[package_id] = str(error)
            if len(kept.docs) >= BATCH_SIZE:
                _send(solr, kept.docs, outcome)
                kept.docs = []
            if progress:
                progress(1)
    _send(solr, kept.docs, outcome)
    if commit:
        solr.commit()  # and wait until a search finds them, as CKAN does
    return outcome


@contextlib.contextmanager
def indexing_deferred() -> Iterator[None]:
    """Within the block, datasets written are only noted; on leaving it, each is
    indexed once. Deletions from the index go through at once, as in CKAN.

    Applies to this thread (or asyncio context) alone: CKAN's indexing consults
    ``_noted``, set here, instead of being swapped for the block, which two threads'
    overlapping blocks would leave swapped for good.
    """
    _hook_into_ckan()
    noted: dict[str, None] = {}  # dataset ids, in order, once each
    token = _noted.set(noted)
    try:
        yield
    finally:
        _noted.reset(token)
        outcome = index_datasets(noted) if noted else Reindexed()  # no commit for nothing
        for package_id, error in outcome.failed.items():
            if error != GONE:  # a dataset whose creation was rolled back is gone
                log.error("Dataset %s not indexed: %s", package_id, error)


# What CKAN's indexing consults, per thread: the datasets a block notes instead of
# indexing them, and where index_package's document goes instead of Solr.
_noted: ContextVar[dict[str, None] | None] = ContextVar("wepulse_noted_datasets", default=None)
_kept: ContextVar[_KeptDocuments | None] = ContextVar("wepulse_kept_documents", default=None)
_ckan_notify = SynchronousSearchPlugin.notify
_ckan_make_connection = ckan_index.make_connection


def _notify(plugin: SynchronousSearchPlugin, entity: Any, operation: str) -> None:
    noted = _noted.get()
    deleted = operation == DomainObjectOperation.deleted
    if noted is not None and isinstance(entity, model.Package) and not deleted:
        noted[entity.id] = None
    else:
        _ckan_notify(plugin, entity, operation)


def _make_connection(*args: Any, **kwargs: Any) -> Any:
    kept = _kept.get()
    return kept if kept is not None else _ckan_make_connection(*args, **kwargs)


@functools.cache
def _hook_into_ckan() -> None:
    """Once per process, on first use: CKAN's indexing consults the variables above
    (outside our blocks, it does what it did)."""
    SynchronousSearchPlugin.notify = _notify  # type: ignore[method-assign]
    ckan_index.make_connection = _make_connection


class _KeptDocuments:
    """Stands in for the Solr connection CKAN's ``index_package`` sends its one
    document to: keeps the document, passes anything else (a deletion) through."""

    def __init__(self, solr: pysolr.Solr):
        self.solr = solr
        self.docs: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], commit: bool = False) -> None:
        self.docs.extend(docs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.solr, name)


@contextlib.contextmanager
def _connection(kept: _KeptDocuments) -> Iterator[None]:
    # CKAN builds a document only to send it at once: for the length of one
    # index_package, the connection it makes is ours, which keeps the document.
    _hook_into_ckan()
    token = _kept.set(kept)
    try:
        yield
    finally:
        _kept.reset(token)


def _send(solr: pysolr.Solr, docs: list[dict[str, Any]], outcome: Reindexed) -> None:
    """Add ``docs`` in one request; if Solr refuses it, each alone, to find which one."""
    if not docs:
        return
    try:
        solr.add(docs, commit=False)
        outcome.indexed += len(docs)
    except pysolr.SolrError as error:
        if len(docs) == 1:
            outcome.failed[docs[0]["id"]] = f"Solr returned an error: {str(error)[:1000]}"
        else:
            for doc in docs:
                _send(solr, [doc], outcome)
