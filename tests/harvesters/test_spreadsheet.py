"""The spreadsheet adapter: sniffing real files, mapping inventories, per-row errors."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from harvesters.base import Record, RecordError, SourceError
from harvesters.spreadsheet import SpreadsheetAdapter, column_field, read_table, sniff_delimiter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "spreadsheet"
CPAS = FIXTURES / "cpas-inventaire.csv"
OCMW = FIXTURES / "ocmw-inventaris.csv"
URL = "https://www.cpas-ixelles.be/opendata/inventaire.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EU = "http://publications.europa.eu/resource/authority"


@pytest.fixture
def harvest(recorded_http):
    """records and map of a file served at ``url``: (adapter, records by guid, errors)."""

    def harvest(content: bytes, url: str = URL, content_type: str = "text/csv", **config):
        adapter = SpreadsheetAdapter(url, recorded_http({url: (content, content_type)}), config)
        results = list(adapter.records())
        records = {r.guid: r for r in results if isinstance(r, Record)}
        errors = [r for r in results if isinstance(r, RecordError)]
        return adapter, records, errors

    return harvest


def cpas_xlsx() -> bytes:
    """The CPAS inventory as Excel keeps it: the same cells, dates as date cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    text = CPAS.read_bytes().decode("cp1252")
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        cells = [cell or None for cell in row]
        if cells[9] == "15/03/2024":
            cells[9] = date(2024, 3, 15)
        elif cells[9] == "45366":  # already an Excel serial number in the CSV
            cells[9] = 45366
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- sniffing ------------------------------------------------------------------------


def test_sniffs_cp1252_semicolons_and_header_below_title_line():
    table, details = read_table(CPAS.read_bytes(), "text/csv")
    assert (details.format, details.encoding, details.delimiter) == ("csv", "cp1252", ";")
    assert details.header_row == 3  # a title line and a blank line above it
    assert list(table.columns)[:4] == ["Identifiant", "Titre", "Description", "Mots-clés"]
    assert table.loc[5, "Titre"] == "Espaces verts des résidences"  # é, not Ã©
    assert table.loc[6, "Titre"] == "Bénéficiaires du revenu d’intégration"  # cp1252's ’
    assert table.loc[5, "Mots-clés"] == "jardins; parcs"  # quoted delimiter


def test_sniffs_utf8_commas():
    table, details = read_table(OCMW.read_bytes(), "text/csv")
    assert (details.encoding, details.delimiter, details.header_row) == ("utf-8", ",", 1)
    assert table.loc[3, "titre (fr)"] == "Repas à domicile"


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter", "title"),
    [
        ("\ufeffTitre\tURL\nDonnées\thttps://a.be/x\n".encode(), "utf-8-sig", "\t", "Données"),
        (
            "Titel|URL\nGeïmporteerd|https://a.be/x\n".encode("cp1252"),
            "cp1252",
            "|",
            "Geïmporteerd",
        ),
        # \x81 is undefined in cp1252: only latin-1 reads this file.
        (b"Titre;URL\nDonn\xe9es\x81;https://a.be/x\n", "latin-1", ";", "Données\x81"),
    ],
)
def test_encodings_and_delimiters(content, encoding, delimiter, title):
    table, details = read_table(content)
    assert (details.encoding, details.delimiter, details.header_row) == (encoding, delimiter, 1)
    assert table.loc[2].tolist() == [title, "https://a.be/x"]


def test_title_line_without_trailing_delimiters():
    content = "Nos données ouvertes\n\nTitre;Licence;URL\nBudget;CC0;https://a.be/b.csv\n"
    table, details = read_table(content.encode())
    assert details.header_row == 3
    assert table.loc[4].tolist() == ["Budget", "CC0", "https://a.be/b.csv"]


def test_delimiter_fallback_is_the_most_consistent_column_count():
    # The sniffer gives up on this one: "Titre" gives it no delimiter to count.
    assert sniff_delimiter("Titre\nA;https://a.be;x\nB;https://b.be;y\n") == ";"


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("Titre", ("title", None)),
        ("TITRE FR", ("title", "fr")),
        ("titel (nl)", ("title", "nl")),
        ("title_en", ("title", "en")),
        ("Beschreibung [de]", ("description", "de")),
        ("Mots clés", ("keywords", None)),
        ("Schlagwörter", ("keywords", None)),
        ("Thèmes", ("theme", None)),
        ("Date de mise à jour", ("modified", None)),
        ("Mise à jour", ("frequency", None)),
        ("E-mail", ("email", None)),
        ("Licence (fr)", None),  # only texts have a language
        ("Code INS", None),
        ("", None),
    ],
)
def test_column_names(name, field):
    assert column_field(name) == field


