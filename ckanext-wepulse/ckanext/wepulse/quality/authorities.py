"""What each authority publishes and how well: read from the stored scores and link
checks, never computed on the spot, so the regional overview stays fast.

``overview`` is one row per authority of the regions (every municipality and CPAS of
Brussels and Wallonia, those that publish nothing too); ``scorecard`` is one
authority's detail; ``snapshot_all`` keeps each authority's figures of the day.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from ckan import model
from sqlalchemy import and_, case, func

from ckanext.wepulse.model import DatasetValidation
from ckanext.wepulse.quality.model import AuthorityQualityDay, DatasetQuality, LinkCheck
from ckanext.wepulse.quality.mqa import BANDS, DIMENSIONS, band

__all__ = ["REGIONS", "AuthorityFigures", "overview", "scorecard", "snapshot_all"]

#: The regions whose authorities the overview lists, each in full.
REGIONS = ("brussels", "wallonia")
_EXTRAS = ("title_translated", "authority_type", "region", "nis_code")
BAND_NAMES = tuple(name for _lowest, name in BANDS)


@dataclass
class AuthorityFigures:
    id: str
    name: str
    title: str
    title_translated: dict[str, str]
    authority_type: str
    region: str
    nis_code: str
    datasets: int = 0
    average_score: int | None = None
    band: str | None = None
    bands: dict[str, int] | None = None
    assessable: int = 0  # datasets whose freshness can be judged
    on_time: int = 0
    on_time_share: int | None = None  # percent of the assessable ones
    broken_links: int = 0
    last_publication: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _public_datasets():
    return and_(
        model.Package.state == "active",
        model.Package.private.is_(False),
        model.Package.type == "dataset",
    )


def overview(organization_ids: list[str] | None = None) -> list[AuthorityFigures]:
    """Every authority of REGIONS (or those of ``organization_ids``) with its figures,
    in a handful of queries whatever the number of datasets."""
    groups = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    )
    if organization_ids is not None:
        groups = groups.filter(model.Group.id.in_(organization_ids))
    extras: dict[str, dict[str, str]] = {}
    for group_id, key, value in model.Session.query(
        model.GroupExtra.group_id, model.GroupExtra.key, model.GroupExtra.value
    ).filter(model.GroupExtra.key.in_(_EXTRAS), model.GroupExtra.state == "active"):
        extras.setdefault(group_id, {})[key] = value
    rows: dict[str, AuthorityFigures] = {}
    for group_id, name, title in groups:
        found = extras.get(group_id, {})
        if organization_ids is None and found.get("region") not in REGIONS:
            continue
        rows[group_id] = AuthorityFigures(
            id=group_id,
            name=name,
            title=title,
            title_translated=_json(found.get("title_translated")),
            authority_type=found.get("authority_type", ""),
            region=found.get("region", ""),
            nis_code=found.get("nis_code", ""),
            bands=dict.fromkeys(BAND_NAMES, 0),
        )

    is_public = _public_datasets()
    for owner, count, average, on_time, assessable, last in (
        model.Session.query(
            model.Package.owner_org,
            func.count(model.Package.id),
            func.avg(DatasetQuality.score),
            func.sum(case((DatasetQuality.freshness == "on_time", 1), else_=0)),
            func.sum(case((DatasetQuality.freshness.in_(("on_time", "late")), 1), else_=0)),
            func.max(model.Package.metadata_created),
        )
        .outerjoin(DatasetQuality, DatasetQuality.package_id == model.Package.id)
        .filter(is_public)
        .group_by(model.Package.owner_org)
    ):
        row = rows.get(owner)
        if row is None:
            continue
        row.datasets = count
        row.average_score = None if average is None else round(float(average))
        row.band = None if average is None else band(row.average_score)
        row.on_time, row.assessable = int(on_time or 0), int(assessable or 0)
        row.on_time_share = round(100 * row.on_time / row.assessable) if row.assessable else None
        row.last_publication = last.date().isoformat() if last else None
    for owner, band_name, count in (
        model.Session.query(DatasetQuality.owner_org, DatasetQuality.band, func.count())
        .join(model.Package, model.Package.id == DatasetQuality.package_id)
        .filter(is_public)
        .group_by(DatasetQuality.owner_org, DatasetQuality.band)
    ):
        if owner in rows:
            rows[owner].bands[band_name] = count
    for owner, count in (
        model.Session.query(LinkCheck.owner_org, func.count())
        .join(model.Package, model.Package.id == LinkCheck.package_id)
        .filter(is_public, LinkCheck.status.in_(LinkCheck.FAILING))
        .group_by(LinkCheck.owner_org)
    ):
        if owner in rows:
            rows[owner].broken_links = count
    return sorted(rows.values(), key=lambda r: (r.region, r.authority_type, r.title.lower()))


def scorecard(organization_id: str, top: int = 10) -> dict[str, Any]:
    """One authority's detail: its overview row, each dimension's average, formats and
    licences used, the most common DCAT-AP violations, the datasets that would gain
    the most points, its late datasets, its broken links and its history."""
    figures = overview([organization_id])
    if not figures:
        raise LookupError(organization_id)
    summary = figures[0]
    is_public = _public_datasets()
    scored = (
        model.Session.query(DatasetQuality, model.Package.name, model.Package.title)
        .join(model.Package, model.Package.id == DatasetQuality.package_id)
        .filter(is_public, model.Package.owner_org == organization_id)
        .all()
    )
    dimensions = dict.fromkeys(DIMENSIONS, 0.0)
    gains = []
    late = []
    for quality, name, title in scored:
        for dimension, points in (quality.dimensions or {}).items():
            dimensions[dimension] = dimensions.get(dimension, 0.0) + points
        missing = [i for i in quality.indicators if i["missing"] > 0]
        gains.append(
            {
                "name": name,
                "title": title,
                "score": quality.score,
                "gain": sum(i["missing"] for i in missing),
                "missing": sorted(
                    ({"indicator": i["indicator"], "points": i["missing"]} for i in missing),
                    key=lambda i: -i["points"],
                ),
            }
        )
        if quality.freshness == "late":
            late.append({"name": name, "title": title, "late_since": quality.due.isoformat()})
    count = len(scored)
    formats = Counter(
        fmt.strip().upper()
        for (fmt,) in model.Session.query(model.Resource.format)
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .filter(is_public, model.Package.owner_org == organization_id)
        .filter(model.Resource.state == "active")
        if fmt and fmt.strip()
    )
    licences = Counter(
        licence or ""
        for (licence,) in model.Session.query(model.Package.license_id).filter(
            is_public, model.Package.owner_org == organization_id
        )
    )
    violations: Counter[tuple[str, str]] = Counter()
    for (messages,) in (
        model.Session.query(DatasetValidation.messages)
        .join(model.Package, model.Package.id == DatasetValidation.package_id)
        .filter(is_public, model.Package.owner_org == organization_id)
        .filter(DatasetValidation.profile == "dcat-ap-3.0.1")
    ):
        for message in messages or []:
            if message.get("severity") == "Violation":
                violations[(message.get("path", ""), message.get("message", ""))] += 1
    broken = (
        model.Session.query(LinkCheck, model.Package.name)
        .join(model.Package, model.Package.id == LinkCheck.package_id)
        .filter(is_public, model.Package.owner_org == organization_id)
        .filter(LinkCheck.status.in_(LinkCheck.FAILING))
        .order_by(LinkCheck.failing_since, LinkCheck.url)
        .all()
    )
    history = (
        model.Session.query(AuthorityQualityDay)
        .filter(AuthorityQualityDay.organization_id == organization_id)
        .order_by(AuthorityQualityDay.day)
        .all()
    )
    return {
        **summary.as_dict(),
        "scored": count,
        "dimensions": {
            dimension: {
                "average": round(dimensions.get(dimension, 0.0) / count) if count else None,
                "max": maximum,
            }
            for dimension, maximum in DIMENSIONS.items()
        },
        "formats": [{"format": f, "count": n} for f, n in formats.most_common()],
        "licences": [{"licence": lic, "count": n} for lic, n in licences.most_common()],
        "violations": [
            {"path": path, "message": message, "count": n}
            for (path, message), n in violations.most_common(top)
        ],
        "gains": sorted(gains, key=lambda g: (-g["gain"], g["name"]))[:top],
        "late": sorted(late, key=lambda d: d["late_since"]),
        "broken_links": [dict(link.as_dict(), dataset=name) for link, name in broken],
        "history": [
            {
                "day": day.day.isoformat(),
                "datasets": day.datasets,
                "average_score": day.average_score,
                "on_time_share": day.on_time_share,
                "broken_links": day.broken_links,
            }
            for day in history
        ],
    }


def snapshot_all(day: datetime.date) -> int:
    """Keep every authority's figures of ``day`` (replacing that day's, if any)."""
    count = 0
    for figures in overview():
        row = model.Session.get(AuthorityQualityDay, (figures.id, day)) or AuthorityQualityDay(
            organization_id=figures.id, day=day
        )
        row.datasets = figures.datasets
        row.average_score = figures.average_score
        row.on_time_share = figures.on_time_share
        row.broken_links = figures.broken_links
        row.figures = {"bands": figures.bands, "on_time": figures.on_time}
        model.Session.add(row)
        count += 1
    model.Session.commit()
    return count


def _json(value: str | None) -> dict[str, str]:
    try:
        found = json.loads(value) if value else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
