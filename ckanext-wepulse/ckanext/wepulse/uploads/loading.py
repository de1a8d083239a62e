"""Loading a table into the DataStore: typed columns, by PostgreSQL ``COPY``, streaming.

The rows are read again from the file, typed exactly as the reading reported them,
and streamed to ``COPY`` in PostgreSQL's text format, so memory stays flat whatever
the file's size. They land in a new table beside the published one; only when the
whole file is in does one transaction drop the old table and give the new one its
name. A load that fails therefore leaves the published table as it was.

The table has the DataStore's own shape (``_id``, ``_full_text`` kept by its
trigger, the data dictionary in column comments), so ``datastore_search`` and
CKAN's dump answer from it unchanged.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.datastore.backend.postgres import get_write_engine
from psycopg2 import sql

from ckanext.wepulse.uploads import reading as reading_

__all__ = ["PG_TYPES", "copy_text", "load"]

#: The column types of the DataStore table, by the reading's type.
PG_TYPES = {
    "integer": "int8",  # municipal budgets exceed int4
    "decimal": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "boolean": "bool",
    "code": "text",
    "nis_code": "text",
    "postal_code": "text",
    "text": "text",
}
#: Types people filter on (a code, a date, a yes/no): these columns get an index.
INDEXED_TYPES = {"code", "nis_code", "postal_code", "date", "boolean"}
MAX_INDEXES = 10
PROGRESS_EVERY = 10_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile("[\\\\\t\n\r\x00]")
_NULL = "\\N"
# How each typed value is written, by its class (a class not here is text).
_WRITERS: dict[type, Callable[[Any], str]] = {
    bool: lambda v: "t" if v else "f",
    int: str,
    Decimal: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    str: lambda v: _text(v),
}


def load(
    resource_id: str,
    path: str | Path,
    reading: reading_.Reading,
    *,
    info: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace the resource's DataStore table with the file's rows, typed as
    ``reading`` says; returns the number of rows. ``info`` is each column's data
    dictionary entry (label, notes, unit), by column name, stored as the DataStore
    stores it. Raises on failure, having changed nothing. The table is published
    without its indexes: ``index`` makes them."""
    columns = reading.columns
    staging = f"{resource_id}-{uuid.uuid4().hex[:8]}"  # <= 63 characters
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    stream = _CopyStream(reading_.rows(path, reading), _row_writer(columns), progress)
    with _transaction() as cursor:
        cursor.execute(_create_table(staging, columns, info or {}))
        # PostgreSQL computes each row's _full_text while this process reads the
        # next rows: the load takes the longer of the two, not their sum.
        cursor.execute(_full_text_while_copying(cursor, staging, columns))
        cursor.copy_expert(
            sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(staging), names),
            stream,
            size=256 * 1024,
        )
        cursor.execute(_datastore_trigger(staging))
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(staging)))
        cursor.execute(
            sql.SQL("DROP TABLE IF EXISTS {}; ALTER TABLE {} RENAME TO {}").format(
                sql.Identifier(resource_id), sql.Identifier(staging), sql.Identifier(resource_id)
            )
        )
    return stream.rows


def index(resource_id: str, columns: list[reading_.Column]) -> None:
    """Index a published table: its full text, and each column people are likely to
    filter on (codes, dates, yes/no, columns of few distinct values). Readers are
    served meanwhile (an index being built holds back writes only)."""
    with _transaction() as cursor:
        for statement in _indexes(resource_id, columns):
            cursor.execute(statement)


@contextlib.contextmanager
def _transaction() -> Iterator[Any]:
    """A cursor on the DataStore's write connection, all or nothing."""
    connection = get_write_engine().raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")  # a big file takes minutes
            yield cursor
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


def copy_text(value: Any) -> str:
    """One value in ``COPY``'s text format."""
    if value is None:
        return "\\N"
    return _WRITERS.get(value.__class__, _text)(value)


def _text(value: Any) -> str:
    text = value if value.__class__ is str else str(value)
    if _SPECIAL.search(text):  # rare: most cells need no escape, and a search is cheap
        text = text.replace("\x00", "").translate(_ESCAPES)  # PostgreSQL text has no NUL
    return text


