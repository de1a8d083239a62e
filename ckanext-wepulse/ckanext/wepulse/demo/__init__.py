"""The demo catalogue: authorities, datasets and harvest sources a new portal starts with.

Seeding goes through the Action API as the site user, so the demo data is
validated by the same schema as anything a publisher creates.
"""

from __future__ import annotations

import importlib.resources
import json
import mimetypes
from collections.abc import Iterator

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

from ckanext.wepulse.seeding import site_context, upsert
from ckanext.wepulse.uploads.jobs import check_table, is_table


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
        yield "organization", organization["name"], upsert("organization", organization)
    for dataset in catalogue["datasets"]:
        # A resource with a "file" gets that file of files/ uploaded (see attach_files).
        files = [resource.pop("file", None) for resource in dataset.get("resources", [])]
        outcome = upsert("package", dataset)
        attach_files(dataset["name"], files)
        yield "dataset", dataset["name"], outcome
    for source in harvest_sources(catalogue):
        yield "harvest source", source["name"], upsert("harvest_source", source)


def attach_files(dataset: str, files: list[str | None]) -> None:
    """Upload each named file of files/ as the dataset's resource at the same position,
    and read and load its tables into the DataStore: the demo's files can be
    downloaded, and its tables previewed."""
    context = site_context()
    resources = tk.get_action("package_show")(dict(context), {"id": dataset})["resources"]
    for resource, filename in zip(resources, files, strict=True):
        if not filename:
            continue
        path = importlib.resources.files(__package__) / "files" / filename
        content_type = (
            resource.get("mimetype")
            or mimetypes.guess_type(filename)[0]
            or "application/octet-stream"
        )
        with path.open("rb") as f:
            upload = FileStorage(f, filename=filename, content_type=content_type)
            patch = tk.get_action("resource_patch")
            resource = patch(dict(context), {"id": resource["id"], "upload": upload})
        # Read and loaded now, as a publisher's upload is by the job queue: the demo's
        # tables are there when `scripts/portal up` ends.
        if is_table(resource):
            check_table(resource["id"])


def authority_names(location: str | None = None) -> list[str]:
    """The authorities the demo's datasets and harvest sources belong to.

    They come from REFNIS (``ckan wepulse authorities seed``), not from the demo.
    """
    with open(catalogue_path(location), encoding="utf-8") as f:
        catalogue = json.load(f)
    items = catalogue["datasets"] + catalogue.get("harvest_sources", [])
    return sorted({item["owner_org"] for item in items})


def harvest_sources(catalogue: dict | None = None) -> list[dict]:
    """The demo's harvest sources, on the fixture server scripts/portal starts."""
    if catalogue is None:
        with open(catalogue_path(), encoding="utf-8") as f:
            catalogue = json.load(f)
    base = tk.config.get("ckanext.wepulse.demo.sources_url").rstrip("/")
    return [
        {
            **{key: value for key, value in source.items() if key != "path"},
            "url": base + source["path"],
            "frequency": "MANUAL",
        }
        for source in catalogue.get("harvest_sources", [])
    ]