def test_xlsx_read_the_same_as_csv(harvest):
    adapter, from_csv, csv_errors = harvest(CPAS.read_bytes())
    url = "https://www.cpas-ixelles.be/opendata/inventaire.xlsx"
    _, from_xlsx, xlsx_errors = harvest(cpas_xlsx(), url=url, content_type=XLSX)
    table, details = read_table(cpas_xlsx(), XLSX)
    assert (details.format, details.header_row) == ("xlsx", 3)
    assert from_xlsx.keys() == from_csv.keys()
    assert [(e.guid, str(e)) for e in xlsx_errors] == [(e.guid, str(e)) for e in csv_errors]
    for guid, record in from_csv.items():
        assert adapter.map(from_xlsx[guid]) == adapter.map(record)
        assert from_xlsx[guid].payload["row"] == record.payload["row"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b" \r\n", "empty"),
        (b"PK\x03\x04 not really a zip", "unreadable XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old binary Excel", ".xls"),
    ],
)
def test_unreadable_files_are_source_errors(harvest, content, message):
    with pytest.raises(SourceError, match=message):
        harvest(content)


def test_html_page_is_a_source_error(harvest):
    with pytest.raises(SourceError, match="an HTML page"):
        harvest(b"<!DOCTYPE html><title>Titre, URL</title>", content_type="text/html")


def test_header_without_rows_is_a_source_error(harvest):
    # Deleting every dataset of the authority over an emptied sheet would be worse.
    with pytest.raises(SourceError, match=r"no dataset below the header \(row 2\)"):
        harvest(b"Inventaire\nTitre;URL\n;\n")


# -- real files that are not inventories ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "header_row"),
    [
        ("csv-municipal/VilleMTP_MTP_BudgetPri_2014.csv", None),
        ("belgium/REFNIS_2019.csv", 1),  # "Langue" and "Taal" look like a header
    ],
)
def test_data_files_are_sniffed_then_rejected(harvest, corpus, path, header_row):
    content = (corpus / path).read_bytes()
    table, details = read_table(content, "text/csv")
    assert (details.encoding, details.delimiter, details.header_row) == ("cp1252", ";", header_row)
    assert len(table) > 600
    with pytest.raises(SourceError) as raised:
        harvest(content, url=f"https://example.org/{path}")
    message = str(raised.value)
    assert "not a dataset inventory" in message
    assert "no column named like a title (titre, titel, title" in message
    assert "Description, Mots-clés" in message
    assert "read as CSV, cp1252, ';'" in message


def test_clean_utf8_data_file_is_sniffed(corpus):
    table, details = read_table((corpus / "belgium" / "deelgemeenten.csv").read_bytes())
    assert (details.encoding, details.delimiter, details.header_row) == ("utf-8", ",", None)
    assert table.loc[1].tolist()[:2] == ["provincie_id", "provincie_naam"]


# -- records and per-row errors ------------------------------------------------------


def test_bad_rows_are_errors_and_good_rows_still_come(harvest):
    _, records, errors = harvest(CPAS.read_bytes())
    assert list(records) == ["cpas-budget", "cpas-espaces-verts", "cpas-ris", "restaurants-sociaux"]
    assert [record.payload["row"] for record in records.values()] == [4, 5, 6, 11]
    assert [(str(e), e.guid) for e in errors] == [
        ("row 7: no title", "cpas-sans-titre"),
        ("row 9: 'htp://cpas-ixelles/places.csv' is not a valid URL", "cpas-maisons-repos"),
        # No guid: it is row 4's, which was harvested.
        ("row 10: identifier 'cpas-budget' already used in row 4", None),
    ]


def test_record(harvest):
    _, records, _ = harvest(CPAS.read_bytes())
    record = records["cpas-budget"]
    assert record.url == "https://www.cpas-ixelles.be/opendata/budget"
    assert record.modified == "2024-03-15"
    assert record.payload["source"] == URL
    assert record.payload["columns"]["title"] == "Budget du CPAS 2024"
    assert record.payload["columns"]["theme"] == "Économie et finances"
    assert records["restaurants-sociaux"].url is None  # no identifier: the title's slug


def test_same_title_twice_without_identifier(harvest):
    content = b"Titre;URL\nBudget;https://a.be/1.csv\nBudget;https://a.be/2.csv\n"
    _, records, errors = harvest(content)
    assert list(records) == ["budget"]
    assert [str(e) for e in errors] == ["row 3: title 'Budget' already used in row 2"]


# -- mapping -------------------------------------------------------------------------


def test_golden_mapping(harvest):
    adapter, records, _ = harvest(CPAS.read_bytes())
    assert adapter.map(records["cpas-budget"]) == {
        "title_translated": {"fr": "Budget du CPAS 2024"},
        "notes_translated": {
            "fr": "Budget initial du CPAS d’Ixelles, voté par le conseil de l’action sociale "
            "en décembre 2023."
        },
        "tags_translated": {"fr": ["budget", "finances", "CPAS"]},
        "theme": [f"{EU}/data-theme/ECON"],
        "license_id": "CC_BY_4_0",  # written "CC BY 4.0"
        "frequency": f"{EU}/frequency/ANNUAL",  # written "Annuelle"
        "language": [f"{EU}/language/FRA"],
        "modified": "2024-03-15",  # written 15/03/2024
        "url": "https://www.cpas-ixelles.be/opendata/budget",
        "identifier": "cpas-budget",
        "contact": [{"email": "opendata@cpas-ixelles.be"}],
        "resources": [
            {
                "url": "https://www.cpas-ixelles.be/opendata/budget-2024.csv",
                "format": "CSV",
                "name_translated": {"fr": "Budget du CPAS 2024 (CSV)"},
            }
        ],
    }


