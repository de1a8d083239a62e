"""Who may see and change a table's reading and dictionary: those who may see the
resource see its dictionary and status; its authority's editors see the report and
change how the table is read."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["wepulse_dataset_publish", "wepulse_table_show", "wepulse_table_update"]


@tk.auth_allow_anonymous_access
def wepulse_table_show(context: Context, data_dict: DataDict) -> AuthResult:
    return tk.check_access("resource_show", context, {"id": data_dict["resource_id"]}) and {
        "success": True
    }


def wepulse_table_update(context: Context, data_dict: DataDict) -> AuthResult:
    return tk.check_access("resource_update", context, {"id": data_dict["resource_id"]}) and {
        "success": True
    }


def wepulse_dataset_publish(context: Context, data_dict: DataDict) -> AuthResult:
    return tk.check_access("package_update", context, {"id": data_dict["id"]}) and {"success": True}
