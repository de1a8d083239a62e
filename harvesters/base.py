"""What every source adapter is: records out of a source, and a pure mapping of each.

An adapter is built with the source's URL, an HTTP client (``harvesters.http.Http``
or anything with its ``get``) and the source's configuration. ``records()`` walks
the source's pages and yields one ``Record`` per dataset, or a ``RecordError`` for
one it could read but not make sense of; it raises ``SourceError`` when the source
itself fails (unreachable, unparseable listing), because then the harvest must not
conclude that the datasets it did not see were deleted. ``map(record)`` turns one
record into a dataset dict in the portal's schema, or raises ``RecordError``.

The dataset dict uses the schema's field names (``title_translated``,
``notes_translated``, ``tags_translated``, ``theme``, ``license_id``, ``resources``…)
with the ``publisher`` the source names, and leaves ``name`` and ``owner_org`` to the
harvest, which knows the authorities (it attributes the dataset to its publisher's)
and the names already taken.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["Adapter", "Record", "RecordError", "SourceError", "json_hash"]


class SourceError(Exception):
    """The source as a whole failed: nothing it did not list may be called deleted."""


class RecordError(ValueError):
    """One record cannot be harvested; the reason is for the authority's publisher."""

    def __init__(self, message: str, guid: str | None = None) -> None:
        super().__init__(message)
        self.guid = guid


@dataclass(frozen=True)
class Record:
    """One dataset as the source publishes it.

    ``guid`` is stable across harvests (the source's own identifier or IRI);
    ``content_hash`` changes exactly when the published metadata changes, so an
    unchanged record is skipped before it is mapped; ``payload`` is what ``map``
    reads; ``url`` is where a person sees the dataset at the source.
    """

    guid: str
    payload: Any
    content_hash: str
    url: str | None = None
    modified: str | None = None
    #: The source says this dataset was deleted (an LDES Delete event, for instance).
    deleted: bool = False
    #: What reading the source repaired in it (an IRI with spaces…): warnings for its
    #: harvest object, the record is kept.
    notes: tuple[str, ...] = ()


def json_hash(value: Any) -> str:
    """A content hash of JSON-able data that ignores key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Adapter:
    """Base of the source adapters; subclasses set ``source_type`` and implement both."""

    source_type: ClassVar[str]
    #: One line for the harvest source form.
    title: ClassVar[str]

    def __init__(self, url: str, http: Any, config: dict[str, Any] | None = None) -> None:
        self.url = url
        self.http = http
        self.config = dict(config or {})

    def records(self) -> Iterator[Record | RecordError]:
        raise NotImplementedError

    def map(self, record: Record) -> dict[str, Any]:
        raise NotImplementedError

    def forget(self, guids: set[str]) -> None:
        """The harvest could not save these records (errors, duplicates): an adapter
        that remembers pages as unchanged forgets theirs, so the next harvest reads
        them again instead of counting them unchanged."""
