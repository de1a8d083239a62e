"""Is a dataset updated on time? data.gouv.fr's rule against its declared frequency.

A dataset is late when its last change plus its frequency's period plus one day of
grace is past. The periods are data (vocabularies/freshness_periods.csv): a number
of days, ``never`` (continuous, irregular...: never late) or ``unknown`` (not
assessable, like a dataset that declares no frequency).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ckanext.wepulse import vocabularies

__all__ = ["GRACE", "Freshness", "assess", "last_change", "period"]

GRACE = datetime.timedelta(days=1)

ON_TIME, LATE, NEVER_LATE, NOT_ASSESSABLE = "on_time", "late", "never_late", "not_assessable"


@dataclass(frozen=True)
class Freshness:
    status: str  # on_time | late | never_late | not_assessable
    frequency: str | None  # the EU frequency code, when it is one
    last_change: datetime.datetime | None
    due: datetime.datetime | None  # the moment it is late without a new change

    @property
    def late_since(self) -> datetime.datetime | None:
        return self.due if self.status == LATE else None

    @property
    def assessed(self) -> bool:
        """Whether it counts in an authority's on-time share."""
        return self.status in (ON_TIME, LATE)


@cache
def _periods() -> dict[str, str]:
    text = (resources.files("ckanext.wepulse.vocabularies") / "freshness_periods.csv").read_text(
        encoding="utf-8"
    )
    return {row["code"]: row["period_days"] for row in csv.DictReader(io.StringIO(text))}


def period(code: str) -> datetime.timedelta | str:
    """A frequency code's period, or "never" / "unknown"."""
    value = _periods().get(code, "unknown")
    return value if value in ("never", "unknown") else datetime.timedelta(days=float(value))


def assess(frequency: Any, changed: datetime.datetime | None, now: datetime.datetime) -> Freshness:
    """The freshness of a dataset of ``frequency`` (IRI, code or label) last changed
    at ``changed``, at ``now`` (naive datetimes are UTC)."""
    concept = vocabularies.load("frequencies").lookup(frequency) if frequency else None
    code = concept.code if concept else None
    rule = period(code) if code else "unknown"
    if rule == "never":
        return Freshness(NEVER_LATE, code, changed, None)
    if rule == "unknown" or changed is None:
        return Freshness(NOT_ASSESSABLE, code, changed, None)
    due = changed + rule + GRACE
    return Freshness(LATE if now > due else ON_TIME, code, changed, due)


def last_change(dataset: dict[str, Any]) -> datetime.datetime | None:
    """When a dataset last changed, as the issue's rule reads it: the source's
    ``modified`` for a harvested dataset, else its newest resource change, else the
    dataset's own ``metadata_modified``."""
    if _harvested(dataset):
        found = _date(dataset.get("modified"))
        if found:
            return found
    changes = [
        _date(resource.get("last_modified") or resource.get("metadata_modified"))
        for resource in dataset.get("resources") or []
    ]
    changes = [change for change in changes if change]
    if changes:
        return max(changes)
    return _date(dataset.get("metadata_modified"))


def _harvested(dataset: dict[str, Any]) -> bool:
    return bool(dataset.get("harvest_source_id") or dataset.get("harvest_guid")) or any(
        extra.get("key") == "harvest_source_id" for extra in dataset.get("extras") or []
    )


def _date(value: Any) -> datetime.datetime | None:
    """A date or date-time as a naive UTC datetime (a bare date is its start)."""
    if isinstance(value, datetime.datetime):
        found = value
    elif isinstance(value, str) and value.strip():
        try:
            found = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                found = datetime.datetime.combine(
                    datetime.date.fromisoformat(value.strip()[:10]), datetime.time()
                )
            except ValueError:
                return None
    else:
        return None
    if found.tzinfo is not None:
        found = found.astimezone(datetime.UTC).replace(tzinfo=None)
    return found
