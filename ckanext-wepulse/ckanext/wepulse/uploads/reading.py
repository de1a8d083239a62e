"""Reading a municipal publisher's table (CSV, TSV, XLSX, ODS, XLS) and checking it
before it is loaded: what the file is, what each column holds, and what would go
wrong loading it as is.

``read`` makes one streaming pass over the whole file: it sniffs the format,
encoding, separator and header row, infers each column's type from the first 2,000
rows, then reads every value by its column's type and reports what it finds
(``Finding``), each an error (loading as is would lose or corrupt data) or a warning
(it would not). ``rows`` reads the file again exactly as the ``Reading`` says, typed,
for the loader. Both keep memory flat whatever the file's size (workbooks: one
sheet's cells, held by calamine). Nothing here imports CKAN.

A file that cannot be read at all is a ``Reading`` with one "unreadable" finding
and no columns: ``read`` does not raise on content, however hostile.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ckanext.wepulse.uploads import column_types, personal_data, sniffing
from ckanext.wepulse.uploads.column_types import MISMATCH, TYPES
from ckanext.wepulse.uploads.sniffing import TextTable, Unreadable, cell_value
from ckanext.wepulse.uploads.workbooks import Workbook, cell_name

__all__ = ["FORMATS", "TYPES", "Column", "Finding", "Reading", "read", "rows"]

log = logging.getLogger(__name__)

FORMATS = ("csv", "tsv", "xlsx", "xls", "ods")
WORKBOOKS = ("xlsx", "xls", "ods")
SAMPLE_ROWS = 2000  # the rows a column's type is inferred from
HEAD_ROWS = SAMPLE_ROWS + 100  # read ahead: title rows, the header, the sample
PREVIEW_ROWS = 10
MAX_COLUMNS = 1600  # PostgreSQL's limit
MAX_NAME_BYTES = 63  # PostgreSQL's identifiers
MAX_EXAMPLES = 5
DISTINCT_CAP = 100
# Where personal data may hide (not in amounts, dates or yes/no).
PERSONAL_TYPES = ("code", "text", "integer")


@dataclass
class Finding:
    code: str  # stable: "type_mismatch", "blank_rows"...
    severity: str  # "error" (loading as is loses or corrupts data) | "warning"
    row: int | None = None  # 1-based, as a spreadsheet shows it (CSV: record number)
    column: str | None = None  # Column.name
    count: int = 1
    examples: list[str] = field(default_factory=list)  # the first few, 80 characters each
    params: dict[str, Any] = field(default_factory=dict)  # JSON-able, for the message


@dataclass
class Column:
    name: str  # the DataStore column: unique, <= 63 bytes, no leading "_", no '"'
    source_name: str  # the header as written (stripped)
    type: str  # one of TYPES
    parse: dict[str, Any] = field(default_factory=dict)  # how values are read (JSON-able)
    filled: int = 0
    distinct: int | None = None  # when few (DISTINCT_CAP)


@dataclass
class Reading:
    format: str
    encoding: str | None  # None for workbooks
    separator: str | None  # None for workbooks
    header_row: int  # 1-based
    sheet: str | None
    sheets: list[str]  # a workbook's, all of them
    columns: list[Column]
    preview: list[list[Any]]  # the first data rows, typed
    rows: int  # data rows (blank rows not counted)
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: decimals as strings, dates and times in ISO 8601."""
        data = dataclasses.asdict(self)
        data["preview"] = [[_jsonable(v) for v in row] for row in self.preview]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reading:
        columns = [Column(**c) for c in data["columns"]]
        preview = [
            [_typed(v, c.type) for v, c in zip(row, columns, strict=True)]
            for row in data["preview"]
        ]
        findings = [Finding(**f) for f in data["findings"]]
        return cls(**{**data, "columns": columns, "preview": preview, "findings": findings})


