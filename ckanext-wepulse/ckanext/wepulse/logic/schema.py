from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

__all__ = ["dataset_validation_schema"]


@validator_args
def dataset_validation_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator, one_of: Validator
) -> Schema:
    from ckanext.wepulse.dcat_ap.validation import PROFILES

    return {
        "id": [not_empty, unicode_safe],
        "profile": [ignore_missing, unicode_safe, one_of(list(PROFILES))],
    }
