"""Workbooks (XLSX, ODS, XLS): their sheets' rows, read by calamine, and what
calamine does not tell: which cells are formulas (XLSX, ODS) and, for ODS, which are
merged, found by streaming the sheet's XML out of the zip.

XLSX and ODS files are zips: one whose members would unzip to more than 1 GiB, or
to more than 200 times its size, is refused before anything is decompressed.
Calamine holds the chosen sheet's cells in memory (compactly, in Rust; a sheet has
at most 1,048,576 rows); the XML is streamed. XLS formulas are not looked for:
their records need a BIFF parser of their own, and XLS files are rare now.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError

from ckanext.wepulse.uploads.sniffing import Unreadable

__all__ = ["MAX_RATIO", "MAX_UNZIPPED", "Workbook", "cell_name"]

MAX_UNZIPPED = 1 << 30
MAX_RATIO = 200

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

Range = tuple[int, int, int, int]  # first row, first column, last row, last column (from 0)


class Workbook:
    """A workbook's sheets, one of them open."""

    def __init__(self, path: Path, format: str) -> None:
        if format in ("xlsx", "ods"):
            _check_zip(path)
        self.path, self.format = path, format
        with _broken(format):
            self.book = CalamineWorkbook.from_path(str(path))
        self.sheets: list[str] = list(self.book.sheet_names)
        self._open: dict[str, CalamineSheet] = {}

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

    def merged(self, name: str) -> list[Range]:
        if self.format == "ods":
            return [rng for rng, _ in _ods_cells(self.path, name) if rng is not None]
        ranges = self._sheet(name).merged_cell_ranges or []
        return [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges]

    def formulas(self, name: str) -> Iterator[tuple[int, int]]:
        """(row, column) of each cell computed by a formula, from 0."""
        if self.format == "ods":
            yield from (cell for rng, cell in _ods_cells(self.path, name) if rng is None)
        elif self.format == "xlsx":
            with zipfile.ZipFile(self.path) as archive:
                member = _xlsx_member(archive, name)
                if member is not None:
                    with archive.open(member) as xml:
                        yield from _xlsx_formulas(xml)

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


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unreadable("corrupt") from exc
    if unzipped > MAX_UNZIPPED or unzipped > MAX_RATIO * max(path.stat().st_size, 1):
        raise Unreadable("too_large")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _streamed(xml: IO[bytes]) -> Iterator[tuple[str, ElementTree.Element]]:
    """iterparse's start and end events, each row dropped once read (memory flat)."""
    stack: list[ElementTree.Element] = []
    for event, element in ElementTree.iterparse(xml, events=("start", "end")):
        if event == "start":
            stack.append(element)
        else:
            stack.pop()
            if stack and _local(element.tag) in ("row", "table-row"):
                stack[-1].remove(element)
        yield event, element


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


def _xlsx_formulas(xml: IO[bytes]) -> Iterator[tuple[int, int]]:
    row = column = -1
    for event, element in _streamed(xml):
        name = _local(element.tag)
        if event == "end":
            if name == "f":
                yield row, column
        elif name == "row":  # r is optional: rows and cells then follow each other
            row, column = int(element.get("r", row + 2)) - 1, -1
        elif name == "c":
            ref = element.get("r")
            column = _column_index(ref) if ref else column + 1


def _column_index(ref: str) -> int:
    index = 0
    for char in ref:
        if not char.isalpha():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


# ODS


def _ods_cells(path: Path, sheet: str) -> Iterator[tuple[Range | None, tuple[int, int]]]:
    """The sheet's merged ranges (range, first cell) and formula cells (None, cell),
    counting repeated rows and columns as the file compresses them."""
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as xml:
        inside, row, column = False, 0, 0
        for event, element in _streamed(xml):
            name = _local(element.tag)
            if name == "table":
                if inside:  # the end of our sheet
                    return
                inside = event == "start" and element.get(f"{_TABLE}name") == sheet
            elif not inside:
                continue
            elif name == "table-row":
                if event == "start":
                    column = 0
                else:
                    row += int(element.get(f"{_TABLE}number-rows-repeated", 1))
            elif name in ("table-cell", "covered-table-cell") and event == "start":
                yield from _ods_cell(element, row, column)
                column += int(element.get(f"{_TABLE}number-columns-repeated", 1))


def _ods_cell(
    element: ElementTree.Element, row: int, column: int
) -> Iterator[tuple[Range | None, tuple[int, int]]]:
    across = int(element.get(f"{_TABLE}number-columns-spanned", 1))
    down = int(element.get(f"{_TABLE}number-rows-spanned", 1))
    if across > 1 or down > 1:
        yield (row, column, row + down - 1, column + across - 1), (row, column)
    if element.get(f"{_TABLE}formula") is not None:
        yield None, (row, column)
