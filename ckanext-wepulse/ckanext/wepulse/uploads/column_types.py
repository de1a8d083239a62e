"""Column types: inferring a column's type from its first values, and reading each
value by it.

A value is a string from a CSV file (stripped, never empty here) or a workbook cell
as calamine gives it (int, float, bool, date, datetime, str). Where a value reads two
ways, Belgian usage wins: a decimal comma, the day before the month. A column gets a
type only if that type reads every value of the sample (otherwise it is text, which
reads anything), or, with a tolerance, all but a small share of them: those are then
reported as breaking the column's type, for the publisher to correct.

A parser takes one non-empty value and returns the typed value or ``MISMATCH``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

__all__ = [
    "DATE_LABELS",
    "MISMATCH",
    "MONTH_FIRST",
    "TYPES",
    "Parser",
    "as_text",
    "date_format",
    "default_parse",
    "infer",
    "parser",
]

TYPES = (
    "integer",
    "decimal",
    "date",
    "datetime",
    "boolean",
    "code",
    "nis_code",
    "postal_code",
    "text",
)

# The fewest values in a sample for a tolerance to apply: below, one odd value in a
# handful may well be the column's nature, not a mistake.
MIN_TOLERATED = 20

MISMATCH: Any = type("Mismatch", (), {"__repr__": lambda self: "MISMATCH"})()
Parser = Callable[[Any], Any]

# Thousands separators: spaces (NBSP and narrow NBSP are what French locales write),
# apostrophes; the other decimal mark is one too.
GROUPS = (" ", "\u00a0", "\u202f", "'", "\u2019")
# A dash alone is zero: Excel's accounting format shows 0 so, and French and Belgian
# tables write "néant" so.
NIL = ("-", "\u2013")
TRUE = ("oui", "ja", "yes", "true", "vrai", "waar")
FALSE = ("non", "nee", "no", "false", "faux", "onwaar")

# strptime-like names, each read by a regex (strptime is slow, and lenient).
_DMY = r"([0-9]{1,2})SEP([0-9]{1,2})SEP([0-9]{4})"
_DATES: dict[str, tuple[re.Pattern[str], tuple[int, int, int]]] = {
    # format: (pattern, positions of year, month, day among its groups)
    "%d/%m/%Y": (re.compile(_DMY.replace("SEP", "/")), (3, 2, 1)),
    "%d-%m-%Y": (re.compile(_DMY.replace("SEP", "-")), (3, 2, 1)),
    "%d.%m.%Y": (re.compile(_DMY.replace("SEP", r"\.")), (3, 2, 1)),
    "%Y-%m-%d": (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"), (1, 2, 3)),
    "%m/%d/%Y": (re.compile(_DMY.replace("SEP", "/")), (3, 1, 2)),
    "%m-%d-%Y": (re.compile(_DMY.replace("SEP", "-")), (3, 1, 2)),
    "%m.%d.%Y": (re.compile(_DMY.replace("SEP", r"\.")), (3, 1, 2)),
}
DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y")  # tried last: only what day-first cannot read
DATE_LABELS = {
    "%d/%m/%Y": "dd/mm/yyyy",
    "%d-%m-%Y": "dd-mm-yyyy",
    "%d.%m.%Y": "dd.mm.yyyy",
    "%Y-%m-%d": "yyyy-mm-dd",
    "%m/%d/%Y": "mm/dd/yyyy",
    "%m-%d-%Y": "mm-dd-yyyy",
    "%m.%d.%Y": "mm.dd.yyyy",
}
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")

_LEADING_ZERO = re.compile(r"0[0-9]+")
_IDENTIFIER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._/-]*")
_POSTAL_HINT = re.compile(r"postal|postcode|code_?post|cd_?post|zip|(^|_)(cp|npa|plz)(_|$)")
_NIS_HINT = re.compile(r"(^|_)(nis|ins|refnis)(_|$)|niscode|inscode|refnis")
# Belgian arrondissements (first two digits of a municipality's NIS code).
_ARRONDISSEMENTS = frozenset(
    "11 12 13 21 23 24 25 31 32 33 34 35 36 37 38 41 42 43 44 45 46 51 52 53 55 56 57 58 "
    "61 62 63 64 71 72 73 81 82 83 84 85 91 92 93".split()
)


def infer(header: str, values: Sequence[Any], tolerance: float = 0.0) -> tuple[str, dict[str, Any]]:
    """The type of a column named ``header`` whose sample of non-empty values is
    ``values``, and how to read it (``parse``). With a ``tolerance`` (a share), a
    type may leave that share of the values unread (they are then reported as
    breaking it) where the sample is big enough to say so (``MIN_TOLERATED``)."""
    allowed = int(len(values) * tolerance) if len(values) >= MIN_TOLERATED else 0

    def reads(parse: Parser) -> bool:
        return _misses(parse, values, allowed) <= allowed

    if not values:
        return "text", {}
    texts = [v for v in values if isinstance(v, str)]
    identifiers = len(texts) == len(values) and all(map(_IDENTIFIER.fullmatch, texts))
    # Types that say more than a number would, when their hints hold.
    candidates = ["boolean"]
    hint = _normalise(header)
    if _POSTAL_HINT.search(hint):
        candidates.append("postal_code")
    if _NIS_HINT.search(hint) or _all_nis_shaped(values):
        candidates.append("nis_code")
    if identifiers and any(map(_LEADING_ZERO.fullmatch, texts)):
        candidates.append("code")  # "026" is a code: a number would lose its zero
    for kind in candidates:
        parse = default_parse(kind, values)
        if reads(parser(kind, parse)):
            return kind, parse
    for mark in (",", "."):  # the Belgian decimal comma first: "1,234" is 1.234
        parse = _number_parse(mark)
        for kind in ("integer", "decimal"):
            if reads(parser(kind, parse)):
                return kind, parse
    for kind in ("date", "datetime"):
        parse = default_parse(kind, values)
        if reads(parser(kind, parse)):
            return kind, parse
    if identifiers and _fixed_length_with_digits(texts):
        return "code", {}
    return "text", {}


def default_parse(kind: str, values: Sequence[Any]) -> dict[str, Any]:
    """How to read a column of type ``kind`` (found, or given by the publisher)."""
    if kind in ("integer", "decimal"):
        # The decimal mark that reads the most values (a comma when it is a tie).
        def score(mark: str) -> tuple[int, bool]:
            read = parser(kind, _number_parse(mark))
            return sum(read(v) is not MISMATCH for v in values), mark == ","

        return _number_parse(max((",", "."), key=score))
    if kind in ("date", "datetime"):
        # Formats the sample uses first (fewer regexes tried), then every other one.
        read = _date_parser(kind == "datetime", (*DAY_FIRST, *MONTH_FIRST))
        typed = ((v, read(v)) for v in values if isinstance(v, str))
        seen = Counter(date_format(v, t) for v, t in typed if t is not MISMATCH)
        first = [f for f, _ in seen.most_common() if f in DAY_FIRST]
        return {"date_formats": [*first, *(f for f in DAY_FIRST if f not in first), *MONTH_FIRST]}
    if kind == "boolean":
        return {"true": list(TRUE), "false": list(FALSE)}
    return {}


def parser(kind: str, parse: dict[str, Any]) -> Parser:
    """The function reading one non-empty value of a column of type ``kind``."""
    if kind in ("integer", "decimal"):
        return _number_parser(kind == "integer", parse["decimal"], parse["group"])
    if kind in ("date", "datetime"):
        return _date_parser(kind == "datetime", parse["date_formats"])
    if kind == "boolean":
        return _boolean_parser(parse["true"], parse["false"])
    if kind == "nis_code":
        return _digits_parser(lambda s: len(s) == 5 and 11001 <= int(s) <= 93090)
    if kind == "postal_code":
        return _digits_parser(lambda s: len(s) == 5 or (len(s) == 4 and 1000 <= int(s) <= 9992))
    return as_text


def as_text(value: Any) -> str:
    """A cell as text: integral numbers without ".0", dates in ISO."""
    if value.__class__ is str:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def date_format(value: str, typed: dt.date) -> str | None:
    """The format of ``value``, a date (or a date and time) read as ``typed``: its
    separator, and whether its first number is the year, the day or the month."""
    first = len(value) - len(value.lstrip("0123456789"))
    if first == len(value):
        return None
    if first == 4:
        return "%Y-%m-%d"
    day_first = int(value[:first]) == typed.day  # 03/03: day first too
    return _FORMATS_BY_SHAPE.get((value[first], day_first))


_FORMATS_BY_SHAPE = {(f[2], f[1] == "d"): f for f in (*DAY_FIRST, *MONTH_FIRST) if f[1] != "Y"}


# Numbers


def _number_parse(mark: str) -> dict[str, Any]:
    return {"decimal": mark, "group": [*GROUPS, "." if mark == "," else ","]}


def _number_parser(integer: bool, mark: str, groups: Sequence[str]) -> Parser:
    group = "[" + re.escape("".join(groups)) + "]"
    # One kind of separator within a value, every 3 digits: "1 063 850,00", "1.234".
    pattern = re.compile(
        rf"(?P<sign>[+-]?)\s*(?P<int>[0-9]{{1,3}}(?P<g>{group})[0-9]{{3}}(?:(?P=g)[0-9]{{3}})*"
        rf"|[0-9]+)?(?:{re.escape(mark)}(?P<frac>[0-9]+))?"
    )

    def parse(value: Any) -> Any:
        if value.__class__ is str:
            if value.isdigit() and value.isascii():
                return _int8(int(value)) if integer else Decimal(value)
            if value in NIL:
                return 0 if integer else Decimal(0)
            m = pattern.fullmatch(value)
            if m is None or not (m["int"] or m["frac"]) or (integer and m["frac"]):
                return MISMATCH
            digits = (m["int"] or "0").replace(m["g"] or " ", "")
            if integer:
                return _int8(int(m["sign"] + digits))
            return Decimal(m["sign"] + digits + (f".{m['frac']}" if m["frac"] else ""))
        if value.__class__ is bool or not isinstance(value, (int, float)):
            return MISMATCH
        if isinstance(value, float) and not math.isfinite(value):
            return MISMATCH
        if integer:
            return _int8(int(value)) if isinstance(value, int) or value.is_integer() else MISMATCH
        return Decimal(value) if isinstance(value, int) else Decimal(repr(value))

    return parse


def _int8(number: int) -> Any:
    """PostgreSQL's bigint holds it, or it is a decimal's."""
    return number if -(2**63) <= number < 2**63 else MISMATCH


# Dates


def _read_date(value: str, formats: Sequence[str]) -> dt.date | None:
    for fmt in formats:
        pattern, (y, m, d) = _DATES[fmt]
        match = pattern.fullmatch(value)
        if match is not None:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:  # 31/02, or 12/31 read day first: the next format may read it
                continue
    return None


def _date_parser(with_time: bool, formats: Sequence[str]) -> Parser:
    def parse_date(value: Any) -> Any:
        if value.__class__ is str:
            found = _read_date(value, formats)
            return MISMATCH if found is None else found
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() else MISMATCH
        return value if isinstance(value, dt.date) else MISMATCH

    def parse_datetime(value: Any) -> Any:
        if value.__class__ is str:
            return _read_datetime(value, formats)
        if isinstance(value, dt.datetime):
            return value
        return dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else MISMATCH

    return parse_datetime if with_time else parse_date


def _read_datetime(value: str, formats: Sequence[str]) -> Any:
    if _ISO_DATETIME.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value.replace(",", "."))
        except ValueError:
            return MISMATCH
    day, _, time = value.partition(" ")
    date = _read_date(day, formats)
    if date is None:
        return MISMATCH
    if not time:
        return dt.datetime.combine(date, dt.time())
    match = _TIME.fullmatch(time.strip())
    if match is None:
        return MISMATCH
    try:
        return dt.datetime.combine(date, dt.time(int(match[1]), int(match[2]), int(match[3] or 0)))
    except ValueError:
        return MISMATCH


# Yes or no, and codes


def _boolean_parser(true: Sequence[str], false: Sequence[str]) -> Parser:
    words = {**dict.fromkeys(true, True), **dict.fromkeys(false, False)}

    def parse(value: Any) -> Any:
        if value.__class__ is bool:
            return value
        if value.__class__ is str:
            return words.get(value.lower(), MISMATCH)
        return MISMATCH

    return parse


def _digits_parser(valid: Callable[[str], bool]) -> Parser:
    """Codes written in digits (a workbook may hold them as numbers), kept as text."""

    def parse(value: Any) -> Any:
        text = as_text(value) if isinstance(value, (int, float)) else value
        if text.__class__ is str and text.isascii() and text.isdigit() and valid(text):
            return text
        return MISMATCH

    return parse


def _all_nis_shaped(values: Sequence[Any]) -> bool:
    """Municipalities' NIS codes without a header saying so: three different values
    or more, each of five digits, an arrondissement's two and a municipality number
    below 200 (amounts rarely keep to that)."""
    texts = {as_text(v) for v in values}
    if len(texts) < 3:
        return False
    return all(
        len(t) == 5 and t.isdigit() and t[:2] in _ARRONDISSEMENTS and 1 <= int(t[2:]) < 200
        for t in texts
    )


def _fixed_length_with_digits(texts: list[str]) -> bool:
    """Identifiers like "0341303G" or "04.67.42.40.74": each has a digit, and their
    lengths differ by two at most."""
    lengths = [len(t) for t in texts]
    return max(lengths) - min(lengths) <= 2 and all(any(c.isdigit() for c in t) for t in texts)


def _misses(parse: Parser, values: Sequence[Any], enough: int) -> int:
    """How many values ``parse`` cannot read, counted up to one past ``enough``."""
    missed = 0
    for value in values:
        if parse(value) is MISMATCH:
            missed += 1
            if missed > enough:
                break
    return missed


def _normalise(header: str) -> str:
    """A header as a hint: lower case, no accents, words joined by "_"."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
