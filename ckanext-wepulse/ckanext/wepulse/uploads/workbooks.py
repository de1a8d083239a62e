"""Workbooks (XLSX, ODS, XLS): their sheets' rows, read by calamine, and what
calamine does not tell: which cells are formulas (XLSX, ODS) and, for ODS, which are
merged. Those are found by scanning the sheet's XML as it is unzipped, a window at a
time: an XML parser in Python would take minutes on a big sheet.

XLSX and ODS files are zips, checked before anything is unzipped (a zip bomb is
refused: ``sniffing.check_zip``). Calamine holds the chosen sheet's cells in memory
(compactly, in Rust; a sheet has at most 1,048,576 rows). XLS formulas are not
looked for: their records need a BIFF parser of their own, and XLS files are rare.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError

from ckanext.wepulse.uploads.sniffing import Unreadable, check_zip

__all__ = ["Workbook", "cell_name"]

_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

Range = tuple[int, int, int, int]  # first row, first column, last row, last column (from 0)
Cell = tuple[int, int]  # row, column (from 0)


class Workbook:
    """A workbook's sheets, one of them open."""

    def __init__(self, path: Path, format: str) -> None:
        if format in ("xlsx", "ods"):
            check_zip(path)
        self.path, self.format = path, format
        with _broken(format):
            self.book = CalamineWorkbook.from_path(str(path))
        self.sheets: list[str] = list(self.book.sheet_names)
        self._open: dict[str, CalamineSheet] = {}
        self._ods_scan: _OdsScan | None = None

    def choose(self, wanted: str | None) -> tuple[str, list[str]]:
        """The sheet to read (``wanted``, else the first that has data) and the other
        sheets that have data. Each sheet is loaded once, the chosen one kept."""
        if wanted is not None and wanted not in self.sheets:
            raise Unreadable("no_such_sheet")
        chosen, others = wanted, []
        for name in self.sheets:
            if name == chosen:
                continue
            try:
                sheet = self.book.get_sheet_by_name(name)
            except CalamineError:  # a chart sheet
                continue
            if sheet.height and chosen is None:
                chosen, self._open = name, {name: sheet}
            elif sheet.height:
                others.append(name)
        if chosen is None:
            raise Unreadable("empty")
        return chosen, others

    def records(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        """The sheet's rows as (row number, cells), from its first row (blank rows
        included) and its first filled column."""
        yield from enumerate(self._sheet(name).iter_rows(), start=1)

    def first_column(self, name: str) -> int:
        """The sheet's first filled column (from 0), where its rows' cells start."""
        start = self._sheet(name).start
        return start[1] if start else 0

    def merged(self, name: str, top: int) -> list[Range]:
        """The merged ranges that reach row ``top`` (from 0) or below, in order."""
        if self.format == "ods":
            return self._ods(name, top).merged
        ranges = self._sheet(name).merged_cell_ranges or []
        return sorted((r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges if r2 >= top)

    def formulas(self, name: str, top: int) -> tuple[int, Cell | None]:
        """How many cells from row ``top`` (from 0) down are computed by a formula,
        and the first of them (when the file says where it is)."""
        if self.format == "ods":
            scan = self._ods(name, top)
            return scan.formulas, scan.first_formula
        if self.format == "xlsx":
            with zipfile.ZipFile(self.path) as archive:
                member = _xlsx_member(archive, name)
                if member is not None:
                    with archive.open(member) as xml:
                        return _xlsx_formulas(xml, top)
        return 0, None

    def _ods(self, name: str, top: int) -> _OdsScan:
        scan = self._ods_scan
        if scan is None or (scan.sheet, scan.top) != (name, top):
            scan = self._ods_scan = _OdsScan(name, top)
            with zipfile.ZipFile(self.path) as archive:
                with archive.open("content.xml") as xml:  # most files have neither
                    needed = any(
                        b"formula=" in buffer or b"-spanned=" in buffer
                        for buffer, _, _ in _windows(xml)
                    )
                if needed:
                    with archive.open("content.xml") as xml:
                        scan.read(xml)
        return scan

    def _sheet(self, name: str) -> CalamineSheet:
        if name not in self._open:
            with _broken(self.format):
                self._open = {name: self.book.get_sheet_by_name(name)}  # one sheet in memory
        return self._open[name]


def cell_name(row: int, column: int) -> str:
    """A1 notation of a cell (row and column from 0)."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


@contextmanager
def _broken(format: str) -> Iterator[None]:
    """Calamine's verdict on a file it cannot read, as a reason."""
    try:
        yield
    except PasswordError as exc:
        raise Unreadable("encrypted", format) from exc
    except CalamineError as exc:
        raise Unreadable("corrupt", format) from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# XLSX


def _xlsx_member(archive: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the sheet called ``name``: the workbook gives its
    relationship id, the relationships its file."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = {s.get("name"): s.get(_RELATIONSHIP_ID) for s in book.iter() if _local(s.tag) == "sheet"}
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}.get(ids.get(name))
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_CHUNK = 1 << 20
_GUARD = 4096  # longer than any tag: one starting before a window's end is whole in it
_LOOKBACK = 1024  # a formula's cell starts this close before it, at most
_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')


def _windows(xml: IO[bytes], keep: int = 0) -> Iterator[tuple[bytes, int, int]]:
    """The stream as overlapping windows (buffer, start, end): a scan takes what
    starts in [start, end); the buffer runs on past ``end`` so that such a tag is
    whole, and keeps ``keep`` bytes before ``start`` to look back into."""
    buffer, start = b"", 0
    while True:
        chunk = xml.read(_CHUNK)
        buffer += chunk
        end = len(buffer) - _GUARD if chunk else len(buffer)
        if end > start:
            yield buffer, start, end
            cut = max(0, end - keep)
            buffer, start = buffer[cut:], end - cut
        if not chunk:
            return


def _xlsx_formulas(xml: IO[bytes], top: int) -> tuple[int, Cell | None]:
    """Formulas are <f> elements inside their cells, <c r="F4">. The sheet's bytes
    are scanned for them: parsing a big sheet's XML in Python takes long (25 s for
    250,000 rows of 12 cells; the scan, under a second)."""
    count, first, formula = 0, None, b""
    for buffer, start, end in _windows(xml, _LOOKBACK):
        if not formula:  # a namespace prefix on every tag, rarely
            prefix = re.search(rb"<(\w+:)?worksheet\b", buffer)
            formula = b"<" + (prefix[1] or b"" if prefix else b"") + b"f"
        at = buffer.find(formula, start)
        while -1 < at < end:
            if buffer[at + len(formula) : at + len(formula) + 1] in (b">", b" ", b"/"):
                cell_start = buffer.rfind(formula[:-1] + b"c ", max(0, at - _LOOKBACK), at)
                cell = _cell_at(buffer, cell_start)
                if cell is None or cell[0] >= top:
                    count, first = count + 1, first or cell
            at = buffer.find(formula, at + 1)
    return count, first


def _cell_at(buffer: bytes, start: int) -> Cell | None:
    """The cell whose start tag begins at ``start``, from its r="F4"."""
    match = _REFERENCE.search(buffer, start, buffer.find(b">", start)) if start >= 0 else None
    if match is None:
        return None
    column = 0
    for letter in match[1]:
        column = column * 26 + letter - 64
    return int(match[2]) - 1, column - 1


# ODS

_ODS_TABLE_NAMESPACE = rb'xmlns:([\w.-]+)="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'


class _OdsScan:
    """One sheet's merged cells and formula cells from row ``top`` down, in an ODS
    content.xml. Its rows' and cells' start tags are scanned for, as bytes (as for
    XLSX: an XML parser in Python is slow), counting repeated rows and columns as
    the file compresses them."""

    def __init__(self, sheet: str, top: int) -> None:
        self.sheet, self.top = sheet, top
        self.merged: list[Range] = []
        self.formulas, self.first_formula = 0, None
        self.inside, self.row, self.column, self.repeat = False, 0, 0, 0

    def read(self, xml: IO[bytes]) -> None:
        tags = None
        for buffer, start, end in _windows(xml):
            if tags is None:
                prefix = re.search(_ODS_TABLE_NAMESPACE, buffer)
                self.prefix = prefix[1] if prefix else b"table"
                names = b"table-row|table-cell|covered-table-cell|table"
                tags = re.compile(rb"<" + self.prefix + rb":(" + names + rb")(?=[\s/>])([^>]*)>")
            for match in tags.finditer(buffer, start):
                if match.start() >= end:
                    break
                if self._tag(match[1], match[2]):
                    return

    def _tag(self, name: bytes, attributes: bytes) -> bool:
        """Notes one start tag; True at the end of the sheet."""
        if name == b"table":
            if self.inside:
                return True
            self.inside = html.unescape(self._attribute(attributes, b"name", "")) == self.sheet
        elif not self.inside:
            pass
        elif name == b"table-row":
            self.row, self.column = self.row + self.repeat, 0
            self.repeat = int(self._attribute(attributes, b"number-rows-repeated", 1))
        elif b"=" not in attributes:  # most cells: a plain empty one
            self.column += 1
        else:
            self._cell(attributes)
        return False

    def _cell(self, attributes: bytes) -> None:
        row, column = self.row, self.column
        if b"-spanned=" in attributes:
            across = int(self._attribute(attributes, b"number-columns-spanned", 1))
            down = int(self._attribute(attributes, b"number-rows-spanned", 1))
            if (across > 1 or down > 1) and row + down > self.top:
                self.merged.append((row, column, row + down - 1, column + across - 1))
        if b"formula=" in attributes and row >= self.top:
            self.formulas += 1
            self.first_formula = self.first_formula or (row, column)
        self.column += int(self._attribute(attributes, b"number-columns-repeated", 1))

    def _attribute(self, attributes: bytes, name: bytes, default: Any) -> Any:
        if name not in attributes:
            return default
        match = re.search(self.prefix + b":" + name + rb'="([^"]*)"', attributes)
        return match[1].decode() if match else default
