"""Background jobs, run by `ckan jobs worker`."""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk

from ckanext.wepulse.quality import jobs as quality_jobs
from ckanext.wepulse.quality import scoring
from ckanext.wepulse.seeding import site_context

__all__ = ["refresh_authority_datasets", "validate_dataset", "validate_datasets"]

log = logging.getLogger(__name__)


def validate_dataset(dataset_id: str, check_new_links: bool = True) -> None:
    """Refresh a dataset's stored DCAT-AP validation after it changed, then its
    quality score (which counts the validation and reads the stored DCAT-AP)."""
    try:
        tk.get_action("wepulse_dataset_validate")(site_context(), {"id": dataset_id})
        dataset = tk.get_action("package_show")(site_context(), {"id": dataset_id})
        scoring.refresh(dataset, check_new_links=check_new_links)
    except tk.ObjectNotFound:
        log.info("Dataset %s is gone; nothing to validate", dataset_id)


def validate_datasets(dataset_ids: list[str]) -> None:
    """Validate a batch of datasets a harvest wrote (one job, not one per dataset),
    then have their new links checked (one round, not one per dataset)."""
    for dataset_id in dataset_ids:
        validate_dataset(dataset_id, check_new_links=False)
    quality_jobs.queue_link_check(dataset_ids)


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
        for dataset in page["results"]:
            validate_dataset(dataset["id"])
        start += 500
        if start >= page["count"]:
            return
