"""Helpers of the home, search and authority pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.wepulse import multilingual, vocabularies
from ckanext.wepulse.search import facets

__all__ = [
    "wepulse_home_overview",
    "wepulse_authority_title_languages",
    "wepulse_facet_label",
    "wepulse_authority_summary",
    "wepulse_harvest_sources",
    "wepulse_search_feed_url",
    "wepulse_page_numbers",
]

# Authority fields the pages group and name authorities by (scheming stores them as extras).
_AUTHORITY_FIELDS = ("title_translated", "authority_type", "region")


# The order the home page lists authorities in; other values come after, as found.
REGIONS = ("brussels", "wallonia", "flanders")


AUTHORITY_TYPES = ("municipality", "cpas", "regional_body", "other")


def wepulse_home_overview(recent: int = 8) -> dict[str, Any]:
    """What the home page leads to, from one search: the themes and the authorities
    that publish, with their public datasets' counts, and the datasets updated last."""
    result = tk.get_action("package_search")(
        {},
        {
            "rows": recent,
            "sort": "metadata_modified desc",
            "facet.field": ["theme", "organization"],
            "facet.limit": -1,
        },
    )
    found = result["search_facets"]
    return {
        "count": result["count"],
        "themes": sorted(_facet_items(found, "theme"), key=lambda t: _sort_key(t["label"])),
        "authorities": _authorities_by_region_and_type(_facet_items(found, "organization")),
        "authority_count": model.Session.query(model.Group)
        .filter(model.Group.is_organization, model.Group.state == "active")
        .count(),
        "recent": _with_authority_titles(result["results"]),
    }


def wepulse_authority_title_languages(names: list[str]) -> dict[str, str]:
    """The language of each authority's title as the page shows it, where it is not
    the page's own (for a lang attribute)."""
    lang = tk.h.lang()
    languages = {}
    for name, fields in _authority_fields(names).items():
        title_lang = _authority_title(fields, lang)[1]
        if title_lang:
            languages[name] = title_lang
    return languages


def wepulse_facet_label(field: str, value: str) -> str:
    """A facet value's label in the page's language, also for a filter that matches
    nothing (and so is missing from the search's facets)."""
    item = {"name": value, "display_name": value}
    facets.label_facets({field: {"items": [item]}}, tk.h.lang())
    return item["display_name"]


def wepulse_authority_summary(authority_id: str) -> dict[str, Any]:
    """An authority's datasets (those the visitor may see): how many, and their themes,
    most used first."""
    result = tk.get_action("package_search")(
        {},
        {
            "fq": f'owner_org:"{authority_id}"',
            "rows": 0,
            "include_private": True,
            "facet.field": ["theme"],
            "facet.limit": -1,
        },
    )
    themes = _facet_items(result["search_facets"], "theme")
    themes.sort(key=lambda t: (-t["count"], _sort_key(t["label"])))
    return {"count": result["count"], "themes": themes}


def wepulse_harvest_sources(authority_id: str) -> list[dict[str, Any]]:
    """The harvest sources an authority's datasets come from, with how many datasets
    each brought and when its last harvest ended."""
    sources = tk.get_action("package_search")(
        {},
        {
            "fq": f'+dataset_type:harvest +owner_org:"{authority_id}"',
            "rows": 100,
            "include_private": True,
            "sort": "title_string asc",
        },
    )["results"]
    for source in sources:
        status = tk.get_action("harvest_source_show_status")({}, {"id": source["id"]})
        last_job = status.get("last_job") or {}
        source["dataset_count"] = status.get("total_datasets", 0)
        source["last_harvested"] = last_job.get("finished")
    return sources


