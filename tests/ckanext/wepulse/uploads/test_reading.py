"""Reading municipal tables: real files from Montpellier's open-data portal read
right (their encodings, separators, title rows and numbers), each problem found
where it is, hostile files refused without a crash. Pure: no portal needed.

The fixtures are written by tests/fixtures/uploads/make_fixtures.py.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ckanext.wepulse.uploads import column_types, personal_data, sniffing, workbooks
from ckanext.wepulse.uploads.reading import Finding, Reading, read, rows

CORPUS = Path("/work/shared/corpus/csv-municipal")
BUDGET_PRIMITIF = CORPUS / "VilleMTP_MTP_BudgetPri_2014.csv"
EFFECTIFS = CORPUS / "more/VilleMTP_MTP_EffectifSco_2014.csv"
FINANCES = CORPUS / "more/VilleMTP_MTP_FinancesLocal_2011.csv"
FIXTURES = Path(__file__).parents[3] / "fixtures/uploads"
NBSP = "\u00a0"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")


def types_of(reading: Reading) -> dict[str, str]:
    return {c.name: c.type for c in reading.columns}


def by_code(reading: Reading, code: str) -> list[Finding]:
    return [f for f in reading.findings if f.code == code]


def only(reading: Reading, code: str) -> Finding:
    (finding,) = by_code(reading, code)
    return finding


# The real files


@needs_corpus
def test_montpellier_budget_cp1252_with_no_break_spaces_in_amounts():
    reading = read(BUDGET_PRIMITIF)
    assert (reading.format, reading.encoding, reading.separator) == ("csv", "cp1252", ";")
    assert (reading.header_row, reading.rows, reading.findings) == (1, 1448, [])
    assert types_of(reading) == {
        "Exercice": "integer",
        "I_F": "text",
        "D_R": "text",
        "Nature": "integer",
        "Fonction": "integer",
        "BP": "decimal",  # " BP " in the file
        "Libellé fonction": "text",
    }
    assert reading.columns[5].source_name == "BP"
    assert reading.columns[5].parse["decimal"] == ","
    first = [
        2014,
        "F",
        "D",
        616,
        20,
        Decimal("1063850.00"),
        "ADMINISTRATION GENERALE DE LA COLLECTIVITE",
    ]
    assert reading.preview[0] == first
    assert reading.preview[1] == [2014, "F", "R", 758, None, Decimal("200.00"), None]
    table = list(rows(BUDGET_PRIMITIF, reading))
    assert len(table) == 1448 and table[0] == first
    # " -      ": Excel's accounting format writes a zero so.
    assert table[42] == [2014, "F", "D", 611, 212, Decimal(0), "ECOLES PRIMAIRES"]


@needs_corpus
def test_montpellier_schools_in_dos_code_page_850():
    reading = read(EFFECTIFS)
    assert (reading.encoding, reading.separator, reading.header_row) == ("cp850", ";", 1)
    assert reading.rows == 120
    types = types_of(reading)
    assert types["RNE"] == "code"  # 0341303G
    assert types["CDPOST"] == "postal_code"  # French, with a hint in its name
    assert types["NUMTEL"] == "text"  # "Tél : 04 67 99 18 21", "04.67.63.28.45." too
    assert types["NBENFMAX"] == types["CDETAB"] == "integer"
    names = [c.name for c in reading.columns]
    school = dict(zip(names, list(rows(EFFECTIFS, reading))[1], strict=True))
    assert school["NOM"] == "Ecole maternelle aliénor d'AQUITAINE"
    assert (school["RNE"], school["CDPOST"], school["NUMTEL"]) == (
        "0341639X",
        "34070",
        "04.67.27.46.12",
    )
    assert (school["CDETAB"], school["NBENFMAX"], school["EMAIL"]) == (501, 150, None)
    assert reading.preview[2][3] == "Ecole Elémentaire Jeanne d'ARC"
    assert reading.findings == [
        Finding("personal_data", "warning", 2, "NUMTEL", 114, params={"kind": "phone"})
    ]


@needs_corpus
def test_montpellier_finances_a_form_under_a_title_with_lost_accents():
    reading = read(FINANCES)
    assert (reading.encoding, reading.separator, reading.header_row) == ("cp1252", ",", 3)
    assert [c.name for c in reading.columns] == [
        "Fiche Individuelle DGF",
        "2011",
        "Commune membre de",
        "CA DE MONTPELLIER",
        "Commune en zone de montagne",
        "NON",
    ]
    # Labels and numbers share columns, and "0,28%" is no number: text, kept as written.
    assert set(types_of(reading).values()) == {"text"}
    table = list(rows(FINANCES, reading))
    assert table[1] == [
        None,
        None,
        None,
        None,
        "DOTATION FORFAITAIRE N-1 (notifie?e ou recale?e)",
        f"51{NBSP}232{NBSP}627",
    ]
    values = {
        label: value for row in table for label, value in zip(row[::2], row[1::2], strict=True)
    }
    assert values["Population INSEE"] == f"256{NBSP}344"
    assert values["Taux net 3 taxes N-1"] == "0,278622"
    assert values["Taux de progression"] == "0,28%"
    lost = only(reading, "lost_characters")
    assert (lost.severity, lost.row, lost.column, lost.count) == ("warning", 4, None, 18)
    assert lost.examples[:2] == [
        "Strate de?mographique     15",
        "DOTATION FORFAITAIRE N-1 (notifie?e ou recale?e)",
    ]
    assert [f.code for f in reading.findings] == ["lost_characters"]


# Fixtures that read well


def test_a_title_and_a_blank_row_above_the_header():
    path = FIXTURES / "budget-2024.csv"
    reading = read(path)
    assert (reading.encoding, reading.separator, reading.header_row) == ("cp1252", ";", 3)
    assert types_of(reading) == {
        "Exercice": "integer",
        "Code fonction": "code",
        "Libellé": "text",
        "Montant": "decimal",
        "Date du vote": "date",
        "Code INS": "nis_code",
        "Code postal": "postal_code",
        "Approuvé": "boolean",
    }
    assert list(rows(path, reading)) == [
        [
            2024,
            "026",
            "Administration générale",
            Decimal("1063850.00"),
            dt.date(2024, 1, 15),
            "25112",
            "1300",
            True,
        ],
        [
            2024,
            "100",
            "Sécurité et salubrité",
            Decimal("-12500.50"),
            dt.date(2024, 1, 15),
            "25112",
            "1300",
            False,
        ],
        [
            2024,
            "211",
            "Écoles maternelles",
            Decimal("7250"),
            dt.date(2024, 2, 29),
            "25112",
            "1301",
            True,
        ],
        [
            2024,
            "020",
            "Fêtes et cérémonies",
            Decimal(0),
            dt.date(2024, 2, 29),
            "25112",
            "1300",
            False,
        ],
    ]
    assert reading.findings == []
    assert (reading.columns[1].filled, reading.columns[1].distinct) == (4, 4)


def test_utf8_with_a_byte_order_mark():
    path = FIXTURES / "inventaris-utf8-bom.csv"
    reading = read(path)
    assert (reading.encoding, reading.separator, reading.header_row) == ("utf-8-sig", ",", 1)
    assert reading.columns[0].name == "Gemeente"  # no BOM in it
    assert types_of(reading) == {
        "Gemeente": "text",
        "NIS-code": "nis_code",
        "Datum": "date",
        "Tijdstip": "datetime",
        "Bedrag": "decimal",
        "Open": "boolean",
    }
    assert list(rows(path, reading))[1] == [
        "Liège",
        "62063",
        dt.date(2024, 3, 2),
        dt.datetime(2024, 3, 2, 8, 0),
        Decimal("12.5"),
        False,
    ]
    assert reading.preview[0][4] == Decimal("1234.56")


def test_xlsx_reads_the_first_sheet_with_data_under_its_title():
    path = FIXTURES / "budget.xlsx"
    reading = read(path)
    assert (reading.format, reading.encoding, reading.separator) == ("xlsx", None, None)
    assert (reading.sheet, reading.sheets, reading.header_row) == (
        "Budget",
        ["Budget", "Notes", "Vide"],
        3,
    )
    assert types_of(reading) == {
        "Commune": "text",
        "NIS": "nis_code",  # numbers in the sheet
        "Code": "code",
        "Montant": "decimal",
        "Date": "date",
        "Double": "decimal",  # computed: its cached values
    }
    assert list(rows(path, reading)) == [
        ["Schaerbeek", "21015", "026", Decimal("1234.5"), dt.date(2024, 1, 15), Decimal("2469.0")],
        [None, "21015", "100", Decimal("99.0"), dt.date(2024, 2, 1), Decimal("198.0")],
        ["Evere", "21006", "211", Decimal("10.25"), dt.date(2024, 3, 1), Decimal("20.5")],
        ["Evere", "21006", "020", Decimal("7.0"), dt.date(2024, 4, 1), Decimal("14.0")],
    ]


def test_xlsx_another_sheet_when_asked():
    reading = read(FIXTURES / "budget.xlsx", sheet="Notes")
    assert (reading.sheet, reading.header_row, reading.rows) == ("Notes", 1, 0)
    assert only(reading, "other_sheets").params == {"sheets": ["Budget"]}


def test_ods_with_repeated_and_spanned_cells():
    path = FIXTURES / "dechets.ods"
    reading = read(path, "xlsx")  # a wrong hint: the content says ODS
    assert (reading.format, reading.sheet, reading.sheets) == (
        "ods",
        "Déchets",
        ["Déchets", "Source"],
    )
    assert reading.header_row == 3
    assert types_of(reading) == {"Commune": "text", "Tonnes": "decimal", "Collecte": "date"}
    assert list(rows(path, reading)) == [
        ["Ixelles", Decimal("12.5"), dt.date(2024, 1, 8)],
        [None, Decimal("7.25"), dt.date(2024, 1, 15)],
        ["Uccle", Decimal("20.0"), dt.date(2024, 1, 22)],
    ]


@pytest.mark.parametrize(
    ("content", "encoding", "expected"),
    [
        (b"a;b\r1;2\r3;4\r", "utf-8", [[1, 2], [3, 4]]),  # old Macintosh line ends
        (b"a;b\n1;x\x00y\n2;z\n", "utf-8", [[1, "xy"], [2, "z"]]),  # NUL bytes dropped
        ("Commune\tHabitants\nLiège\t197\n".encode("utf-16"), "utf-16", [["Liège", 197]]),
    ],
)
def test_odd_but_readable_text(tmp_path, content, encoding, expected):
    path = tmp_path / "table.csv"
    path.write_bytes(content)
    reading = read(path)
    assert reading.encoding == encoding and reading.findings == []
    assert list(rows(path, reading)) == expected


# One test per finding


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n;;\n", "empty"),
        ("random.csv", random.Random(1).randbytes(4096), "binary"),
        ("fake.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "corrupt"),
        ("giant.csv", b'a;b\n1;"' + b"x" * (2 << 20) + b"\n2;3\n", "field_too_large"),
    ],
    ids=["empty", "blank", "random", "fake-xls", "giant-field"],
)
def test_unreadable(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    reading = read(path)
    assert reading.findings == [Finding("unreadable", "error", params={"reason": reason})]
    assert (reading.columns, reading.rows, reading.errors) == ([], 0, reading.findings)


def test_unreadable_zip_bomb_is_refused_before_it_is_decompressed(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.active.append([1, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for member in source.infolist():
            bomb.writestr(member, source.read(member))
        with bomb.open("xl/media/zeros.bin", "w") as zeros:
            for _ in range(40):
                zeros.write(bytes(1 << 20))  # 40 MiB in ~40 KB
    reading = read(path)
    assert (reading.format, reading.findings) == (
        "xlsx",
        [Finding("unreadable", "error", params={"reason": "too_large"})],
    )


def test_unreadable_other_cases(tmp_path, monkeypatch):
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "Not a workbook")
    assert only(read(archive), "unreadable").params == {"reason": "not_a_table"}
    assert only(read(tmp_path / "gone.csv"), "unreadable").params == {"reason": "io_error"}
    no_sheet = read(FIXTURES / "budget.xlsx", sheet="Nope")
    assert only(no_sheet, "unreadable").params == {"reason": "no_such_sheet"}
    assert no_sheet.sheets == ["Budget", "Notes", "Vide"]  # to choose one
    monkeypatch.setattr(sniffing, "MAX_LINE", 1000)
    long_line = tmp_path / "one-line.csv"
    long_line.write_bytes(b"x;" * 100_000)
    assert only(read(long_line), "unreadable").params == {"reason": "line_too_long"}


def test_mixed_encoding():
    reading = read(FIXTURES / "mixed-encoding.csv")
    assert reading.encoding == "utf-8"
    assert reading.findings == [
        Finding(
            "mixed_encoding",
            "error",
            4,
            None,
            1,
            ["Arlon;Place Léopold"],
            {"encodings": ["utf-8", "cp1252"]},
        ),
    ]
    table = list(rows(FIXTURES / "mixed-encoding.csv", reading))
    assert [r[1] for r in table] == [
        "Rue de l'Université",
        "Rue de Fer",
        "Place Léopold",
        "Grand-Place",
    ]


def test_lost_characters_not_in_links(tmp_path):
    path = tmp_path / "liens.csv"
    path.write_text(
        "Service;Lien\n"
        "Ministe?re;https://ville.be/page?lang=fr\n"
        "Culture;https://ville.be/?q=musée\n"
        "Sports;https://ville.be/sports\n"
    )
    assert read(path).findings == [
        Finding("lost_characters", "warning", 2, None, 1, ["Ministe?re"])
    ]


def test_blank_and_duplicate_headers_named_for_the_datastore():
    reading = read(FIXTURES / "headers.csv")
    assert [(c.name, c.source_name) for c in reading.columns] == [
        ("Commune", "Commune"),
        ("column_2", ""),
        ("Montant", "Montant"),
        ("Montant_2", "Montant"),
        ("id", "_id"),  # _id is the DataStore's own
        ("Note interne", 'Note "interne"'),
        ("Commentaire " * 5 + "Com", ("Commentaire " * 7).strip()),  # 63 bytes
    ]
    assert reading.findings == [
        Finding("blank_header", "warning", 1, "column_2"),
        Finding("duplicate_header", "warning", 1, "Montant_2", params={"source_name": "Montant"}),
    ]


def test_ragged_and_blank_rows():
    path = FIXTURES / "ragged.csv"
    reading = read(path)
    assert reading.findings == [
        Finding("ragged_row_long", "error", 3, None, 1, ["oops"], {"expected": 4, "found": 7}),
        Finding("ragged_row_short", "warning", 4, None, 2, [], {"expected": 4, "found": 2}),
        Finding("blank_rows", "warning", 5, None, 2),
    ]
    assert reading.rows == 5
    assert list(rows(path, reading)) == [
        ["Rue Royale", 12, "Centre", 4],
        ["Rue de la Loi", 16, "Centre", 7],  # "oops" dropped
        ["Avenue Louise", 54, None, None],
        ["Rue Haute", 300, "Marolles", 2],
        ["Rue Blaes", 1, "Marolles", None],
    ]


def test_type_mismatch_past_the_sample():
    path = FIXTURES / "mismatch.csv"
    reading = read(path)
    assert types_of(reading) == {"Rue": "text", "Secteur": "integer", "Habitants": "integer"}
    assert reading.findings == [
        Finding("type_mismatch", "error", 2302, "Habitants", 2, ["n.d."], {"type": "integer"})
    ]
    assert reading.rows == 2500 and reading.errors == reading.findings
    table = list(rows(path, reading))
    assert table[2299] == ["Rue 2299", 4, 2399] and table[2300] == ["Rue 2300", 5, None]


def test_mixed_and_ambiguous_dates():
    path = FIXTURES / "dates.csv"
    reading = read(path)
    assert types_of(reading)["Date"] == "date"
    assert reading.findings == [
        Finding(
            "mixed_date_formats",
            "warning",
            4,
            "Date",
            2,
            ["2024-02-07", "21.02.2024"],
            {"formats": ["dd/mm/yyyy", "yyyy-mm-dd", "dd.mm.yyyy"]},
        ),
        Finding(
            "ambiguous_dates", "warning", 6, "Date", 1, ["12/31/2024"], {"formats": ["mm/dd/yyyy"]}
        ),
    ]
    assert [r[1] for r in rows(path, reading)] == [
        dt.date(2024, 1, 10),
        dt.date(2024, 1, 24),
        dt.date(2024, 2, 7),
        dt.date(2024, 2, 21),
        dt.date(2024, 12, 31),  # only reads month first
        dt.date(2024, 3, 13),
    ]


@pytest.mark.parametrize(
    ("name", "other", "merged", "formula"),
    [
        # The merged title above the header is not reported; A4:A5 in the table is.
        (
            "budget.xlsx",
            "Notes",
            Finding("merged_cells", "warning", 4, "Commune", 1, params={"ranges": ["A4:A5"]}),
            Finding("formulas", "warning", 4, "Double", 4, params={"cell": "F4"}),
        ),
        (
            "dechets.ods",
            "Source",
            Finding("merged_cells", "warning", 4, "Commune", 1, params={"ranges": ["A4:A5"]}),
            Finding("formulas", "warning", 6, "Tonnes", 1, params={"cell": "B6"}),
        ),
    ],
)
def test_other_sheets_merged_cells_and_formulas(name, other, merged, formula):
    reading = read(FIXTURES / name)
    assert reading.findings == [
        Finding("other_sheets", "warning", params={"sheets": [other]}),
        merged,
        formula,
    ]
    assert reading.errors == []


def test_personal_data():
    reading = read(FIXTURES / "personal.csv")
    assert reading.findings == [
        Finding(
            "personal_data",
            "warning",
            2,
            "Registre national",
            2,
            params={"kind": "national_register_number"},
        ),
        Finding("personal_data", "warning", 2, "Courriel", 2, params={"kind": "email"}),
        Finding("personal_data", "warning", 2, "Téléphone", 3, params={"kind": "phone"}),
    ]


def test_empty_table():
    reading = read(FIXTURES / "header-only.csv")
    assert [c.name for c in reading.columns] == ["Commune", "Habitants", "Superficie"]
    assert reading.findings == [Finding("empty_table", "error", 1, None, 0)]


def test_too_many_columns():
    reading = read(FIXTURES / "too-many-columns.csv")
    assert reading.findings == [
        Finding("too_many_columns", "error", 1, None, 1601, params={"max": 1600})
    ]
    assert reading.columns == []


# The publisher's types, and the stored reading


def test_types_given_by_the_publisher_are_checked():
    path = FIXTURES / "budget-2024.csv"
    reading = read(path, types={"Code fonction": "text", "Exercice": "text", "Libellé": "integer"})
    types = types_of(reading)
    assert (types["Code fonction"], types["Exercice"], types["Libellé"]) == (
        "text",
        "text",
        "integer",
    )
    assert types["Montant"] == "decimal"  # the others as found
    assert [r[:3] for r in rows(path, reading)][0] == ["2024", "026", None]
    mismatch = only(reading, "type_mismatch")
    assert (mismatch.row, mismatch.column, mismatch.count) == (4, "Libellé", 4)
    assert mismatch.examples[:2] == ["Administration générale", "Sécurité et salubrité"]
    assert mismatch.params == {"type": "integer"}
    with pytest.raises(ValueError):
        read(path, types={"Exercice": "number"})


@pytest.mark.parametrize(
    "name", ["budget-2024.csv", "dates.csv", "budget.xlsx", "inventaris-utf8-bom.csv"]
)
def test_to_dict_is_json_and_round_trips(name):
    reading = read(FIXTURES / name)
    stored = json.loads(json.dumps(reading.to_dict()))
    assert Reading.from_dict(stored) == reading


# The parts


@pytest.mark.parametrize(
    ("values", "kind", "typed"),
    [
        (
            [" 1 063 850,00 ", "-12,5", "+3"],
            "decimal",
            [Decimal("1063850.00"), Decimal("-12.5"), 3],
        ),
        (["1.234,56", "7"], "decimal", [Decimal("1234.56"), 7]),
        (["1,234.56", "1.5"], "decimal", [Decimal("1234.56"), Decimal("1.5")]),  # English
        (["1'234.50", "2\u202f500,75"], "text", None),  # two decimal marks: no number
        (["1.234", "5.678"], "integer", [1234, 5678]),  # a Belgian thousands dot
        (["0", "1", "1"], "integer", [0, 1, 1]),  # 0/1 stays a number
        ([f"51{NBSP}232{NBSP}627", "0"], "integer", [51232627, 0]),
        (["0,278622", "0,28%"], "text", None),
        (["12345678901234567890"], "decimal", None),  # beyond PostgreSQL's bigint
        (["x", "x"], "text", None),  # a cross is no yes/no
        (["Ja", "nee", "WAAR"], "boolean", [True, False, True]),
        (["026", "100"], "code", ["026", "100"]),
        (["21004", "11002", "62063"], "nis_code", ["21004", "11002", "62063"]),  # NIS-shaped
        (["34070", "39123", "21004"], "integer", None),  # 39 is no arrondissement
        (["21004", "11002"], "integer", None),  # too few to tell
        (
            ["2024-03-01 10:30", "01/03/2024 9:05:30"],
            "datetime",
            [dt.datetime(2024, 3, 1, 10, 30), dt.datetime(2024, 3, 1, 9, 5, 30)],
        ),
        ([21015.0, 21016.0, 25112.0], "nis_code", None),  # numbers in a workbook
        ([3.0, 4.5], "decimal", [Decimal("3.0"), Decimal("4.5")]),
        ([3.0, 4.0], "integer", [3, 4]),
        ([dt.datetime(2024, 3, 1), dt.date(2024, 3, 2)], "date", None),
    ],
)
def test_inferred_types(values, kind, typed):
    found, parse = column_types.infer(
        "valeur", [v.strip() if isinstance(v, str) else v for v in values]
    )
    assert found == kind
    if typed is not None:
        parser = column_types.parser(found, parse)
        assert [parser(v.strip() if isinstance(v, str) else v) for v in values] == typed


@pytest.mark.parametrize(
    ("header", "values", "kind"),
    [
        ("Code postal", ["1000", "9992"], "postal_code"),
        ("CP", ["75001", "01000"], "postal_code"),
        ("Code postal", ["999"], "integer"),
        ("REFNIS", ["21015"], "nis_code"),
        ("Code INS", ["34070"], "nis_code"),
        ("Montant", ["34070"], "integer"),
    ],
)
def test_header_hints(header, values, kind):
    assert column_types.infer(header, values)[0] == kind


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("85.07.30-033.28", "national_register_number"),
        ("85073003328", "national_register_number"),
        ("03.02.14-124.47", "national_register_number"),  # born in 2003
        ("85.07.30-033.29", None),  # wrong check digits
        ("a.b@commune.be", "email"),
        ("0475 12 34 56", "phone"),
        ("+32 2 123 45 67", "phone"),
        ("04.67.42.40.74", "phone"),
        ("0203.201.340", None),  # a company number
        ("1300", None),
    ],
)
def test_personal_data_kinds(value, kind):
    assert personal_data.kind_of(value) == kind


def test_formulas_and_merges_found_across_scan_windows():
    """Sheets of a few MB are scanned in 1 MiB windows: nothing lost or counted
    twice at their edges (the sheets' XML as Excel and LibreOffice write it)."""
    rows_ = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="AB{i}" s="1"><f>A{i}*2</f><v>1</v></c></row>'
        for i in range(1, 40_001)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_}</sheetData></worksheet>"
    )
    assert workbooks._xlsx_formulas(io.BytesIO(sheet.encode()), 0) == (40_000, (0, 27))
    assert workbooks._xlsx_formulas(io.BytesIO(sheet.encode()), 30_000) == (10_000, (30_000, 27))
    cell = (
        '<table:table-cell office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell>"
    )
    merged = '<table:table-cell table:number-rows-spanned="2" table:formula="of:=1"/>'
    rows_ = "".join(
        f"<table:table-row>{cell * 3}{merged if i % 1000 == 0 else cell}</table:table-row>"
        for i in range(1, 20_001)
    )
    content = (
        '<office:document-content xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        '<table:table table:name="A &amp; B"><table:table-row table:number-rows-repeated="5">'
        f'<table:table-cell table:number-columns-repeated="4"/></table:table-row>{rows_}'
        '</table:table><table:table table:name="Autre">'
        f"{rows_}</table:table></office:document-content>"
    )
    scan = workbooks._OdsScan("A & B", 10)
    scan.read(io.BytesIO(content.encode()))
    assert (scan.formulas, scan.first_formula) == (20, (1004, 3))
    assert (len(scan.merged), scan.merged[0], scan.merged[-1]) == (
        20,
        (1004, 3, 1005, 3),
        (20004, 3, 20005, 3),
    )


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Libellé;Montant\n".encode("cp1252") + f"Fêtes;1{NBSP}000\n".encode("cp1252"), "cp1252"),
        ("Libellé;Montant\nÉcole élémentaire;12\n".encode("cp850"), "cp850"),
        ("Prix;12,50 €\n".encode("iso-8859-15"), "iso-8859-15"),
        ("Libellé\n".encode(), "utf-8"),
    ],
)
def test_encodings(data, encoding):
    assert sniffing.detect_encoding(data) == encoding


