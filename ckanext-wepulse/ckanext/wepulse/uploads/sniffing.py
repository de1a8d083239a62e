"""What a file is before it is read: its format, and for text files its encoding,
its separator and its records; for every table, the row holding its header.

Municipal CSV files come out of Excel on Windows (cp1252), out of old DOS or
mainframe exports (cp850), or UTF-8 with or without a byte order mark, and now and
then a mix of two after copy-and-paste. So text is decoded line by line: a line
that is valid UTF-8 is UTF-8, any other line is read in the legacy encoding most
plausible for the file, and a file with both kinds of lines is reported.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "LEGACY_ENCODINGS",
    "SEPARATORS",
    "TextTable",
    "Unreadable",
    "check_zip",
    "cell_value",
    "detect_encoding",
    "detect_format",
    "detect_separator",
    "read_head",
    "span",
    "width",
    "find_header",
    "is_blank",
]

SEPARATORS = (";", ",", "\t", "|")
# Tried in this order, the first one winning ties: Windows, then DOS, then ISO.
LEGACY_ENCODINGS = ("cp1252", "cp850", "iso-8859-15")
HEAD_BYTES = 1 << 20  # what encoding and separator are sniffed from
MAX_LINE = 16 << 20  # a longer line is not a table's (memory stays bounded)
FIELD_LIMIT = 1 << 20
MAX_UNZIPPED = 1 << 30
MAX_RATIO = 200
_CHUNK = 1 << 16
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 26))  # 26: DOS's end
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMAT_NAMES = {"csv": "csv", "tsv": "tsv", "tab": "tsv", "txt": "csv", "xlsx": "xlsx"}
_FORMAT_NAMES |= {"xls": "xls", "ods": "ods", "text/csv": "csv", "text/tab-separated-values": "tsv"}

# csv's limit is process-wide; 1 MiB keeps a runaway quoted field from eating memory.
csv.field_size_limit(FIELD_LIMIT)


class Unreadable(Exception):
    """The file cannot be read as a table; ``reason`` says why, as a stable code."""

    def __init__(self, reason: str, format: str | None = None, sheets: list[str] = ()) -> None:
        super().__init__(reason)
        self.reason, self.format = reason, format
        self.sheets = list(sheets)  # a workbook's, to choose another one


# Format


def detect_format(path: Path, hint: str | None) -> str:
    """csv, tsv, xlsx, ods or xls: from the content where it says (a zip, an OLE
    container), else from the hint; text is CSV unless the hint says TSV."""
    with path.open("rb") as f:
        magic = f.read(8)
    if magic.startswith(_ZIP_MAGIC):
        return _zip_format(path)
    if magic == _OLE_MAGIC:
        return "xls"
    named = _FORMAT_NAMES.get((hint or "").strip().lower().lstrip("."))
    return "tsv" if named == "tsv" else "csv"


def _zip_format(path: Path) -> str:
    names = check_zip(path)
    if "content.xml" in names:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise Unreadable("not_a_table", "xlsx")


def check_zip(path: Path) -> set[str]:
    """The members of a zip that may be unzipped: all of them together no more than
    1 GiB, nor 200 times the zip's size (a zip bomb), as its directory declares them
    (Python's zipfile stops at the declared size)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unreadable("corrupt", "xlsx") from exc
    unzipped = sum(member.file_size for member in members)
    if unzipped > MAX_UNZIPPED or unzipped > MAX_RATIO * max(path.stat().st_size, 1):
        raise Unreadable("too_large", "xlsx")
    return {member.filename for member in members}


# Encoding


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file whose first bytes are ``head``."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    controls = len(head) - len(head.translate(None, _CONTROLS))
    if controls > max(len(head) / 100, 8):
        raise Unreadable("binary")  # an image, a PDF, a UTF-16 file without its BOM...
    if _is_utf8(head, final=False):
        return "utf-8"
    # A mix: UTF-8 if most lines beyond ASCII are (the others are reported), else the
    # legacy encoding those other lines read best in.
    lines = [line for line in head.split(b"\n") if not line.isascii()]
    legacy = [line for line in lines if not _is_utf8(line)]
    if len(legacy) * 2 <= len(lines):
        return "utf-8"
    return best_legacy(b"\n".join(legacy))


def _is_utf8(data: bytes, final: bool = True) -> bool:
    try:  # not final: the head may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def best_legacy(data: bytes) -> str:
    """The legacy encoding under which ``data`` reads most like text."""
    scores = {}
    for encoding in LEGACY_ENCODINGS:
        try:
            scores[encoding] = _plausibility(data.decode(encoding))
        except UnicodeDecodeError:  # cp1252 leaves five bytes undefined
            continue
    return max(scores, key=scores.__getitem__)  # iso-8859-15 decodes anything


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TYPOGRAPHY = set("€£°«»‘’“”–—…•·§²³µ")


def _plausibility(text: str) -> int:
    """How much the non-ASCII characters of ``text`` look intended: letters inside
    words, no-break spaces between digits (1 063 850,00), typography. A letter
    between digits (cp850's á for a no-break space), a capital after a small letter,
    a control or punctuation character inside a word are not."""
    score = 0
    for match in _NON_ASCII.finditer(text):
        i = match.start()
        char, before = match.group(), text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if char.isalpha():
            score += 2 if before.isalpha() or after.isalpha() else 0
            score -= 3 if before.isdigit() or after.isdigit() else 0
            score -= 2 if char.isupper() and before.islower() else 0
        elif unicodedata.category(char) == "Cc":
            score -= 5
        elif before.isalpha() and after.isalpha():
            score -= 3
        elif char in "\u00a0\u202f":
            score += 1 if before.isdigit() or after.isdigit() else 0
        else:
            score += 1 if char in _TYPOGRAPHY else -1
    return score


class _LineDecoder:
    """Decodes lines one by one: UTF-8 where a line is, else a legacy encoding: the
    file's, or the one the first non-UTF-8 line reads best in (then kept, so that
    reading the file again decodes it the same way)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.legacy = encoding if encoding in LEGACY_ENCODINGS else None
        self.legacy_lines = 0  # lines read in the legacy encoding
        self.utf8_lines = 0  # lines with UTF-8 beyond ASCII
        self.bom = encoding == "utf-8-sig"

    def decode(self, line: bytes) -> str:
        if self.bom:
            line, self.bom = line.removeprefix(codecs.BOM_UTF8), False
        if line.isascii():
            text = line.decode("ascii")
        else:
            try:
                text = line.decode("utf-8")
                self.utf8_lines += 1
            except UnicodeDecodeError:
                self.legacy = self.legacy or best_legacy(line)
                self.legacy_lines += 1
                text = line.decode(self.legacy, errors="replace")
        return text.replace("\x00", "") if "\x00" in text else text  # PostgreSQL has no NUL

    @property
    def mixed(self) -> bool:
        return bool(self.legacy_lines and self.utf8_lines)

    @property
    def found_encoding(self) -> str:
        """The encoding the whole file turned out to be in (for a mix: the one its
        head is in)."""
        if self.legacy_lines and not self.utf8_lines:
            return self.legacy or self.encoding
        return self.encoding


def _split_lines(f: BinaryIO, end: bytes) -> Iterator[bytes]:
    """The lines of a binary file, each with its end, none longer than MAX_LINE."""
    rest = b""
    while chunk := f.read(_CHUNK):
        lines = (rest + chunk).split(end)
        rest = lines.pop()
        if len(rest) > MAX_LINE:
            raise Unreadable("line_too_long")
        for line in lines:
            yield line + end
    if rest:
        yield rest


class TextTable:
    """A CSV file's records as (row number, cells), decoded as ``encoding`` says;
    once read, which records had a line in a legacy encoding."""

    def __init__(self, path: Path, encoding: str, separator: str = ",") -> None:
        self.path, self.encoding, self.separator = path, encoding, separator
        self.decoder = _LineDecoder(encoding)
        self.legacy_rows: list[int] = []  # records with a line in a legacy encoding:
        self.legacy_examples: list[str] = []  # the first few,
        self.legacy_count = 0  # and how many

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self.lines(), delimiter=self.separator)
        seen = 0
        for number, cells in enumerate(reader, start=1):
            if self.decoder.legacy_lines != seen:  # this record had a legacy line
                seen = self.decoder.legacy_lines
                self.legacy_count += 1
                if len(self.legacy_rows) < 5:
                    self.legacy_rows.append(number)
                    self.legacy_examples.append(self.separator.join(cells)[:80])
            yield number, cells

    def lines(self) -> Iterator[str]:
        with self.path.open("rb") as f:
            if self.encoding == "utf-16":  # two-byte newlines: Python's codec splits them
                yield from io.TextIOWrapper(f, encoding="utf-16", newline="")
                return
            head = f.read(HEAD_BYTES)
            f.seek(0)
            # Old Macintosh files end their lines with CR alone.
            end = b"\r" if b"\n" not in head and b"\r" in head else b"\n"
            for line in _split_lines(f, end):
                yield self.decoder.decode(line)


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


# Separator


def detect_separator(path: Path, encoding: str) -> str:
    """The separator that cuts the first records of the file into the same number
    of cells most often (the more cells the better, on a tie)."""
    with closing(TextTable(path, encoding).lines()) as lines:
        sample = list(islice(lines, 200))
    best, best_key = ",", (0.0, 0)
    for separator in SEPARATORS:
        try:
            counts = Counter(
                len(cells) for cells in csv.reader(sample, delimiter=separator) if any(cells)
            )
        except csv.Error:
            continue
        if not counts:
            continue
        width, times = counts.most_common(1)[0]
        key = (round(times / sum(counts.values()), 1), width)
        if width > 1 and key > best_key:
            best, best_key = separator, key
    if best_key == (0.0, 0):  # one column: the separator written most, if any
        text = "".join(sample)
        return max(SEPARATORS, key=lambda s: (text.count(s), s == ","))
    return best


# Header


def cell_value(cell: Any) -> Any:
    """A cell as a table holds it: text stripped, None when empty."""
    if cell.__class__ is str:
        return cell.strip() or None
    return cell


def is_blank(cells: Sequence[Any]) -> bool:
    return all(cell_value(c) is None for c in cells)


_NUMERIC = re.compile(r"[+-]?[0-9][0-9 .,'\u00a0\u202f]*%?")


def find_header(rows: Sequence[Sequence[Any]]) -> int:
    """The index of the header among the first rows of a table: the first row as
    wide as the rows below it, whose cells are mostly distinct words (not numbers).
    Title rows and blank rows above it are skipped."""
    spans = [span(cells) for cells in rows]
    candidates = [i for i, span in enumerate(spans) if span][:20]
    if not candidates:
        return 0
    fits = [i for i in candidates if _as_wide(rows[i], spans[i + 1 : i + 201])]
    for i in fits:
        if _looks_like_names(rows[i]):
            return i
    return fits[0] if fits else candidates[0]


def span(cells: Sequence[Any]) -> int:
    """How far a row reaches: the position of its last filled cell, plus one."""
    for i in range(len(cells) - 1, -1, -1):
        if cell_value(cells[i]) is not None:
            return i + 1
    return 0


def width(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> int:
    """A table's width: its header's, or its rows' most common one when wider (a
    column without a header)."""
    return max(span(header), _most_common([span(cells) for cells in rows]))


def _most_common(spans: list[int]) -> int:
    counts = Counter(s for s in spans if s)
    return counts.most_common(1)[0][0] if counts else 0


def _as_wide(cells: Sequence[Any], spans_below: list[int]) -> bool:
    width = _most_common(spans_below) or span(cells)
    filled = sum(cell_value(c) is not None for c in cells)
    # A header may leave a cell or two blank (a quarter of a wide table's at most).
    return filled >= max(min(width, 2), width - width // 4)


def _looks_like_names(cells: Sequence[Any]) -> bool:
    names = [c.strip() for c in cells if c.__class__ is str and c.strip()]
    words = [n for n in names if not _NUMERIC.fullmatch(n)]
    filled = sum(cell_value(c) is not None for c in cells)
    return len(words) * 2 >= filled and len(set(names)) >= 0.8 * len(names)
