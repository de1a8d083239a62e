from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.dcat_ap.catalogue_pages import dcat_catalog_show, dcat_dataset_show
from ckanext.wepulse.harvest.actions import (
    harvest_source_clear,
    harvest_source_delete,
    package_create,
    package_update,
)
from ckanext.wepulse.logic import schema
from ckanext.wepulse.model import DatasetValidation

__all__ = [
    # Chained (dcat_ap/catalogue_pages.py): the catalogue's pages from stored texts,
    # an unknown format refused.
    "dcat_catalog_show",
    "dcat_dataset_show",
    # Chained (harvest/actions.py): a source's URL is checked, its harvest state forgotten.
    "harvest_source_clear",
    "harvest_source_delete",
    "package_create",
    "package_update",
    "wepulse_dataset_validate",
    "wepulse_dataset_validation_show",
]


def _profiles(data_dict: DataDict) -> list[str]:
    return (
        [data_dict["profile"]]
        if data_dict.get("profile")
        else tk.config.get("ckanext.wepulse.validation.profiles")
    )


@validate(schema.dataset_validation_schema)
def wepulse_dataset_validate(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Validate a dataset's DCAT-AP against the official SHACL shapes, store
    and return the result for each DCAT-AP version (and refresh the dataset's
    stored DCAT-AP text, which the catalogue dump streams).

    :param id: the dataset's id or name
    :type id: string
    :param profile: one DCAT-AP version (``dcat-ap-3.0.1`` or ``dcat-ap-2.1.1``);
        default: those in ``ckanext.wepulse.validation.profiles``
    :type profile: string
    :rtype: list of dicts (profile, conforms, violations, messages, validated_at)
    """
    tk.check_access("wepulse_dataset_validate", context, data_dict)
    dataset = tk.get_action("package_show")(
        {"ignore_auth": True, "user": context.get("user")}, {"id": data_dict["id"]}
    )
    [refreshed] = dataset_rdf.refresh([dataset], _profiles(data_dict))
    return [row.as_dict() for row in refreshed.validations]


@tk.side_effect_free
@validate(schema.dataset_validation_schema)
def wepulse_dataset_validation_show(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The latest stored DCAT-AP validation of a dataset, one entry per version
    (empty when it was never validated).

    :param id: the dataset's id or name
    :type id: string
    :rtype: list of dicts (profile, conforms, violations, messages, validated_at)
    """
    tk.check_access("wepulse_dataset_validation_show", context, data_dict)
    dataset = tk.get_action("package_show")(dict(context), {"id": data_dict["id"]})
    return [
        row.as_dict()
        for row in DatasetValidation.for_package(dataset["id"])
        if not data_dict.get("profile") or row.profile == data_dict["profile"]
    ]
