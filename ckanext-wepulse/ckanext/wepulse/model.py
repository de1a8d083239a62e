"""The extension's own tables: DCAT-AP validation and text, harvest state, and the
accessibility feedback visitors send."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.model.types import make_uuid
from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, UnicodeText
from sqlalchemy.dialects.postgresql import insert

__all__ = [
    "AccessibilityFeedback",
    "DatasetRdf",
    "DatasetValidation",
    "HarvestMemory",
    "HarvestedRecord",
    "upsert",
]


def upsert(rows: list[Any]) -> None:
    """Store new or replaced rows of one table (transient instances), in one statement:
    a batch of datasets, not a round trip each. The caller commits."""
    if not rows:
        return
    table = type(rows[0])
    columns = [column.name for column in table.__table__.columns]
    keys = [column.name for column in table.__table__.primary_key]
    statement = insert(table).values([{c: getattr(row, c) for c in columns} for row in rows])
    model.Session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={c: statement.excluded[c] for c in columns if c not in keys},
        )
    )
    # CKAN's session keeps what it loaded past a commit: forget those rows' old values.
    for loaded in list(model.Session.identity_map.values()):
        if isinstance(loaded, table):
            model.Session.expire(loaded)


class DatasetValidation(tk.BaseModel):
    """One row per dataset and DCAT-AP version (profile), replaced at each run."""

    __tablename__ = "wepulse_dataset_validation"

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    profile = Column(UnicodeText, primary_key=True)  # e.g. "dcat-ap-3.0.1"
    conforms = Column(Boolean, nullable=False)
    violations = Column(Integer, nullable=False)
    messages = Column(JSON, nullable=False)  # [{"focus", "path", "message", "severity"}]
    validated_at = Column(DateTime, nullable=False)

    @classmethod
    def for_package(cls, package_id: str) -> list[DatasetValidation]:
        return (
            model.Session.query(cls)
            .filter(cls.package_id == package_id)
            .order_by(cls.profile)
            .all()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "profile": self.profile,
            "conforms": self.conforms,
            "violations": self.violations,
            "messages": self.messages,
            "validated_at": self.validated_at.isoformat(),
        }


class DatasetRdf(tk.BaseModel):
    """A dataset's DCAT-AP graph, serialised by the background job after each
    change, so a full-catalogue dump streams text instead of rebuilding graphs."""

    __tablename__ = "wepulse_dataset_rdf"

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    source_modified = Column(DateTime, nullable=False)  # the dataset's metadata_modified
    turtle = Column(UnicodeText, nullable=False)
    ntriples = Column(UnicodeText, nullable=False)


class HarvestedRecord(tk.BaseModel):
    """What the portal knows of one record of one harvest source: the dataset it
    became and the content hash it had, so an unchanged record is skipped and a
    vanished one withdrawn. ``state`` is "active" or "withdrawn"."""

    __tablename__ = "wepulse_harvested_record"

    source_id = Column(UnicodeText, primary_key=True)  # the harvest source's id
    guid = Column(UnicodeText, primary_key=True)  # the record's id at the source
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"))
    content_hash = Column(UnicodeText, nullable=False)
    state = Column(UnicodeText, nullable=False, default="active")
    first_harvested = Column(DateTime, nullable=False)
    last_harvested = Column(DateTime, nullable=False)  # last time its dataset was written


class HarvestMemory(tk.BaseModel):
    """What a source's adapter remembers between harvests: the HTTP validators (ETag,
    Last-Modified) of the pages it read and what each page listed, so a page the server
    says is unchanged is not downloaded and parsed again."""

    __tablename__ = "wepulse_harvest_memory"

    source_id = Column(UnicodeText, primary_key=True)
    memory = Column(JSON, nullable=False)


class AccessibilityFeedback(tk.BaseModel):
    """A message sent with the accessibility statement's feedback form: the Web
    Accessibility Directive requires a way to report problems and get an answer."""

    __tablename__ = "wepulse_accessibility_feedback"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    problem = Column(UnicodeText, nullable=False)
    page_url = Column(UnicodeText)  # the page it concerns, if given
    email = Column(UnicodeText)  # where to reply, if given
    language = Column(UnicodeText, nullable=False)  # the form's language: reply in it
    created = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)

    @classmethod
    def save(cls, problem: str, page_url: str, email: str, language: str):
        row = cls(
            problem=problem, page_url=page_url or None, email=email or None, language=language
        )
        model.Session.add(row)
        model.Session.commit()
        return row

    @classmethod
    def newest_first(cls):
        return model.Session.query(cls).order_by(cls.created.desc())
