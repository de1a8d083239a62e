"""Who may read the transparency figures: everyone who may see what they describe."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "wepulse_authority_quality_list",
    "wepulse_authority_quality_show",
    "wepulse_dataset_quality_show",
]


@tk.auth_allow_anonymous_access
def wepulse_dataset_quality_show(context: Context, data_dict: DataDict) -> AuthResult:
    return tk.check_access("package_show", context, {"id": data_dict["id"]}) and {"success": True}


@tk.auth_allow_anonymous_access
def wepulse_authority_quality_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def wepulse_authority_quality_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}