def test_header_found_under_title_rows():
    rows_ = [
        ["Budget 2024 — Ville de Namur", "", ""],
        ["", "", ""],
        ["Article", "Libellé", "Montant"],
        ["0101", "Traitements", "12,5"],
        ["0102", "Frais", "7"],
    ]
    assert sniffing.find_header(rows_) == 2


def test_a_publishers_table_reports_the_odd_value_a_harvested_one_keeps_as_text(tmp_path):
    """With a tolerance (a publisher is there to correct), 1 word among 30 counts
    breaks the column's type; without (a harvest, true to its source), the column
    is text. A handful of values is too few to call one of them a mistake."""
    path = tmp_path / "comptages.csv"
    lines = ["rue;passages"] + [f"Rue {i};{i * 10}" for i in range(30)]
    lines[12] = "Rue Neuve;beaucoup"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    strict = read(path)
    assert types_of(strict)["passages"] == "text" and not strict.errors
    tolerant = read(path, tolerance=0.05)
    assert types_of(tolerant)["passages"] == "integer"
    (error,) = tolerant.errors
    assert (error.code, error.row, error.column, error.count, error.examples) == (
        "type_mismatch", 13, "passages", 1, ["beaucoup"]
    )  # fmt: skip
    few = tmp_path / "few.csv"
    few.write_text("\n".join(lines[:1] + lines[3:15]) + "\n", encoding="utf-8")
    assert types_of(read(few, tolerance=0.05))["passages"] == "text"


def test_an_excel_97_workbook_reads_like_the_others():
    """XLS, as older offices still send: a merged title above the header, codes
    written as text keep their zeros, dates are dates, the other sheet is named."""
    reading = read(FIXTURES / "ecoles.xls")
    assert (reading.format, reading.sheet, reading.header_row) == ("xls", "Écoles", 3)
    assert types_of(reading) == {
        "Code": "code", "École": "text", "Élèves": "integer", "Ouverture": "date"
    }  # fmt: skip
    assert list(rows(FIXTURES / "ecoles.xls", reading))[2] == [
        "007", "Athénée Saint-Servais", 640, dt.date(1909, 9, 15)
    ]  # fmt: skip
    assert [(f.code, f.params) for f in reading.findings] == [
        ("other_sheets", {"sheets": ["Notes"]})
    ]