def read(
    path: str | Path,
    format: str | None = None,
    *,
    sheet: str | None = None,
    types: Mapping[str, str] | None = None,
    tolerance: float = 0.0,
) -> Reading:
    """Read and check the table in ``path``. ``format`` is a hint (the content
    decides for workbooks); ``sheet`` the workbook's sheet to read (else the first
    that has data); ``types`` the publisher's types by column name, replacing those
    found: values are then checked against them. ``tolerance``: the share of a
    sample's values that may break the type found (reported as errors); 0 makes
    such a column text, as a harvested table, true to its source, must be."""
    types = dict(types or {})
    if not set(types.values()) <= set(TYPES):
        raise ValueError(f"Unknown column types: {set(types.values()) - set(TYPES)}")
    try:
        return _read(Path(path), format, sheet, types, tolerance)
    except Unreadable as exc:
        return _unreadable(exc.reason, exc.format or _hinted(format), exc.sheets)
    except csv.Error as exc:  # a quoted field running on past FIELD_LIMIT, mostly
        reason = "field_too_large" if "field limit" in str(exc) else "corrupt"
        return _unreadable(reason, _hinted(format))
    except OSError:
        log.warning("Cannot open %s", path, exc_info=True)
        return _unreadable("io_error", _hinted(format))
    except BaseException as exc:  # calamine's Rust panics are BaseExceptions
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        log.warning("Unreadable table %s", path, exc_info=True)
        return _unreadable("corrupt" if _is_parser_error(exc) else "unexpected", _hinted(format))


def rows(path: str | Path, reading: Reading) -> Iterator[list[Any]]:
    """The data rows, typed as ``reading``'s columns say (a value its type cannot
    read is None), blank rows skipped; cells beyond the header dropped, missing ones
    None."""
    parsers = [column_types.parser(c.type, c.parse) for c in reading.columns]
    source = _records(Path(path), reading)
    for _, values, _, _ in _data_rows(source, reading.header_row, len(parsers)):
        if values is not None:
            yield [None if v is None else _none(p(v)) for p, v in zip(parsers, values, strict=True)]


# The pass


def _read(
    path: Path, hint: str | None, sheet: str | None, types: dict[str, str], tolerance: float
) -> Reading:
    source = _Source(path, hint, sheet)
    head = list(islice(source.records, HEAD_ROWS))
    if all(sniffing.is_blank(cells) for _, cells in head):
        raise Unreadable("empty", source.format, source.book.sheets if source.book else [])
    at = sniffing.find_header([cells for _, cells in head])
    header_row, header = head[at]
    sample = [cells for _, cells in head[at + 1 : at + 1 + SAMPLE_ROWS]]
    sample = [cells for cells in sample if not sniffing.is_blank(cells)]
    width = sniffing.width(header, sample)
    reading = source.reading(header_row)
    if width > MAX_COLUMNS:
        reading.findings.append(
            Finding(
                "too_many_columns", "error", header_row, count=width, params={"max": MAX_COLUMNS}
            )
        )
        return reading
    reading.columns, header_findings = _columns(header, header_row, width, sample, types, tolerance)
    check = _Check(reading.columns)
    check.run(chain(head[at + 1 :], source.records), header_row)
    reading.rows, reading.preview = check.rows, check.preview
    reading.encoding = source.encoding()  # known for sure once every line was read
    reading.findings += [
        *source.findings(header_row, reading.columns),
        *header_findings,
        *check.findings(),
    ]
    if not reading.rows:
        reading.findings.append(Finding("empty_table", "error", row=header_row, count=0))
    return reading


