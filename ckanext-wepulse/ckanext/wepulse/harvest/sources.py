"""Source types, their adapters, and the HTTP client the site's settings allow."""

from __future__ import annotations

import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.exceptions import CkanConfigurationException
from sqlalchemy.engine import make_url
from urllib3.util import parse_url

from ckanext.wepulse.dcat_ap.dataset_rdf import parse_dataset
from harvesters.base import Adapter
from harvesters.ckan import CkanAdapter
from harvesters.csw import CswAdapter
from harvesters.dcat import DcatAdapter
from harvesters.http import Http
from harvesters.opendatasoft import OpendatasoftAdapter
from harvesters.spreadsheet import SpreadsheetAdapter

__all__ = ["ADAPTERS", "feed_store_dir", "make_adapter", "make_http", "own_services"]

#: Source type (ckanext-harvest's ``source_type``) -> adapter class.
ADAPTERS: dict[str, type[Adapter]] = {
    f"wepulse_{adapter.source_type}": adapter
    for adapter in (CkanAdapter, CswAdapter, DcatAdapter, OpendatasoftAdapter, SpreadsheetAdapter)
}


#: Settings naming the portal's own services, with their schemes' default ports.
SERVICE_URLS = ("solr_url", "ckan.redis.url", "ckan.site_url")
DATABASE_URLS = ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url")
DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "rediss": 6379}


def make_http(validators: dict[str, Any] | None = None) -> Http:
    """The harvests' HTTP client: the site's limits, the exact ``host:port`` it allows,
    and the portal's own services denied whatever is allowed."""
    try:
        return Http(
            validators=validators,
            timeout=tk.config.get("ckanext.wepulse.harvest.timeout"),
            max_bytes=tk.config.get("ckanext.wepulse.harvest.max_bytes"),
            retries=tk.config.get("ckanext.wepulse.harvest.retries"),
            allow_private=tk.config.get("ckanext.wepulse.harvest.allow_private") or (),
            deny=own_services(),
        )
    except ValueError as error:
        raise CkanConfigurationException(str(error)) from None


def own_services(keys: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """``host:port`` of Solr, Redis, PostgreSQL and the portal, from CKAN's settings
    (of the services the settings ``keys`` name, if given)."""
    found = []
    for key in SERVICE_URLS:
        if tk.config.get(key) and (keys is None or key in keys):
            url = parse_url(tk.config.get(key))
            found.append((url.host, url.port or DEFAULT_PORTS.get(url.scheme or "")))
    if keys is None:
        for key in DATABASE_URLS:
            if tk.config.get(key):
                url = make_url(tk.config.get(key))
                found.append((url.host, url.port or 5432))
        mq = (tk.config.get("ckan.harvest.mq.hostname"), tk.config.get("ckan.harvest.mq.port"))
        found.append(mq)
    hosts = ((str(host).strip("[]"), port) for host, port in found if host and port)
    return [f"[{host}]:{port}" if ":" in host else f"{host}:{port}" for host, port in hosts]


def make_adapter(
    source_type: str,
    url: str,
    config: dict[str, Any] | None = None,
    memory: dict[str, Any] | None = None,
) -> Adapter:
    """The adapter for a source; ``source_type`` with or without the ``wepulse_`` prefix.

    ``memory`` is what the source's harvests remember (kept by the caller): the DCAT
    adapter makes conditional requests with it and skips the pages that did not change;
    for an LDES feed it names the source's member store, in ``feed_store_dir()``.
    """
    adapter = ADAPTERS.get(source_type) or ADAPTERS.get(f"wepulse_{source_type}")
    if adapter is None:
        known = ", ".join(sorted(name.removeprefix("wepulse_") for name in ADAPTERS))
        raise ValueError(f"unknown source type {source_type!r} (known: {known})")
    if adapter is DcatAdapter:
        # The site's, whatever a source's own configuration says.
        config = {**(config or {}), "store_dir": feed_store_dir()}
        if memory is None:
            return DcatAdapter(url, make_http(), config, parse_dataset=parse_dataset)
        http = make_http(validators=memory.setdefault("validators", {}))
        pages = memory.setdefault("pages", {})
        return DcatAdapter(url, http, config, parse_dataset=parse_dataset, memory=pages)
    if adapter is CswAdapter:
        return CswAdapter(url, make_http(), config, parse_dataset=parse_dataset)
    return adapter(url, make_http(), config)


def feed_store_dir() -> str | None:
    """Where LDES feeds keep their members between harvests (None: nowhere, each
    harvest reads its feed whole into a temporary store)."""
    directory = tk.config.get("ckanext.wepulse.harvest.store_dir")
    storage = tk.config.get("ckan.storage_path")
    return directory or (os.path.join(storage, "harvest-feeds") if storage else None)
