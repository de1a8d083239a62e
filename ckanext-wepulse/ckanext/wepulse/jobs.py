"""Background jobs, run by `ckan jobs worker`."""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk

from ckanext.wepulse.seeding import site_context

__all__ = ["validate_dataset"]

log = logging.getLogger(__name__)


def validate_dataset(dataset_id: str) -> None:
    """Refresh a dataset's stored DCAT-AP validation after it changed."""
    try:
        tk.get_action("wepulse_dataset_validate")(site_context(), {"id": dataset_id})
    except tk.ObjectNotFound:
        log.info("Dataset %s is gone; nothing to validate", dataset_id)