class _Source:
    """The file's records, and what its format tells beyond them."""

    def __init__(self, path: Path, hint: str | None, sheet: str | None) -> None:
        self.format = sniffing.detect_format(path, hint)
        self.text: TextTable | None = None
        self.book: Workbook | None = None
        self.others: list[str] = []
        if self.format in WORKBOOKS:
            try:
                self.book = Workbook(path, self.format)
                self.sheet, self.others = self.book.choose(sheet)
            except Unreadable as exc:
                exc.format, exc.sheets = self.format, self.book.sheets if self.book else []
                raise
            self.records = self.book.records(self.sheet)
        else:
            encoding = sniffing.detect_encoding(sniffing.read_head(path))
            separator = "\t" if self.format == "tsv" else sniffing.detect_separator(path, encoding)
            self.text, self.sheet = TextTable(path, encoding, separator), None
            self.records = self.text.records()

    def reading(self, header_row: int) -> Reading:
        return Reading(
            format=self.format,
            encoding=self.text.encoding if self.text else None,
            separator=self.text.separator if self.text else None,
            header_row=header_row,
            sheet=self.sheet,
            sheets=self.book.sheets if self.book else [],
            columns=[],
            preview=[],
            rows=0,
            findings=[],
        )

    def encoding(self) -> str | None:
        return self.text.decoder.found_encoding if self.text else None

    def findings(self, header_row: int, columns: list[Column]) -> list[Finding]:
        if self.text is not None:
            return self._encoding_findings(self.text)
        if self.book is not None:
            return self._sheet_findings(self.book, header_row - 1, columns)
        return []

    def _encoding_findings(self, text: TextTable) -> list[Finding]:
        if not text.decoder.mixed:
            return []
        return [
            Finding(
                "mixed_encoding", "error", text.legacy_rows[0], None, text.legacy_count,
                text.legacy_examples, {"encodings": ["utf-8", text.decoder.legacy]},
            )
        ]  # fmt: skip

    def _sheet_findings(self, book: Workbook, top: int, columns: list[Column]) -> list[Finding]:
        """Other sheets, and merged cells and formulas from the header down (``top``,
        from 0): a merged title above the table is harmless."""
        found = []
        if self.others:
            found.append(Finding("other_sheets", "warning", params={"sheets": self.others}))
        offset = book.first_column(self.sheet)

        def column(index: int) -> str | None:  # a sheet's column (from 0) as the table's
            return columns[index - offset].name if 0 <= index - offset < len(columns) else None

        merged = book.merged(self.sheet, top)
        if merged:
            (row, col, *_), ranges = merged[0], [_range_name(r) for r in merged]
            found.append(
                Finding(
                    "merged_cells", "warning", row + 1, column(col), len(merged),
                    params={"ranges": ranges[:MAX_EXAMPLES]},
                )
            )  # fmt: skip
        count, first = book.formulas(self.sheet, top)
        if count and first:
            found.append(
                Finding(
                    "formulas", "warning", first[0] + 1, column(first[1]), count,
                    params={"cell": cell_name(*first)},
                )
            )  # fmt: skip
        elif count:  # cells without their reference (it is optional in XLSX)
            found.append(Finding("formulas", "warning", count=count))
        return found


