"""Source types, their adapters, and the HTTP client the site's settings allow."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse.dataset_rdf import parse_dataset
from harvesters.base import Adapter
from harvesters.ckan import CkanAdapter
from harvesters.dcat import DcatAdapter
from harvesters.http import Http
from harvesters.opendatasoft import OpendatasoftAdapter
from harvesters.spreadsheet import SpreadsheetAdapter

__all__ = ["ADAPTERS", "make_adapter", "make_http"]

#: Source type (ckanext-harvest's ``source_type``) -> adapter class.
ADAPTERS: dict[str, type[Adapter]] = {
    f"wepulse_{adapter.source_type}": adapter
    for adapter in (CkanAdapter, DcatAdapter, OpendatasoftAdapter, SpreadsheetAdapter)
}


def make_http(validators: dict[str, Any] | None = None) -> Http:
    allowed = tk.config.get("ckanext.wepulse.harvest.allow_private") or []
    return Http(
        validators=validators,
        timeout=tk.config.get("ckanext.wepulse.harvest.timeout"),
        max_bytes=tk.config.get("ckanext.wepulse.harvest.max_bytes"),
        retries=tk.config.get("ckanext.wepulse.harvest.retries"),
        allow_private=list(allowed),
    )


def make_adapter(
    source_type: str,
    url: str,
    config: dict[str, Any] | None = None,
    memory: dict[str, Any] | None = None,
) -> Adapter:
    """The adapter for a source; ``source_type`` with or without the ``wepulse_`` prefix.

    ``memory`` is what the source's harvests remember (kept by the caller): the DCAT
    adapter makes conditional requests with it and skips the pages that did not change.
    """
    adapter = ADAPTERS.get(source_type) or ADAPTERS.get(f"wepulse_{source_type}")
    if adapter is None:
        known = ", ".join(sorted(name.removeprefix("wepulse_") for name in ADAPTERS))
        raise ValueError(f"unknown source type {source_type!r} (known: {known})")
    if adapter is DcatAdapter:
        if memory is None:
            return DcatAdapter(url, make_http(), config, parse_dataset=parse_dataset)
        http = make_http(validators=memory.setdefault("validators", {}))
        pages = memory.setdefault("pages", {})
        return DcatAdapter(url, http, config, parse_dataset=parse_dataset, memory=pages)
    return adapter(url, make_http(), config)