def test_mapping_details(harvest):
    adapter, records, _ = harvest(CPAS.read_bytes())
    green = adapter.map(records["cpas-espaces-verts"])
    assert green["theme"] == [f"{EU}/data-theme/ENVI"]  # the label "Environnement"
    assert green["license_id"] == "cc-zero"
    assert green["frequency"] == f"{EU}/frequency/IRREG"  # "Irrégulière"
    assert green["modified"] == "2024-01-02"  # 02.01.2024
    assert green["tags_translated"] == {"fr": ["jardins", "parcs"]}
    assert green["resources"][0]["format"] == "GEOJSON"  # from the URL's extension
    assert "url" not in green

    ris = adapter.map(records["cpas-ris"])
    assert "theme" not in ris
    assert ris["tags_translated"] == {"fr": ["RIS", "revenu d’intégration", "Aide sociale"]}
    assert ris["modified"] == "2024-03-15"  # Excel's serial number 45366
    assert ris["language"] == [f"{EU}/language/FRA", f"{EU}/language/NLD"]
    assert [(r["url"].rsplit("/", 1)[1], r["format"]) for r in ris["resources"]] == [
        ("ris.csv", "CSV"),
        ("ris.xlsx", "XLSX"),
    ]

    restaurants = adapter.map(records["restaurants-sociaux"])
    assert restaurants["theme"] == [f"{EU}/data-theme/SOCI"]
    assert restaurants["license_id"] == "ETALAB_2_0"  # "Licence ouverte": Etalab's
    assert restaurants["modified"] == "2023-09-01"  # 1/9/2023
    assert restaurants["contact"] == [{"name": "Service social", "email": "social@cpas-ixelles.be"}]
    assert not {"identifier", "name", "owner_org", "publisher"} & restaurants.keys()


def test_language_columns(harvest):
    adapter, records, errors = harvest(OCMW.read_bytes(), default_language="nl")
    assert not errors
    housing = adapter.map(records["logements"])
    assert housing["title_translated"] == {
        "fr": "Logements sociaux du CPAS",
        "nl": "Sociale woningen van het OCMW",
    }
    assert housing["notes_translated"]["nl"].startswith("Lijst van de sociale woningen")
    assert housing["tags_translated"] == {
        "fr": ["logement", "social"],
        "nl": ["huisvesting", "sociaal"],
    }
    assert housing["license_id"] == "cc-by"
    assert housing["resources"][0]["format"] == "JSON"
    assert (
        housing["resources"][0]["name_translated"]["nl"] == "Sociale woningen van het OCMW (JSON)"
    )
    meals = adapter.map(records["repas"])
    # A theme label with commas is not split at them; ";" separates themes.
    assert meals["theme"] == [f"{EU}/data-theme/EDUC", f"{EU}/data-theme/HEAL"]


def test_untagged_title_goes_to_the_default_language(harvest):
    adapter, records, _ = harvest(
        b"Titel;URL\nBegroting;https://a.be/b.csv\n", default_language="nl"
    )
    assert adapter.map(records["begroting"])["title_translated"] == {"nl": "Begroting"}


@pytest.mark.parametrize(
    ("cell", "modified"),
    [
        ("15/03/2024", "2024-03-15"),
        ("15.03.2024", "2024-03-15"),
        ("15-03-2024", "2024-03-15"),
        ("45366", "2024-03-15"),  # Excel's serial day number
        ("2024-03-15 00:00:00", "2024-03-15"),  # an XLSX date cell
        ("2024-03-15", "2024-03-15"),
        ("31/02/2024", None),
        ("mars 2024", None),
    ],
)
def test_dates(harvest, cell, modified):
    adapter, records, _ = harvest(f"Titre;Date de mise à jour\nBudget;{cell}\n".encode())
    assert records["budget"].modified == modified
    assert adapter.map(records["budget"]).get("modified") == modified


# -- content hash --------------------------------------------------------------------


def test_content_hash_ignores_row_order_and_follows_cells(harvest):
    lines = CPAS.read_bytes().split(b"\r\n")
    _, before, _ = harvest(CPAS.read_bytes())
    lines[3], lines[5] = lines[5], lines[3]  # rows 4 and 6 swap
    _, moved, _ = harvest(b"\r\n".join(lines))
    assert moved["cpas-budget"].payload["row"] == 6
    assert {g: r.content_hash for g, r in moved.items()} == {
        g: r.content_hash for g, r in before.items()
    }
    lines[5] = lines[5].replace(b"Budget du CPAS 2024", b"Budget du CPAS 2024 (initial)")
    _, changed, _ = harvest(b"\r\n".join(lines))
    assert changed["cpas-budget"].content_hash != before["cpas-budget"].content_hash
    assert changed["cpas-ris"].content_hash == before["cpas-ris"].content_hash
