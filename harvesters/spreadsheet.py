"""A spreadsheet (CSV or XLSX) in which a small authority lists its datasets, one per row.

``read_table()`` survives the files people actually keep: UTF-8, cp1252 or latin-1; ``;``,
``,``, tab or ``|`` between cells; title lines above the table. Columns are recognised by
name (fr/nl/de/en, case and accents ignored, see ``ALIASES``); ``titre (fr)``,
``titel (nl)``, ``title_en`` are that language's title. A row's guid is its identifier,
else a slug of its title: without an identifier column, renaming a title makes a new
dataset (and the old one is deleted). A bad row (no title, an invalid URL, an identifier
used before) is a ``RecordError`` naming its row number as the spreadsheet shows it; a
file that is no inventory, or an unreadable one, is a ``SourceError``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from email.utils import parseaddr
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from ckanext.wepulse import vocabularies
from harvesters.base import Adapter, Record, RecordError, SourceError, json_hash
from harvesters.language import CONTENT_LANGUAGES, translations
from harvesters.mapping import (
    concept_uris,
    file_type,
    html_to_markdown,
    iso_date,
    licence_id,
    split_list,
)
from harvesters.safe_xml import check_xlsx

__all__ = [
    "ALIASES",
    "SpreadsheetAdapter",
    "TableDetails",
    "column_field",
    "read_table",
    "sniff_delimiter",
]

#: Canonical field -> the column names (fr, nl, de, en) that mean it.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("titre", "titel", "title", "nom du jeu de données", "naam", "intitulé"),
    "description": ("description", "beschrijving", "beschreibung", "omschrijving", "résumé"),
    "keywords": ("mots-clés", "mot-clé", "trefwoorden", "schlagwörter", "keywords", "tags"),
    "theme": ("thème", "thèmes", "thema", "themen", "theme", "themes", "catégorie"),
    "licence": ("licence", "license", "licentie", "lizenz"),
    "url": ("url", "lien", "link", "download", "téléchargement", "adresse"),
    "format": ("format", "formats", "formaat", "bestandsformaat"),
    "landing_page": ("page", "page web", "website", "landing page", "webpagina"),
    "frequency": ("fréquence", "frequentie", "frequency", "häufigkeit", "mise à jour"),
    "language": ("langue", "langues", "taal", "talen", "sprache", "language"),
    "modified": (
        "date de mise à jour", "dernière modification", "gewijzigd", "laatst gewijzigd",
        "modified", "last updated",
    ),
    "identifier": ("identifiant", "id", "identifier", "identificator"),
    "email": ("contact", "e-mail", "email", "courriel", "adresse e-mail"),
}  # fmt: skip
# Fields whose column may be one language's ("titre (fr)"); cells of several columns
# of a list field are joined, of another field the first one wins.
TRANSLATABLE = ("title", "description", "keywords")
LIST_FIELDS = ("keywords", "theme", "url", "format", "language", "email")
HEADER_ROWS = 10  # the header is looked for in this many first rows
DELIMITERS = ";,\t|"
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


@dataclass(frozen=True)
class TableDetails:
    """How a file was read; ``header_row`` is 1-based, None when no header was found."""

    format: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Mots-clés" -> "mots cles"."""
    bare = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


_FIELD_BY_NAME = {_fold(alias): field for field, aliases in ALIASES.items() for alias in aliases}


def column_field(name: object) -> tuple[str, str | None] | None:
    """(canonical field, language or None) a column name means, or None."""
    key = _fold(str(name))
    if key in _FIELD_BY_NAME:
        return _FIELD_BY_NAME[key], None
    base, _, language = key.rpartition(" ")
    field = _FIELD_BY_NAME.get(base)
    if field in TRANSLATABLE and language in CONTENT_LANGUAGES:
        return field, language
    return None


