"""Background jobs, run by `ckan jobs worker`."""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.quality import scoring
from ckanext.wepulse.seeding import site_context

__all__ = ["refresh_authority_datasets", "validate_dataset", "validate_datasets"]

log = logging.getLogger(__name__)


def validate_dataset(dataset_id: str) -> None:
    """A dataset changed (an editor, a table loaded): the batch of one."""
    validate_datasets([dataset_id])


def validate_datasets(dataset_ids: list[str]) -> None:
    """Refresh the stored DCAT-AP text and validation of a batch of datasets (a
    harvest's, one job for all), then their quality scores (which count the validation
    and read the graphs just built): one package_show each, one pyshacl run per few
    dozen datasets, one commit, one Solr request for the facets that changed."""
    datasets = _show(dataset_ids)
    if not datasets:
        return
    profiles = tk.config.get("ckanext.wepulse.validation.profiles")
    refreshed = dataset_rdf.refresh(datasets, profiles)
    scoring.refresh(datasets, [each.graph for each in refreshed])


def _show(dataset_ids: list[str]) -> list[dict[str, Any]]:
    """The datasets as package_show gives them, those deleted since left out."""
    show, context = tk.get_action("package_show"), site_context()
    datasets = []
    for dataset_id in dataset_ids:
        try:
            datasets.append(show(dict(context), {"id": dataset_id}))
        except tk.ObjectNotFound:
            log.info("Dataset %s is gone; nothing to validate", dataset_id)
    return datasets


def refresh_authority_datasets(organization_id: str) -> None:
    """An authority changed (its names, its publisher IRI): its datasets'
    stored DCAT-AP names it, so each is made and validated again."""
    from ckanext.wepulse.dcat_ap import profile as dcat_profile

    dcat_profile.forget_authority(organization_id)
    search = tk.get_action("package_search")
    start = 0
    while True:
        page = search(
            site_context(),
            {
                "fq": f'owner_org:"{organization_id}"',
                "rows": 500,
                "start": start,
                "fl": "id",
                "include_private": True,
            },
        )
        validate_datasets([dataset["id"] for dataset in page["results"]])
        start += 500
        if start >= page["count"]:
            return