def wepulse_search_feed_url() -> str:
    """The Atom feed of the dataset search on this page.

    CKAN's custom feed filters on each parameter but ``q``, ``page`` and ``sort``, one
    value per name: a filter's further values go into ``q``, as the fielded queries
    search understands.
    """
    query = [tk.request.args.get("q", "")]
    filters: dict[str, str] = {}
    for name, value in tk.request.args.items(multi=True):
        if name in ("q", "page", "sort") or name.startswith("_") or not value:
            continue
        if name in filters:
            query.append(f'{name}:"{value}"')
        else:
            filters[name] = value
    q = " ".join(filter(None, query))
    params = {"q": q, **filters} if q else filters
    url = tk.h.url_for("feeds.custom")
    return f"{url}?{urlencode(params)}" if params else url


def wepulse_page_numbers(page: Any, around: int = 2) -> list[int | None]:
    """The pages a pager links to: the first, the last and those around the current one,
    with None where pages are left out."""
    last = page.last_page or 1
    shown = {1, last, *range(max(1, page.page - around), min(last, page.page + around) + 1)}
    numbers: list[int | None] = []
    for number in sorted(shown):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def _facet_items(search_facets: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """A facet's values as {code, label, count} (labelled by the search plugin)."""
    items = (search_facets.get(field) or {}).get("items") or []
    return [
        {"code": i["name"], "label": i.get("display_name") or i["name"], "count": i["count"]}
        for i in items
    ]


def _sort_key(label: str) -> str:
    """Alphabetical order that ignores case and accents (É with E, not after Z)."""
    return vocabularies.fold(label)


def _authorities_by_region_and_type(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Authorities (facet items) grouped by region, then type, each named in the page's
    language (with the language of its name where it is another)."""
    lang = tk.h.lang()
    fields = _authority_fields([item["code"] for item in items])
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for item in items:
        authority = fields.get(item["code"], {})
        title, title_lang = _authority_title(authority, lang)
        by_type = groups.setdefault(authority.get("region", ""), {})
        by_type.setdefault(authority.get("authority_type", "other"), []).append(
            {
                "name": item["code"],
                "title": title or item["label"],
                "lang": title_lang,
                "count": item["count"],
            }
        )
    return [
        {
            "region": region,
            "types": [
                {"type": kind, "authorities": sorted(found, key=lambda a: _sort_key(a["title"]))}
                for kind, found in _in_order(groups[region], AUTHORITY_TYPES)
            ],
        }
        for region, _ in _in_order(groups, REGIONS)
    ]


def _with_authority_titles(datasets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Datasets with their authority's title in the page's language (and its language
    where it is another) as ``authority_title`` and ``authority_lang``."""
    lang = tk.h.lang()
    organizations = [d["organization"]["name"] for d in datasets if d.get("organization")]
    fields = _authority_fields(organizations)
    for dataset in datasets:
        organization = dataset.get("organization") or {}
        title, title_lang = _authority_title(fields.get(organization.get("name"), {}), lang)
        dataset["authority_title"] = title or organization.get("title")
        dataset["authority_lang"] = title_lang
    return datasets


def _authority_title(fields: dict[str, str], lang: str) -> tuple[str, str | None]:
    """An authority's title in ``lang`` (else the nearest), and the title's language
    where it is not ``lang``."""
    title, title_lang = multilingual.in_language(fields.get("title_translated"), lang)
    return title, (title_lang if title and title_lang != lang else None)


def _in_order(mapping: dict[str, Any], order: tuple[str, ...]) -> list[tuple[str, Any]]:
    rank = {key: position for position, key in enumerate(order)}
    return sorted(mapping.items(), key=lambda kv: rank.get(kv[0], len(order)))


def _authority_fields(names: list[str]) -> dict[str, dict[str, str]]:
    """The title, type and region of each named authority, in one query."""
    if not names:
        return {}
    rows = (
        model.Session.query(model.Group.name, model.GroupExtra.key, model.GroupExtra.value)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.name.in_(names), model.GroupExtra.key.in_(_AUTHORITY_FIELDS))
        .filter(model.GroupExtra.state == "active")
    )
    fields: dict[str, dict[str, str]] = {}
    for name, key, value in rows:
        fields.setdefault(name, {})[key] = value
    return fields