def _range_name(merged: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = merged
    return f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"


def _records(path: Path, reading: Reading) -> Iterator[tuple[int, list[Any]]]:
    """The file's records, read as ``reading`` found them to be."""
    if reading.format in WORKBOOKS:
        return Workbook(path, reading.format).records(reading.sheet or "")
    return TextTable(path, reading.encoding or "utf-8", reading.separator or ",").records()


def _data_rows(
    records: Iterator[tuple[int, list[Any]]], header_row: int, width: int
) -> Iterator[tuple[int, list[Any] | None, list[Any], int]]:
    """The rows below the header: (row number, values or None when blank, cells
    beyond the header that are filled, number of cells). Values are stripped, empty
    ones None, as many as the header has columns."""
    for number, cells in records:
        if number <= header_row:
            continue
        values = list(map(cell_value, cells[:width]))
        extra = [c for c in map(cell_value, cells[width:]) if c is not None]
        if len(values) < width:
            values += [None] * (width - len(values))
        blank = not extra and all(v is None for v in values)
        yield number, None if blank else values, extra, len(cells)


class _Occurrences:
    """Where something was seen: how often, first row, first few examples."""

    __slots__ = ("count", "first", "examples")

    def __init__(self) -> None:
        self.count, self.first, self.examples = 0, None, []

    def add(self, row: int, example: Any = None) -> None:
        self.count += 1
        if self.first is None:
            self.first = row
        if example is not None and len(self.examples) < MAX_EXAMPLES:
            text = column_types.as_text(example)[:80]
            if text not in self.examples:
                self.examples.append(text)

    def finding(self, code: str, severity: str, column: str | None = None, **params) -> list:
        if not self.count:
            return []
        return [Finding(code, severity, self.first, column, self.count, self.examples, params)]


class _Tally:
    """What the pass learns about one column's values."""

    def __init__(self, column: Column) -> None:
        self.column = column
        self.parse = column_types.parser(column.type, column.parse)
        self.filled = 0
        self.distinct: set[Any] | None = set()
        self.mismatches = _Occurrences()
        dates = column.type in ("date", "datetime")
        self.formats: dict[str, _Occurrences] | None = {} if dates else None
        self.personal = {k: _Occurrences() for k in personal_data.KINDS}
        self.look_personal = column.type in PERSONAL_TYPES

    def add(self, row: int, value: Any) -> Any:
        """The value typed (MISMATCH if its type cannot read it), noted."""
        self.filled += 1
        if self.distinct is not None:
            self.distinct.add(value)
            if len(self.distinct) > DISTINCT_CAP:
                self.distinct = None
        typed = self.parse(value)
        if typed is MISMATCH:
            self.mismatches.add(row, value)
        elif self.formats is not None and value.__class__ is str:
            fmt = column_types.date_format(value, typed)
            self.formats.setdefault(fmt, _Occurrences()).add(row, value)
        if self.look_personal:
            kind = personal_data.kind_of(column_types.as_text(value))
            if kind is not None:
                self.personal[kind].add(row)
        return typed

    def findings(self) -> list[Finding]:
        name = self.column.name
        found = self.mismatches.finding("type_mismatch", "error", name, type=self.column.type)
        return found + self._date_findings(name) + self._personal_findings(name)

    def _date_findings(self, name: str) -> list[Finding]:
        formats = self.formats or {}
        found = []
        day_first = sorted(
            (f for f in formats if f in column_types.DAY_FIRST), key=lambda f: -formats[f].count
        )
        if len(day_first) > 1:  # the most used format first, the others reported
            others = [formats[f] for f in day_first[1:]]
            labels = [column_types.DATE_LABELS[f] for f in day_first]
            found.append(
                Finding(
                    "mixed_date_formats", "warning", min(o.first for o in others), name,
                    sum(o.count for o in others), [o.examples[0] for o in others],
                    {"formats": labels},
                )
            )  # fmt: skip
        for fmt in column_types.MONTH_FIRST:
            if fmt in formats:
                labels = [column_types.DATE_LABELS[fmt]]
                found += formats[fmt].finding("ambiguous_dates", "warning", name, formats=labels)
        return found

    def _personal_findings(self, name: str) -> list[Finding]:
        """No examples: the reading is stored, and shown to the authority's editors."""
        return [
            Finding("personal_data", "warning", seen.first, name, seen.count, params={"kind": kind})
            for kind, seen in self.personal.items()
            if seen.count
            and (
                kind == "national_register_number"
                or seen.count >= personal_data.SHARE * self.filled
            )
        ]


class _Check:
    """The pass over every data row: typed values for the preview, findings."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        self.tallies = [_Tally(c) for c in columns]
        self.rows = 0
        self.preview: list[list[Any]] = []
        self.blank, self.long, self.short, self.lost = (_Occurrences() for _ in range(4))
        self.long_params: dict[str, int] = {}
        self.short_params: dict[str, int] = {}

    def run(self, records: Iterator[tuple[int, list[Any]]], header_row: int) -> None:
        width, tallies = len(self.tallies), self.tallies
        for number, values, extra, cells in _data_rows(records, header_row, width):
            if values is None:
                self.blank.add(number)
                continue
            self.rows += 1
            typed = [None if v is None else tallies[i].add(number, v) for i, v in enumerate(values)]
            for value in values:
                if value.__class__ is str and ("?" in value or "\ufffd" in value):
                    if _LOST.search(value):
                        self.lost.add(number, value)
            if extra:
                self.long.add(number, "; ".join(map(column_types.as_text, extra)))
                self.long_params = self.long_params or {"expected": width, "found": cells}
            elif cells < width:
                self.short.add(number)
                self.short_params = self.short_params or {"expected": width, "found": cells}
            if len(self.preview) < PREVIEW_ROWS:
                self.preview.append([_none(v) for v in typed])
        for column, tally in zip(self.columns, tallies, strict=True):
            column.filled = tally.filled
            column.distinct = None if tally.distinct is None else len(tally.distinct)

    def findings(self) -> list[Finding]:
        return [
            *self.lost.finding("lost_characters", "warning"),
            *self.long.finding("ragged_row_long", "error", **self.long_params),
            *self.short.finding("ragged_row_short", "warning", **self.short_params),
            *self.blank.finding("blank_rows", "warning"),
            *(f for tally in self.tallies for f in tally.findings()),
        ]


# A letter lost to "?" inside a word ("Ministe?re", not a URL's "page?lang=fr"), or
# to the replacement character.
_LOST = re.compile(r"[^\W\d_]\?(?![\w.-]*=)[^\W\d_]|\ufffd")


# Columns


def _columns(
    header: list[Any],
    row: int,
    width: int,
    sample: list[list[Any]],
    types: Mapping[str, str],
    tolerance: float,
) -> tuple[list[Column], list[Finding]]:
    """The table's columns, named from the header (on ``row``), typed from the
    sample (or as ``types`` say)."""
    sources = [
        column_types.as_text(header[i]).strip() if i < len(header) else "" for i in range(width)
    ]
    names, findings = _names(sources, row)
    columns = []
    for i, (name, source) in enumerate(zip(names, sources, strict=True)):
        values = [cells[i] for cells in sample if i < len(cells)]
        values = [v for v in map(cell_value, values) if v is not None]
        if name in types:
            kind, parse = types[name], column_types.default_parse(types[name], values)
        else:
            kind, parse = column_types.infer(source, values, tolerance)
        columns.append(Column(name, source, kind, parse))
    return columns, findings


def _names(sources: list[str], row: int) -> tuple[list[str], list[Finding]]:
    """DataStore column names for the headers (on ``row``): a blank one is column_N
    (its position), a repeated one gets _2, _3..."""
    names: dict[str, None] = {}  # ordered, and fast to look up
    findings = []
    for position, source in enumerate(sources, start=1):
        base = _identifier(source) or f"column_{position}"
        name, n = base, 1
        while name in names:
            n += 1
            name = _fit(base, MAX_NAME_BYTES - len(f"_{n}")) + f"_{n}"
        if not source:
            findings.append(Finding("blank_header", "warning", row, name))
        elif name != base:
            params = {"source_name": source}
            findings.append(Finding("duplicate_header", "warning", row, name, params=params))
        names[name] = None
    return list(names), findings


def _identifier(source: str) -> str:
    """A header as a PostgreSQL column name: no '"', no leading "_" (the DataStore's
    own columns), one space between words, at most 63 bytes."""
    name = " ".join(source.replace('"', "").split()).lstrip("_").strip()
    return _fit(name, MAX_NAME_BYTES)


def _fit(text: str, size: int) -> str:
    return text.encode()[:size].decode(errors="ignore").rstrip()


# Values


def _none(value: Any) -> Any:
    return None if value is MISMATCH else value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _typed(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    return value


def _unreadable(reason: str, format: str, sheets: list[str] | None = None) -> Reading:
    finding = Finding("unreadable", "error", params={"reason": reason})
    return Reading(format, None, None, 0, None, sheets or [], [], [], 0, [finding])


def _hinted(format: str | None) -> str:
    hint = (format or "").strip().lower().lstrip(".")
    return hint if hint in FORMATS else "csv"


def _is_parser_error(exc: BaseException) -> bool:
    """A library's verdict on a broken file (calamine, zip, XML, csv), not a bug."""
    return type(exc).__module__.split(".")[0] in (
        "python_calamine",
        "zipfile",
        "xml",
        "_csv",
        "pyo3_runtime",
    )
