"""The demo catalogue: authorities, datasets and harvest sources a new portal starts with.

Seeding goes through the Action API as the site user, so the demo data is
validated by the same schema as anything a publisher creates. A dataset or harvest
source left as the last seed made it, from an unchanged entry of the catalogue, is
not written again: every `scripts/portal up` seeds, and rewriting them all added
activity, uploaded the files again and queued their checks each time.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import mimetypes
from collections.abc import Iterator, Sequence

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.model import system_info
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
        yield "dataset", dataset["name"], _seed_changed("package", dataset, files)
    for source in harvest_sources(catalogue):
        yield "harvest source", source["name"], _seed_changed("harvest_source", source)


def _seed_changed(entity: str, data: dict, files: Sequence[str | None] = ()) -> str:
    """``upsert`` (then the files attached), unless the dataset or harvest source (both
    CKAN packages) is as the last seed left it from this same entry: active, and not
    modified since (an edit, a deletion, a purge is seeded over)."""
    key = "wepulse.demo." + hashlib.sha256(data["name"].encode()).hexdigest()[:40]
    entry = hashlib.sha256(json.dumps([data, files], sort_keys=True).encode())
    for filename in filter(None, files):
        entry.update((importlib.resources.files(__package__) / "files" / filename).read_bytes())
    seeded = system_info.get_system_info(key)  # its keys hold 100 characters: hashed
    if seeded and json.loads(seeded) == _seeded_state(data["name"], entry.hexdigest()):
        return "unchanged"
    outcome = upsert(entity, data)
    if files:
        attach_files(data["name"], files)
    system_info.set_system_info(key, json.dumps(_seeded_state(data["name"], entry.hexdigest())))
    return outcome


def _seeded_state(name: str, entry: str) -> dict | None:
    package = model.Package.get(name)
    if package is None or package.state != "active":
        return None
    return {"entry": entry, "modified": package.metadata_modified.isoformat()}


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