def read_table(
    content: bytes, media_type: str = "", name: str = ""
) -> tuple[pd.DataFrame, TableDetails]:
    """The table in a CSV or XLSX file (``name``: its file name or URL, for the extension),
    every cell a stripped string, indexed by the row number a spreadsheet shows, with the
    header row's names as columns (positions when no row in the first ``HEADER_ROWS`` has
    two recognised column names)."""
    if not content.strip():
        raise SourceError("the file is empty")
    if content.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Excel 97-2003
        raise SourceError("an old Excel .xls file: save it as .xlsx or CSV")
    if media_type == "text/html":  # a sharing page, a login page
        raise SourceError("an HTML page, not a CSV or XLSX file: give the file's download URL")
    is_zip = content.startswith(b"PK\x03\x04")
    if is_zip or media_type in XLSX_TYPES or urlsplit(name).path.lower().endswith(".xlsx"):
        grid, details = _read_xlsx(content), TableDetails("xlsx")
    else:
        text, encoding = _decode(content)
        delimiter = sniff_delimiter(text)
        grid, details = _read_csv(text, delimiter), TableDetails("csv", encoding, delimiter)
    grid = grid.fillna("").astype(str).map(str.strip)
    grid.index = range(1, len(grid) + 1)
    if (header := _header_row(grid)) is None:
        return grid, details
    table = grid.loc[header + 1 :].set_axis(list(grid.loc[header]), axis="columns")
    return table.loc[:, table.columns != ""], replace(details, header_row=header)


def _header_row(grid: pd.DataFrame) -> int | None:
    """The first row with two cells named like fields: title lines above it are skipped."""
    for number, row in grid.head(HEADER_ROWS).iterrows():
        if sum(column_field(cell) is not None for cell in row) >= 2:
            return number
    return None


def _read_xlsx(content: bytes) -> pd.DataFrame:
    try:
        check_xlsx(content, "the XLSX file")  # before openpyxl unpacks and parses it
        return pd.read_excel(
            io.BytesIO(content), header=None, dtype=str, keep_default_na=False, engine="openpyxl"
        )
    except SourceError:  # refused by check_xlsx
        raise
    except Exception as error:  # zip, XML and openpyxl errors alike: the file is broken
        raise SourceError(f"unreadable XLSX file ({error})") from None


