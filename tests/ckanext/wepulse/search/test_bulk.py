"""Indexing many datasets at once, and holding CKAN's indexing back for a block of
writes, through the real Solr core."""

from __future__ import annotations

import copy
import threading

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.lib import search
from ckan.lib.search.common import make_connection
from ckan.lib.search.index import PackageSearchIndex
from ckan.plugins import toolkit as tk

from ckanext.wepulse.search.bulk import (
    GONE,
    Reindexed,
    _send,
    index_datasets,
    indexing_deferred,
)
from ckanext.wepulse.seeding import site_context

from ..conftest import TREES


def create(name: str, **changes) -> dict:
    data = {**copy.deepcopy(TREES), "name": name, **changes}
    return tk.get_action("package_create")(site_context(), data)


def stored(package_id: str) -> dict | None:
    """The dataset's Solr document as stored, without what changes at each indexing."""
    docs = make_connection(decode_dates=False).search(q=f'id:"{package_id}"', fl="*").docs
    if not docs:
        return None
    return {k: v for k, v in docs[0].items() if k not in ("_version_", "indexed_ts")}


def indexed_names() -> set[str]:
    found = make_connection().search(q="entity_type:package", fl="name", rows=100).docs
    return {doc["name"] for doc in found}


@pytest.fixture
def index_calls(monkeypatch) -> list[str]:
    """The ids CKAN's index_package is called with (it still runs)."""
    calls: list[str] = []
    index_package = PackageSearchIndex.index_package

    def spy(self, pkg_dict, defer_commit=False):
        calls.append(pkg_dict["id"])
        return index_package(self, pkg_dict, defer_commit)

    monkeypatch.setattr(PackageSearchIndex, "index_package", spy)
    return calls


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestIndexDatasets:
    def test_the_documents_are_those_ckan_writes(self, trees):
        private = create("prive", private=True)
        ckans = {}
        for dataset in (trees, private):
            search.rebuild(dataset["id"])
            ckans[dataset["id"]] = stored(dataset["id"])
        search.clear_all()

        outcome = index_datasets([trees["id"], private["id"]])

        assert outcome == Reindexed(indexed=2)
        assert {i: stored(i) for i in ckans} == ckans

    def test_a_missing_dataset_fails_alone(self, trees):
        search.clear_all()
        progressed: list[int] = []
        outcome = index_datasets(["missing", trees["id"]], progress=progressed.append)
        assert outcome.indexed == 1 and outcome.failed == {"missing": GONE}
        assert progressed == [1, 1]
        assert indexed_names() == {"schaerbeek-arbres"}

    def test_a_document_solr_refuses_fails_alone(self, trees):
        good = stored(trees["id"])
        search.clear_all()
        refused = {**good, "id": "refused", "index_id": "refused", "metadata_created": "soon"}
        outcome = Reindexed()

        _send(make_connection(), [refused, good], outcome)
        make_connection().commit()

        assert outcome.indexed == 1 and list(outcome.failed) == ["refused"]
        assert indexed_names() == {"schaerbeek-arbres"}


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestIndexingDeferred:
    def test_a_new_dataset_is_indexed_once_on_leaving_the_block(self, schaerbeek, index_calls):
        with indexing_deferred():
            created = create("nouveau")
            assert indexed_names() == set() and index_calls == []
        assert index_calls == [created["id"]]
        assert indexed_names() == {"nouveau"}

    def test_the_datasets_of_a_block_that_failed_are_indexed(self, schaerbeek):
        with pytest.raises(RuntimeError), indexing_deferred():
            create("avant-l-erreur")
            raise RuntimeError
        assert indexed_names() == {"avant-l-erreur"}

    def test_deletions_go_through(self, trees):
        gone = create("supprime")
        with indexing_deferred():
            tk.get_action("dataset_purge")(site_context(), {"id": trees["id"]})
            assert indexed_names() == {"supprime"}  # at once, as CKAN does
            tk.get_action("package_delete")(site_context(), {"id": gone["id"]})
            created = create("ephemere")  # noted, then gone: nothing to index
            tk.get_action("dataset_purge")(site_context(), {"id": created["id"]})
        assert indexed_names() == set()

    def test_ckan_indexes_as_it_did_after_the_block(self, schaerbeek):
        with indexing_deferred():
            pass
        create("apres")
        assert indexed_names() == {"apres"}

    def test_blocks_of_two_threads_overlapping_leave_ckans_indexing_as_it_was(self, schaerbeek):
        """This thread's block ends while the other's is open, the other's after:
        a dataset written then is indexed at once, here and in another thread."""
        entered, left = threading.Event(), threading.Event()

        def other_thread():
            with indexing_deferred():
                entered.set()
                left.wait(timeout=30)

        other = threading.Thread(target=other_thread)
        with indexing_deferred():
            other.start()
            assert entered.wait(timeout=30)
        left.set()
        other.join(timeout=30)

        create("apres")
        assert indexed_names() == {"apres"}


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_reindex_in_two_processes_indexes_all_and_drops_stale_documents(cli, trees):
    others = [create(f"autre-{i}")["id"] for i in range(3)]
    conn = make_connection(decode_dates=False)
    stale = stored(trees["id"])
    conn.add([{**stale, "id": "gone", "name": "gone", "index_id": "gone"}])
    conn.delete(q=f'id:("{others[0]}" OR "{trees["id"]}")', commit=True)

    result = cli.invoke(ckan_command, ["wepulse", "search", "reindex", "--processes", "2"])

    assert result.exit_code == 0, result.output
    assert "4 indexed, 1 removed" in result.output
    assert indexed_names() == {"schaerbeek-arbres", "autre-0", "autre-1", "autre-2"}
