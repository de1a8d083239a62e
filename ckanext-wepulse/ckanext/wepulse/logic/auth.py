from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["wepulse_dataset_validate", "wepulse_dataset_validation_show"]


def wepulse_dataset_validate(context: Context, data_dict: DataDict) -> AuthResult:
    """Who may edit a dataset may have it validated."""
    return tk.check_access("package_update", context, {"id": data_dict["id"]}) and {"success": True}


@tk.auth_allow_anonymous_access
def wepulse_dataset_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Metadata quality is public, for transparency: who can see the dataset sees it."""
    return tk.check_access("package_show", context, {"id": data_dict["id"]}) and {"success": True}
