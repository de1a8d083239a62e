"""Updated on time: data.gouv.fr's rule at the edges of each period."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest

from ckanext.wepulse import vocabularies
from ckanext.wepulse.quality import freshness

CHANGED = datetime.datetime(2026, 3, 2, 9, 30)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
PERIODS = Path(vocabularies.__file__).parent / "freshness_periods.csv"


@pytest.mark.parametrize(
    ("frequency", "days"),
    [
        ("DAILY", 1),
        ("WEEKLY", 7),
        ("BIWEEKLY", 14),
        ("MONTHLY", 31),
        ("BIMONTHLY", 62),
        ("QUARTERLY", 93),
        ("ANNUAL_2", 365),
        ("ANNUAL", 365),
        ("BIENNIAL", 730),
        ("TRIENNIAL", 1095),
    ],
)
def test_on_time_until_the_period_and_a_day_of_grace_then_late(frequency, days):
    due = CHANGED + datetime.timedelta(days=days) + DAY
    iri = f"http://publications.europa.eu/resource/authority/frequency/{frequency}"
    day_before = freshness.assess(iri, CHANGED, due - DAY)
    last_moment = freshness.assess(iri, CHANGED, due)
    day_after = freshness.assess(iri, CHANGED, due + DAY)
    just_after = freshness.assess(iri, CHANGED, due + SECOND)
    assert (day_before.status, last_moment.status) == ("on_time", "on_time")
    assert (day_after.status, just_after.status) == ("late", "late")
    assert day_after.late_since == due and day_before.late_since is None
    assert day_after.frequency == frequency


@pytest.mark.parametrize(
    "frequency", ["CONT", "IRREG", "UPDATE_CONT", "AS_NEEDED", "NEVER", "OTHER"]
)
def test_frequencies_without_a_period_are_never_late(frequency):
    found = freshness.assess(frequency, CHANGED, CHANGED + 3650 * DAY)
    assert (found.status, found.due, found.assessed) == ("never_late", None, False)


@pytest.mark.parametrize("frequency", [None, "", "UNKNOWN", "every full moon"])
def test_no_or_unknown_frequency_is_not_assessable(frequency):
    found = freshness.assess(frequency, CHANGED, CHANGED + 3650 * DAY)
    assert (found.status, found.assessed) == ("not_assessable", False)


def test_a_dataset_that_never_changed_is_not_assessable():
    assert freshness.assess("MONTHLY", None, CHANGED).status == "not_assessable"


def test_labels_and_codes_are_read_like_iris():
    due = CHANGED + 8 * DAY
    assert freshness.assess("weekly", CHANGED, due + SECOND).status == "late"
    assert freshness.assess("Hebdomadaire", CHANGED, due).status == "on_time"


def test_every_eu_frequency_has_a_period_and_every_period_a_frequency():
    codes = {concept.code for concept in vocabularies.load("frequencies").concepts}
    with PERIODS.open(encoding="utf-8") as periods:
        rows = {row["code"]: row["period_days"] for row in csv.DictReader(periods)}
    assert set(rows) == codes
    for value in rows.values():
        assert value in ("never", "unknown") or float(value) > 0


def test_last_change_of_a_harvested_dataset_is_its_sources_modified():
    dataset = {
        "harvest_guid": "x",
        "modified": "2025-05-04",
        "metadata_modified": "2026-12-01T10:00:00",
        "resources": [{"last_modified": "2026-11-30T10:00:00"}],
    }
    assert freshness.last_change(dataset) == datetime.datetime(2025, 5, 4)


def test_last_change_of_a_local_dataset_is_its_newest_resource_else_itself():
    dataset = {
        "modified": "2020-01-01",
        "metadata_modified": "2026-12-01T10:00:00",
        "resources": [
            {"last_modified": "2026-10-01T08:00:00", "metadata_modified": "2026-12-01T10:00:00"},
            {"last_modified": "2026-11-02T08:00:00+01:00"},
        ],
    }
    assert freshness.last_change(dataset) == datetime.datetime(2026, 11, 2, 7, 0)
    dataset["resources"] = []
    assert freshness.last_change(dataset) == datetime.datetime(2026, 12, 1, 10, 0)
