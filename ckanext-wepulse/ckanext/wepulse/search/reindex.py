"""Rebuild the search index from the database, in place.

Unlike ``ckan search-index rebuild``, the index is not cleared first: every dataset is
indexed again over its old document, one commit at the end, and only then are documents
of datasets no longer in the database removed, so search keeps answering throughout.
"""

from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import solr_literal

from ckanext.wepulse.search.bulk import Reindexed, index_datasets

__all__ = ["Reindexed", "dataset_ids", "reindex"]


def dataset_ids() -> list[str]:
    """Every dataset CKAN indexes (all types and visibilities, not deleted ones)."""
    query = model.Session.query(model.Package.id).filter(model.Package.state != "deleted")
    return [package_id for (package_id,) in query.order_by(model.Package.id)]


def reindex(ids: list[str], progress: Callable[[int], object] = lambda n: None) -> Reindexed:
    """Index each dataset of ``ids`` again; then drop documents of any other dataset."""
    outcome = index_datasets(ids, progress=progress)
    outcome.removed = _remove_others(set(ids))
    return outcome


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