def _row_writer(columns: list[reading_.Column]) -> Callable[[list[Any]], bytes]:
    """A row as one line of ``COPY``'s text format (the hot loop of a load)."""

    def line(row: list[Any]) -> bytes:
        cells = [_NULL if v is None else _WRITERS.get(v.__class__, _text)(v) for v in row]
        return ("\t".join(cells) + "\n").encode("utf-8", "replace")

    return line


def _create_table(
    name: str, columns: list[reading_.Column], info: Mapping[str, Mapping[str, Any]]
) -> sql.Composed:
    """The table as ``datastore_create`` makes it (its full-text trigger comes after
    the rows)."""
    table = sql.Identifier(name)
    fields = [sql.SQL("_id serial PRIMARY KEY"), sql.SQL("_full_text tsvector")] + [
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(PG_TYPES[c.type])) for c in columns
    ]
    statements = [sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(fields))]
    for column in columns:
        entry = {k: v for k, v in (info.get(column.name) or {}).items() if v}
        if entry:
            # The DataStore's comment format: a space (its data version), then JSON.
            comment = " " + json.dumps({"_info": entry}, ensure_ascii=False, separators=(",", ":"))
            statements.append(
                sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                    table, sql.Identifier(column.name), sql.Literal(comment)
                )
            )
    return sql.SQL("; ").join(statements)


def _full_text_while_copying(
    cursor: Any, name: str, columns: list[reading_.Column]
) -> sql.Composed:
    """A trigger of this load's own that gives each row copied the ``_full_text`` the
    DataStore's trigger would (the row's values as text, in one document). Its
    function names the columns, where the DataStore's reads each row as JSON: that
    costs ten times the COPY."""
    table, function = sql.Identifier(name), sql.Identifier(f"{name}_full_text")
    texts = sql.SQL(", ").join(
        sql.SQL("NEW.{}::text").format(sql.Identifier(c.name)) for c in columns
    )
    body = sql.SQL(
        "BEGIN NEW._full_text := to_tsvector(concat_ws(' ', {})); RETURN NEW; END"
    ).format(texts)
    return sql.SQL(
        "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {body}; "
        "CREATE TRIGGER wepulse_load BEFORE INSERT ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION {function}()"
    ).format(function=function, table=table, body=sql.Literal(body.as_string(cursor)))


def _datastore_trigger(name: str) -> sql.Composed:
    """The load's trigger gone, the DataStore's own, which keeps ``_full_text`` for
    later changes (``datastore_upsert``)."""
    table = sql.Identifier(name)
    return sql.SQL(
        "DROP TRIGGER wepulse_load ON {table}; DROP FUNCTION {function}(); "
        "CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()"
    ).format(table=table, function=sql.Identifier(f"{name}_full_text"))


def _indexes(name: str, columns: list[reading_.Column]) -> Iterator[sql.Composed]:
    """The full-text index, and one on each column people are likely to filter on:
    codes, dates, yes/no, and any column of few distinct values."""
    method = tk.config.get("ckan.datastore.default_fts_index_method") or "gist"
    table = sql.Identifier(name)
    yield sql.SQL("CREATE INDEX ON {} USING {} (_full_text)").format(
        table, sql.SQL("gin" if method == "gin" else "gist")
    )
    filtered = [c for c in columns if c.type in INDEXED_TYPES or c.distinct is not None]
    for column in filtered[:MAX_INDEXES]:
        yield sql.SQL("CREATE INDEX ON {} ({})").format(table, sql.Identifier(column.name))


class _CopyStream(io.RawIOBase):
    """The rows as the bytes ``COPY ... FROM STDIN`` reads, produced as it reads them."""

    def __init__(
        self,
        rows: Iterator[list[Any]],
        line: Callable[[list[Any]], bytes],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self._rows = rows
        self._line = line
        self._progress = progress
        self._buffer = b""
        self._ended = False
        self.rows = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        lines = []
        filled = len(self._buffer)
        while size < 0 or filled < size:
            row = next(self._rows, None)
            if row is None:
                if self._progress and not self._ended:
                    self._progress(self.rows)  # the last row is in
                self._ended = True
                break
            line = self._line(row)
            lines.append(line)
            filled += len(line)
            self.rows += 1
            if self._progress and self.rows % PROGRESS_EVERY == 0:
                self._progress(self.rows)
        data = self._buffer + b"".join(lines)
        if size < 0:
            self._buffer = b""
            return data
        self._buffer = data[size:]
        return data[:size]
