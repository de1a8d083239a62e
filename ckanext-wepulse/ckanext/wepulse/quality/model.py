"""The transparency tables: each dataset's score, each link's check, and each
authority's figures of the day (the history a region compares)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    UnicodeText,
)

from ckanext.wepulse.quality.mqa import MAX_SCORE

__all__ = ["AuthorityQualityDay", "DatasetQuality", "LinkCheck"]


class DatasetQuality(tk.BaseModel):
    """A dataset's MQA score with its indicator-by-indicator detail, and its freshness.
    Replaced after every change, every link check that changes a result, and daily."""

    __tablename__ = "wepulse_dataset_quality"

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    owner_org = Column(UnicodeText, index=True)  # the authority, to aggregate without a join
    score = Column(Integer, nullable=False)
    band = Column(UnicodeText, nullable=False)  # excellent | good | sufficient | bad
    pending = Column(Integer, nullable=False)  # points held by what is not known yet
    dimensions = Column(JSON, nullable=False)  # {dimension: points}
    indicators = Column(JSON, nullable=False)  # [Measure.as_dict()]
    freshness = Column(UnicodeText, nullable=False)  # on_time | late | never_late | ...
    frequency = Column(UnicodeText)  # EU frequency code
    last_change = Column(DateTime)
    due = Column(DateTime)  # late after this moment without a new change
    computed_at = Column(DateTime, nullable=False)
    # The measurements as DQV, for the catalogue dump (quality/dqv.py).
    dqv_turtle = Column(UnicodeText, nullable=False)
    dqv_ntriples = Column(UnicodeText, nullable=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "score": self.score,
            "max": MAX_SCORE,
            "band": self.band,
            "pending": self.pending,
            "dimensions": self.dimensions,
            "indicators": self.indicators,
            "freshness": {
                "status": self.freshness,
                "frequency": self.frequency,
                "last_change": _iso(self.last_change),
                "due": _iso(self.due),
                "late_since": _iso(self.due) if self.freshness == "late" else None,
            },
            "computed_at": _iso(self.computed_at),
        }

    @classmethod
    def get(cls, package_id: str) -> DatasetQuality | None:
        return model.Session.get(cls, package_id)


class LinkCheck(tk.BaseModel):
    """What the link checker last found at one URL of one dataset's distributions
    (an access or a download URL, as the dataset's DCAT-AP gives them)."""

    __tablename__ = "wepulse_link_check"
    __table_args__ = (Index("wepulse_link_check_due", "next_check"),)

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    # The URL's SHA-256: a key of fixed size whatever a source writes (PostgreSQL cannot
    # index a text of several kilobytes).
    url_hash = Column(UnicodeText, primary_key=True)
    url = Column(UnicodeText, nullable=False)
    owner_org = Column(UnicodeText, index=True)
    host = Column(UnicodeText, nullable=False)  # host:port, the politeness budget's key
    # not_checked | ok | redirect | broken | timeout | refused
    status = Column(UnicodeText, nullable=False, default="not_checked")
    http_status = Column(Integer)
    final_url = Column(UnicodeText)  # where redirects ended
    content_type = Column(UnicodeText)  # as the server says
    content_length = Column(BigInteger)  # as the server says
    message = Column(UnicodeText)
    checked_at = Column(DateTime)
    failing_since = Column(DateTime)  # first failed check of the current failing run
    changed_at = Column(DateTime)  # when the result last changed (the schedule adapts)
    next_check = Column(DateTime, nullable=False)

    WORKING = ("ok", "redirect")
    FAILING = ("broken", "timeout", "refused")

    @property
    def works(self) -> bool | None:
        """True, False, or None when not checked yet."""
        if self.status in self.WORKING:
            return True
        return False if self.status in self.FAILING else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "content_type": self.content_type,
            "content_length": self.content_length,
            "message": self.message,
            "checked_at": _iso(self.checked_at),
            "failing_since": _iso(self.failing_since),
            "next_check": _iso(self.next_check),
        }

    @staticmethod
    def hash(url: str) -> str:
        return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()

    @classmethod
    def for_package(cls, package_id: str) -> list[LinkCheck]:
        return model.Session.query(cls).filter(cls.package_id == package_id).all()


class AuthorityQualityDay(tk.BaseModel):
    """One authority's figures on one day (the scorecard's history)."""

    __tablename__ = "wepulse_authority_quality_day"

    organization_id = Column(
        UnicodeText, ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    day = Column(Date, primary_key=True)
    datasets = Column(Integer, nullable=False)
    average_score = Column(Integer)  # None without datasets
    on_time_share = Column(Integer)  # percent of the assessable datasets; None without any
    broken_links = Column(Integer, nullable=False)
    figures = Column(JSON, nullable=False)  # bands and dimensions


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None
