"""The demo catalogue: authorities and datasets a new portal starts with.

Seeding goes through the Action API as the site user, so the demo data is
validated by the same schema as anything a publisher creates.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk


def catalogue_path(location: str | None = None) -> str:
    """Resolve a catalogue location, by default the configured one.

    ``package.module:file`` names a file shipped inside a Python package (as
    ckanext-scheming names its schemas); anything else is a filesystem path.
    """
    location = location or tk.config.get("ckanext.wepulse.demo.catalogue")
    package, sep, filename = location.partition(":")
    if sep and "/" not in package:
        return str(importlib.resources.files(package) / filename)
    return location


def seed(location: str | None = None) -> Iterator[tuple[str, str, str]]:
    """Create each organization and dataset of the catalogue, or update it in place.

    Yields (kind, name, "created" | "updated") as it goes.
    """
    with open(catalogue_path(location), encoding="utf-8") as f:
        catalogue = json.load(f)
    for organization in catalogue["organizations"]:
        yield "organization", organization["name"], _upsert("organization", organization)
    for dataset in catalogue["datasets"]:
        yield "dataset", dataset["name"], _upsert("package", dataset)


def _upsert(entity: str, data: dict[str, Any]) -> str:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    try:
        existing = tk.get_action(f"{entity}_show")(dict(context), {"id": data["name"]})
    except tk.ObjectNotFound:
        tk.get_action(f"{entity}_create")(dict(context), dict(data))
        return "created"
    # A seeded entity that was deleted comes back: the demo must be whole.
    tk.get_action(f"{entity}_update")(
        dict(context), {**data, "id": existing["id"], "state": "active"}
    )
    return "updated"
