"""The data dictionary: a publisher's corrections survive a new version of the file,
are checked before they are saved, and are published as a Table Schema."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ckanext.wepulse.uploads import dictionary
from ckanext.wepulse.uploads.loading import copy_text


def reading(*columns: tuple[str, str, str]) -> dict:
    return {
        "columns": [
            {"name": name, "source_name": source, "type": kind} for name, source, kind in columns
        ]
    }


FIRST = reading(("exercice", "Exercice", "integer"), ("BP", " BP ", "decimal"))


def test_a_new_reading_starts_each_column_as_found():
    entries = dictionary.merge([], FIRST)
    assert [(e["name"], e["type"], e["found_type"]) for e in entries] == [
        ("exercice", "integer", "integer"),
        ("BP", "decimal", "decimal"),
    ]
    assert dictionary.type_overrides(entries) == {}


def test_corrections_survive_a_new_version_of_the_file_matched_by_header():
    entries = dictionary.merge([], FIRST)
    entries[0].update(type="code", name="annee", title={"fr": "Année", "nl": "Jaar"}, unit="")
    newer = reading(
        ("nouveau", "Nouveau", "text"), ("exercice", "Exercice", "integer"), ("BP", " BP ", "text")
    )
    merged = dictionary.merge(entries, newer)
    assert [e["source_name"] for e in merged] == ["Nouveau", "Exercice", " BP "]
    assert merged[1]["name"] == "annee" and merged[1]["title"] == {"fr": "Année", "nl": "Jaar"}
    assert merged[1]["type"] == "code" and merged[1]["found_type"] == "integer"
    # The publisher never touched BP's type: it follows what the new file holds.
    assert merged[2]["found_type"] == "text" and merged[2]["type"] == "text"
    assert dictionary.type_overrides(merged) == {"exercice": "code"}


def test_names_the_datastore_refuses_are_reported_before_saving():
    entries = dictionary.merge([], FIRST) + dictionary.merge(
        [], reading(("x", "x", "text"), ("y", "y", "text"), ("z", "z", "text"))
    )
    entries[0]["name"] = "_id"
    entries[1]["name"] = 'a "quoted" name'
    entries[2]["name"] = "x" * 64
    entries[3]["name"] = "EXERCICE"
    entries[4]["name"] = "exercice"
    entries[4]["type"] = "money"
    assert dictionary.check(entries) == {
        "0.name": "invalid_name",
        "1.name": "invalid_name",
        "2.name": "invalid_name",
        "4.name": "duplicate_name",
        "4.type": "invalid_type",
    }
    entries = dictionary.merge([], FIRST)
    entries[0]["description"] = {"fr": "é" * 2001}
    assert dictionary.check(entries) == {"0.description": "too_long"}


def test_the_table_schema_says_each_field_in_the_pages_language():
    entries = dictionary.merge(
        [], reading(("nis", "NIS", "nis_code"), ("montant", "Montant", "decimal"))
    )
    entries[1].update(title={"nl": "Bedrag", "fr": "Montant"}, unit="EUR")
    schema = dictionary.table_schema(entries, "nl")
    assert schema["fields"] == [
        {
            "name": "nis",
            "type": "string",
            "constraints": {"pattern": "[1-9][0-9]{4}"},
            "wepulse:type": "nis_code",
        },
        {
            "name": "montant",
            "type": "number",
            "title": "Bedrag",
            "unit": "EUR",
            "wepulse:type": "decimal",
            "titles": {"nl": "Bedrag", "fr": "Montant"},
        },
    ]
    assert dictionary.table_schema(entries, "de")["fields"][1]["title"] == "Montant"


def test_values_are_written_in_copys_text_format():
    assert copy_text(None) == "\\N"
    assert copy_text(True) == "t"
    assert copy_text(Decimal("1063850.00")) == "1063850.00"
    assert copy_text(datetime.date(2024, 12, 31)) == "2024-12-31"
    assert copy_text("a\tb\nc\\d\x00") == "a\\tb\\nc\\\\d"
    assert copy_text("\\N") == "\\\\N"  # a cell that says \N is not an empty one
