"""The tables publishers upload: how each file was read, the data dictionary the
publisher corrected, and every load's outcome (nothing is lost: a failed load keeps
the file and the table already published)."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import JSON, Boolean, Column, DateTime, Float, ForeignKey, Integer, UnicodeText

__all__ = ["Table", "TableLoad"]


class Table(tk.BaseModel):
    """One tabular resource: its last reading, its dictionary and where it stands.

    ``status``: queued | reading | checked (read, has errors, waits for the
    publisher) | loading | loaded | failed | unreadable.
    """

    __tablename__ = "wepulse_table"

    resource_id = Column(
        UnicodeText, ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )
    package_id = Column(UnicodeText, nullable=False, index=True)
    status = Column(UnicodeText, nullable=False, default="queued")
    sheet = Column(UnicodeText)  # the publisher's choice of sheet, for workbooks
    # reading.Reading.to_dict() of the file last read: its encoding, separator,
    # header, columns, preview and findings.
    reading = Column(JSON)
    # [{name, source_name, type, title: {lang: ...}, description: {lang: ...}, unit}]
    dictionary = Column(JSON, nullable=False, default=list)
    file_hash = Column(UnicodeText)  # SHA-256 of the file last read
    # The resource's URL, last modification and size when it was last queued: a
    # change of its name or description alone does not read the file again.
    file_stamp = Column(UnicodeText)
    loaded_hash = Column(UnicodeText)  # ... and of the file whose table is published
    load_anyway = Column(Boolean, nullable=False, default=False)  # errors accepted
    checked_at = Column(DateTime)
    loaded_at = Column(DateTime)
    message = Column(UnicodeText)  # why the last read or load failed

    @classmethod
    def get(cls, resource_id: str) -> Table | None:
        return model.Session.get(cls, resource_id)

    @classmethod
    def published_dictionary(cls, resource_id: str) -> bool:
        """Whether the resource's table is published with a data dictionary."""
        return bool(
            model.Session.query(cls.resource_id)
            .filter(cls.resource_id == resource_id, cls.loaded_at.isnot(None))
            .count()
        )

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [f for f in (self.reading or {}).get("findings", []) if f["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        findings = (self.reading or {}).get("findings", [])
        return [f for f in findings if f["severity"] == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id,
            "status": self.status,
            "sheet": self.sheet,
            "reading": self.reading,
            "dictionary": self.dictionary,
            "load_anyway": self.load_anyway,
            "checked_at": _iso(self.checked_at),
            "loaded_at": _iso(self.loaded_at),
            "message": self.message,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


class TableLoad(tk.BaseModel):
    """One attempt to load a file into the DataStore, kept as history."""

    __tablename__ = "wepulse_table_load"

    id = Column(Integer, primary_key=True, autoincrement=True)
    resource_id = Column(
        UnicodeText, ForeignKey("resource.id", ondelete="CASCADE"), nullable=False, index=True
    )
    file_hash = Column(UnicodeText)
    started_at = Column(DateTime, nullable=False)
    finished_at = Column(DateTime)
    status = Column(UnicodeText, nullable=False)  # running | loaded | failed
    rows = Column(Integer)
    seconds = Column(Float)
    errors = Column(JSON, nullable=False, default=list)  # why it failed, and findings accepted

    @classmethod
    def history(cls, resource_id: str, limit: int = 10) -> list[TableLoad]:
        return (
            model.Session.query(cls)
            .filter(cls.resource_id == resource_id)
            .order_by(cls.started_at.desc())
            .limit(limit)
            .all()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "status": self.status,
            "rows": self.rows,
            "seconds": self.seconds,
            "errors": self.errors,
        }


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None
