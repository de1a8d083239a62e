"""Rebuild the search index from the database, in place.

Unlike ``ckan search-index rebuild``, the index is not cleared first: every dataset is
indexed again over its old document, one commit at the end, and only then are documents
of datasets no longer in the database removed, so search keeps answering throughout.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import solr_literal

from ckanext.wepulse.search.bulk import BATCH_SIZE, Reindexed, index_datasets

__all__ = ["Reindexed", "dataset_ids", "reindex"]

#: Datasets a process indexes at a time (the progress bar moves by as many).
CHUNK = BATCH_SIZE


def dataset_ids() -> list[str]:
    """Every dataset CKAN indexes (all types and visibilities, not deleted ones)."""
    query = model.Session.query(model.Package.id).filter(model.Package.state != "deleted")
    return [package_id for (package_id,) in query.order_by(model.Package.id)]


def reindex(
    ids: list[str], progress: Callable[[int], object] = lambda n: None, processes: int = 1
) -> Reindexed:
    """Index each dataset of ``ids`` again, in ``processes`` processes; then drop the
    documents of any other dataset."""
    if processes > 1:
        outcome = _in_processes(ids, processes, progress)
    else:
        outcome = index_datasets(ids, progress=progress)
    outcome.removed = _remove_others(set(ids))
    return outcome


def _in_processes(ids: list[str], processes: int, progress: Callable[[int], object]) -> Reindexed:
    """``index_datasets`` over chunks of ``ids`` in forked processes, one commit after."""
    # A forked child must not share this process's connections to PostgreSQL: closed
    # here, each process opens its own (as CKAN's jobs worker does before its forks).
    model.Session.remove()
    model.meta.engine.dispose()
    outcome = Reindexed()
    size = min(CHUNK, -(-len(ids) // processes))  # a few datasets still use them all
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=fork) as pool:
        for chunk, done in zip(chunks, pool.map(_index_chunk, chunks), strict=True):
            outcome.indexed += done.indexed
            outcome.failed.update(done.failed)
            progress(len(chunk))
    make_connection().commit()
    return outcome


def _index_chunk(ids: list[str]) -> Reindexed:
    return index_datasets(ids, commit=False)


def _remove_others(kept: set[str]) -> int:
    """Delete this site's documents whose dataset is not in ``kept``."""
    conn = make_connection()
    site = f"+site_id:{solr_literal(tk.config['ckan.site_id'])} +entity_type:package"
    found = conn.search(q=site, fl="id", rows=0).hits
    stale = [
        doc["id"] for doc in conn.search(q=site, fl="id", rows=found).docs if doc["id"] not in kept
    ]
    for start in range(0, len(stale), 500):
        ids = " OR ".join(solr_literal(i) for i in stale[start : start + 500])
        conn.delete(q=f"{site} +id:({ids})", commit=False)
    conn.commit()
    return len(stale)
