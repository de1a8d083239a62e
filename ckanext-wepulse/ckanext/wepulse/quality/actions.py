"""The transparency's Action API: public, read-only."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.logic.schema import validator_args
from ckan.types import Context, DataDict, Schema, Validator

from ckanext.wepulse.quality import authorities
from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck
from ckanext.wepulse.quality.mqa import MAX_SCORE

__all__ = [
    "wepulse_authority_quality_list",
    "wepulse_authority_quality_show",
    "wepulse_dataset_quality_show",
]


@validator_args
def _id_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def _list_schema(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {
        "region": [ignore_missing, unicode_safe],
        "authority_type": [ignore_missing, unicode_safe],
    }


@tk.side_effect_free
@validate(_id_schema)
def wepulse_dataset_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A dataset's metadata quality, as data.europa.eu's Metadata Quality Assessment
    scores it (405 points in five dimensions, indicator by indicator, with the points
    each misses), whether it is updated on time against its declared frequency, and
    what the link checker found at each of its URLs.

    :param id: the dataset's id or name
    :type id: string
    :rtype: dictionary (score, max, band, pending, dimensions, indicators, freshness,
        computed_at, links); score is None while the dataset has not been scored yet
    """
    tk.check_access("wepulse_dataset_quality_show", context, data_dict)
    dataset = tk.get_action("package_show")(dict(context), {"id": data_dict["id"]})
    row = DatasetQuality.get(dataset["id"])
    found = row.as_dict() if row else {"package_id": dataset["id"], "score": None, "max": MAX_SCORE}
    found["links"] = [link.as_dict() for link in LinkCheck.for_package(dataset["id"])]
    return found


@tk.side_effect_free
@validate(_id_schema)
def wepulse_authority_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An authority's scorecard: its datasets' average score and bands, each
    dimension's average, the share updated on time, its broken links, the formats
    and licences it uses, its most common DCAT-AP violations, the datasets that would
    gain the most points, and its history (one entry a day).

    :param id: the authority's (organization's) id or name
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("wepulse_authority_quality_show", context, data_dict)
    organization = tk.get_action("organization_show")(
        dict(context), {"id": data_dict["id"], "include_datasets": False}
    )
    return authorities.scorecard(organization["id"])


@tk.side_effect_free
@validate(_list_schema)
def wepulse_authority_quality_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Every authority of Brussels and Wallonia (municipalities and CPAS, those that
    publish nothing yet too) with its figures: datasets, average score and band,
    on-time share, broken links, last publication.

    :param region: only this region's (``brussels`` or ``wallonia``)
    :type region: string
    :param authority_type: only this type's (``municipality`` or ``cpas``...)
    :type authority_type: string
    :rtype: list of dictionaries
    """
    tk.check_access("wepulse_authority_quality_list", context, data_dict)
    return [
        row.as_dict()
        for row in authorities.overview()
        if data_dict.get("region") in (None, row.region)
        and data_dict.get("authority_type") in (None, row.authority_type)
    ]
