"""The whole catalogue as one RDF file, streamed dataset by dataset.

Each dataset's DCAT-AP text is made by the background job after every change
(dataset_rdf.refresh), so the dump streams stored text from PostgreSQL, a batch
of rows at a time: memory stays flat and no graph is rebuilt. A dataset changed
since its text was made (its job still queued) is serialised on the spot.
Turtle allows prefixes to be declared again and N-Triples is line-based, so
the pieces concatenate into one valid file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat.processors import RDFSerializer

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.model import DatasetRdf
from ckanext.wepulse.quality.model import DatasetQuality
from ckanext.wepulse.seeding import site_context

__all__ = ["FORMATS", "dataset_texts", "dump_catalogue", "public_dataset_count"]

FORMATS = {"ttl": "turtle", "nt": "nt11"}
BATCH = 500


def public_dataset_count() -> int:
    return _public_datasets().count()


def _public_datasets():
    return model.Session.query(model.Package).filter(
        model.Package.state == "active",
        model.Package.private.is_(False),
        model.Package.type == "dataset",
    )


def dataset_texts(fmt: str, package_ids: list[str] | None = None) -> Iterator[str]:
    """Each dataset's DCAT-AP text followed by its MQA measurements, in ``fmt`` ("ttl"
    or "nt"): every public dataset, or those of ``package_ids`` in their order."""
    column = DatasetRdf.turtle if fmt == "ttl" else DatasetRdf.ntriples
    measurements = DatasetQuality.dqv_turtle if fmt == "ttl" else DatasetQuality.dqv_ntriples
    datasets = (
        _public_datasets()
        if package_ids is None
        else model.Session.query(model.Package).filter(model.Package.id.in_(package_ids))
    )
    rows = (
        datasets.outerjoin(DatasetRdf, DatasetRdf.package_id == model.Package.id)
        .outerjoin(DatasetQuality, DatasetQuality.package_id == model.Package.id)
        .with_entities(
            model.Package.id,
            model.Package.metadata_modified,
            DatasetRdf.source_modified,
            column,
            measurements,
        )
    )
    if package_ids is None:
        ordered = rows.order_by(model.Package.id).yield_per(BATCH)
    else:
        by_id = {row[0]: row for row in rows}
        ordered = [by_id[package_id] for package_id in package_ids if package_id in by_id]
    for package_id, modified, text_modified, text, quality in ordered:
        if text is None or text_modified != modified:  # changed since (its job still queued)
            dataset = tk.get_action("package_show")(site_context(), {"id": package_id})
            turtle, ntriples = dataset_rdf.serialise(dataset_rdf.dataset_graph(dataset))
            text = turtle if fmt == "ttl" else ntriples
        # Then its MQA measurements (DQV), kept apart: they change on their own.
        yield text + (quality or "")


def dump_catalogue(out: IO[bytes], fmt: str = "ttl", progress=None) -> int:
    """Write the catalogue and every public dataset to ``out``; returns the count.

    ``progress`` is called once per dataset written (for a progress bar)."""
    serializer = RDFSerializer()
    serializer.graph_from_catalog()
    out.write(serializer.g.serialize(format=FORMATS[fmt], encoding="utf-8"))
    count = 0
    for text in dataset_texts(fmt):
        out.write(text.encode("utf-8"))
        count += 1
        if progress:
            progress()
    return count
