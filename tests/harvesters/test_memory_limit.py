"""A source read in a child process under a memory limit: past it, the harvest ends
with a clear error and this process goes on; otherwise nothing changes."""

from __future__ import annotations

import multiprocessing
import os

import pyoxigraph as ox
import pytest

from harvesters.base import Adapter, Record, SourceError
from harvesters.memory_limit import MemoryLimitExceeded, records_within

LIMIT_MB = 200


class Hog(Adapter):
    """Gives one record, then allocates 640 MB (a parser gone wild, in Python)."""

    def records(self):
        yield Record("first", {"title": "Arbres"}, "h1")
        hoard = [bytearray(16 * 2**20) for _ in range(40)]
        yield Record("second", {"size": len(hoard)}, "h2")


class Abort(Adapter):
    """pyoxigraph expanding entities until an allocation fails: Rust aborts (SIGABRT)."""

    def records(self):
        entities = '<!ENTITY a0 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">' + "".join(
            f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
        )
        doc = (
            f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="https://x.be/1">'
            "<dct:title>&a9;</dct:title></rdf:Description></rdf:RDF>"
        )
        for quad in ox.parse(doc.encode(), format=ox.RdfFormat.RDF_XML):
            yield Record(quad.subject.value, None, "h")


class PageError(SourceError):
    """An error with arguments of its own, as the HTTP client's are."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class Pages(Adapter):
    """Remembers what it read in ``memory`` (as the DCAT adapter does), then fails."""

    def __init__(self, memory, fail=True):
        super().__init__("https://x.be/catalogue", None)
        self.memory, self.fail = memory, fail

    def records(self):
        self.memory.update(pages={"https://x.be/p1": "etag-1"}, reader=os.getpid())
        yield Record("one", None, "h")
        if self.fail:
            raise PageError("https://x.be/p2: HTTP 500", "https://x.be/p2")


@pytest.mark.parametrize(
    ("adapter", "read", "detail"),
    [
        (Hog("https://x.be", None), ["first"], "MemoryError while reading the source"),
        (Abort("https://x.be", None), [], "the process reading the source ended by SIGABRT"),
    ],
)
def test_past_the_limit_the_harvest_fails_and_this_process_goes_on(adapter, read, detail):
    got = []
    with pytest.raises(MemoryLimitExceeded) as raised:
        for record in records_within(adapter, LIMIT_MB):
            got.append(record.guid)

    assert str(raised.value) == f"the harvest used more than {LIMIT_MB} MB of memory ({detail})"
    assert got == read  # what came before the limit is kept
    assert multiprocessing.active_children() == []
    # The same process reads the next source as if nothing happened.
    assert [r.guid for r in records_within(Pages({}, fail=False), LIMIT_MB)] == ["one"]


def test_the_childs_memory_and_error_come_back():
    memory: dict = {}
    got = []
    with pytest.raises(PageError, match="^https://x.be/p2: HTTP 500$") as raised:
        for record in records_within(Pages(memory), LIMIT_MB, memory):
            got.append(record.guid)
    assert raised.value.url == "https://x.be/p2"
    assert got == ["one"]
    assert memory["pages"] == {"https://x.be/p1": "etag-1"}
    assert memory["reader"] != os.getpid()  # read in a child, brought back here


def test_the_childs_memory_comes_back_into_the_dicts_the_adapter_holds():
    memory: dict = {"pages": {"https://x.be/p0": "etag-0"}}
    pages = memory["pages"]  # as the DCAT adapter holds its pages
    list(records_within(Pages(memory, fail=False), LIMIT_MB, memory))

    # The child replaced the pages: the same dict now holds what it left.
    assert pages is memory["pages"] and pages == {"https://x.be/p1": "etag-1"}


def test_a_reader_that_stops_early_stops_the_child():
    records = records_within(Hog("https://x.be", None), LIMIT_MB)
    assert next(records).guid == "first"
    records.close()
    assert multiprocessing.active_children() == []


def test_no_limit_reads_in_this_process():
    memory: dict = {}
    with pytest.raises(SourceError):
        list(records_within(Pages(memory), 0, memory))
    assert memory["reader"] == os.getpid()