def _decode(content: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (a cp1252 file is rarely valid UTF-8), else
    cp1252 (Windows Excel's CSV), else latin-1, which decodes anything."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and not content.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise AssertionError("latin-1 decodes any bytes")


def sniff_delimiter(text: str) -> str:
    """The cell delimiter, among ``DELIMITERS``, of a CSV text."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass

    def consistency(delimiter: str) -> tuple[int, int]:
        # (rows sharing the commonest width above 1, that width)
        rows = csv.reader(io.StringIO(sample), delimiter=delimiter)
        widths = Counter(len(row) for row in rows if any(cell.strip() for cell in row))
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]), default=(1, 0))
        return (count if width > 1 else 0), width

    return max(DELIMITERS, key=consistency)


def _read_csv(text: str, delimiter: str) -> pd.DataFrame:
    # As many columns as the widest row: a title line above the table must not fix
    # the width. Blank lines are kept so that row numbers are the file's.
    try:
        rows = csv.reader(io.StringIO(text), delimiter=delimiter)
        width = max((len(row) for row in rows), default=1)
        return pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=str,
            keep_default_na=False, skip_blank_lines=False,
        )  # fmt: skip
    except (pd.errors.ParserError, csv.Error) as error:
        raise SourceError(f"unreadable CSV file ({error})") from None


class SpreadsheetAdapter(Adapter):
    source_type = "spreadsheet"
    title = "Spreadsheet of datasets (CSV or XLSX)"

    @property
    def default_language(self) -> str:
        return self.config.get("default_language", "fr")

    def records(self) -> Iterator[Record | RecordError]:
        response = self.http.get(self.url)
        table, details = read_table(response.content, response.media_type, self.url)
        fields = [
            (i, *found) for i, name in enumerate(table.columns) if (found := column_field(name))
        ]
        if details.header_row is None or "title" not in (field for _, field, _ in fields):
            raise SourceError(f"{self.url}: {_not_an_inventory(details)}")
        if not any(any(cells) for cells in table.itertuples(index=False)):
            # An emptied sheet is likelier an accident than the end of every dataset.
            raise SourceError(f"{self.url}: no dataset below the header (row {details.header_row})")
        seen: dict[str, int] = {}
        for number, *cells in table.itertuples(name=None):
            if any(cells):
                yield self._record(number, _row_columns(fields, cells), seen)

    def _record(self, number: int, columns: dict, seen: dict[str, int]) -> Record | RecordError:
        title = _text(columns.get("title"), self.default_language)
        guid = columns.get("identifier") or (_slug(title) if title else None)
        if guid in seen:  # no guid on this error: it is the first row's, which is fine
            what = f"identifier {guid!r}" if columns.get("identifier") else f"title {title!r}"
            return RecordError(f"row {number}: {what} already used in row {seen[guid]}")
        if guid:
            seen[guid] = number
        if not title:
            return RecordError(f"row {number}: no title", guid)
        for link in _links(columns.get("url")) + _links(columns.get("landing_page")):
            if not _is_url(link):
                return RecordError(f"row {number}: {link!r} is not a valid URL", guid)
        content = {"columns": columns, "source": self.url}
        return Record(
            guid=guid,
            payload={"row": number, **content},
            content_hash=json_hash(content),  # without the row: moving a row is no change
            url=(_links(columns.get("landing_page")) or [None])[0],
            modified=_date(columns.get("modified")),
        )

    def map(self, record: Record) -> dict[str, Any]:
        columns, default = record.payload["columns"], self.default_language
        title = translations(_pairs(columns.get("title")), default=default, join=None)
        notes = [
            (html_to_markdown(text), lang) for text, lang in _pairs(columns.get("description"))
        ]
        themes, other_themes = _themes(columns.get("theme"))
        keywords = [
            (k, lang) for text, lang in _pairs(columns.get("keywords")) for k in _items(text)
        ]
        tags = _tags(keywords + [(theme, None) for theme in other_themes], default)
        frequency = columns.get("frequency") or ""
        frequencies = concept_uris("frequencies", [frequency, _masculine(frequency)])[0]
        dataset = {
            "title_translated": title,
            "notes_translated": translations(notes, default=default, join="\n\n"),
            "tags_translated": tags,
            "theme": themes,
            "license_id": licence_id(columns.get("licence")),
            "frequency": next(iter(frequencies), None),
            "language": concept_uris("languages", _items(columns.get("language")))[0],
            "modified": _date(columns.get("modified")),
            "url": record.url,
            "identifier": columns.get("identifier"),
            "contact": [_contact(value) for value in _items(columns.get("email"))],
            "resources": _resources(_links(columns.get("url")), columns.get("format"), title),
        }
        return {key: value for key, value in dataset.items() if value not in (None, "", [], {})}


def _not_an_inventory(details: TableDetails) -> str:
    how = [details.format.upper(), details.encoding, details.delimiter and repr(details.delimiter)]
    return (
        f"not a dataset inventory: no column named like a title (titre, titel, title…) in the "
        f"first {HEADER_ROWS} rows; expected a row of column names such as Titre, Description, "
        f"Mots-clés, Thème, Licence, URL, Format (read as {', '.join(filter(None, how))})"
    )


def _row_columns(fields: list[tuple[int, str, str | None]], cells: list[str]) -> dict[str, Any]:
    """{field: text, or {language ("" untagged): text} when a language column has one}."""
    slots: dict[str, dict[str, str]] = {}
    for position, field, language in fields:
        if value := cells[position]:
            slot = slots.setdefault(field, {})
            key = language or ""
            if key not in slot:
                slot[key] = value
            elif field in LIST_FIELDS:
                slot[key] += f"; {value}"
    return {field: slot[""] if list(slot) == [""] else slot for field, slot in slots.items()}


def _pairs(value: str | dict | None) -> list[tuple[str, str | None]]:
    """(text, language tag) pairs for ``translations()``."""
    if isinstance(value, dict):
        return [(text, language or None) for language, text in value.items()]
    return [(value, None)] if value else []


def _text(value: str | dict | None, language: str) -> str | None:
    """The text in ``language``, else the untagged one, else the first."""
    if isinstance(value, dict):
        return value.get(language) or value.get("") or next(iter(value.values()), None)
    return value


def _tags(keywords: list[tuple[str, str | None]], default: str) -> dict[str, list[str]]:
    """{language: keywords}, each keyword placed by ``translations()`` on its own."""
    tags: dict[str, list[str]] = {}
    for keyword, tag in keywords:
        for language in translations([(keyword, tag)], default=default):
            known = tags.setdefault(language, [])
            if keyword.casefold() not in map(str.casefold, known):
                known.append(keyword)
    return tags


def _slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-")[:100] or json_hash(text)[:16]


def _items(value: str | None) -> list[str]:
    return split_list(value, ",;|\n")  # a line break inside a cell (Alt+Enter) separates too


def _links(value: str | None) -> list[str]:
    return split_list(value, ",;|\n\t ")  # a URL holds no blank


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _date(value: str | None) -> str | None:
    """An ISO date from dd/mm/yyyy, dd.mm.yyyy or dd-mm-yyyy (Belgian usage), an Excel
    serial day number, an XLSX date cell ("2024-03-15 00:00:00"), or what ``iso_date`` reads."""
    text = (value or "").strip()
    try:
        if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
            day, month, year = map(int, match.groups())
            return date(year, month, day).isoformat()
        if re.fullmatch(r"\d{5}(\.\d+)?", text):  # Excel counts days from 1899-12-30
            return (date(1899, 12, 30) + timedelta(days=int(float(text)))).isoformat()
        if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00:00)?", text):
            return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None
    return iso_date(text)


def _themes(value: str | None) -> tuple[list[str], list[str]]:
    """EU theme IRIs and the unknown themes; a cell's parts are split at commas only when
    not a theme as a whole, because theme labels hold commas ("Éducation, culture et sport")."""
    uris: list[str] = []
    unknown: list[str] = []
    for part in split_list(value, ";|\n"):
        found, rest = concept_uris("data_themes", [part])
        if rest:
            found, rest = concept_uris("data_themes", split_list(part, ","))
        uris += [uri for uri in found if uri not in uris]
        unknown += rest
    return uris, unknown


def _masculine(text: str) -> str:
    # The vocabulary's French labels are masculine; a "mise à jour annuelle" is not.
    return re.sub(r"(elle|enne|ière)$", lambda m: _MASCULINE[m[1]], text.casefold())


_MASCULINE = {"elle": "el", "enne": "en", "ière": "ier"}


def _contact(value: str) -> dict[str, str]:
    """An e-mail address ("Service social <social@cpas.be>" too), else a URL or a name."""
    name, address = parseaddr(value.removeprefix("mailto:"))
    if "@" in address:
        return {"name": name, "email": address} if name else {"email": address}
    return {"url": value} if _is_url(value) else {"name": value}


def _resources(urls: list[str], formats: str | None, title: dict[str, str]) -> list[dict]:
    """One resource per URL: the format in the same position, the only format given,
    else the one the URL's extension says."""
    given = [file_type(item) for item in _items(formats)]
    resources = []
    for i, url in enumerate(urls):
        fmt = given[i] if len(given) == len(urls) else given[0] if len(given) == 1 else None
        fmt = fmt or _extension_format(url)
        names = {lang: f"{text} ({fmt})" if fmt else text for lang, text in title.items()}
        resource = {"url": url, "format": fmt, "name_translated": names}
        resources.append({key: value for key, value in resource.items() if value})
    return resources


def _extension_format(url: str) -> str | None:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lstrip(".")
    concept = vocabularies.load("file_types").lookup(suffix) if suffix else None
    return concept.code if concept else None
