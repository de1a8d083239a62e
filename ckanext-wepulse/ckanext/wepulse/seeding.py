"""Create-or-update through the Action API, shared by the seed commands."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["site_context", "upsert"]


def site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def upsert(entity: str, data: dict[str, Any], added_to: tuple[str, ...] = ()) -> str:
    """Create ``entity`` (package, organization…) named ``data["name"]``, or
    update it in place; an entity that was deleted comes back.

    ``added_to`` names list fields whose existing values stay, the given ones being
    added (values recorded since the last seed).

    Returns "created", "updated" or "unchanged" (every given field already equal).
    """
    context = site_context()
    try:
        existing = tk.get_action(f"{entity}_show")(dict(context), {"id": data["name"]})
    except tk.ObjectNotFound:
        tk.get_action(f"{entity}_create")(dict(context), dict(data))
        return "created"
    for field in added_to:
        data = {**data, field: list(dict.fromkeys([*(existing.get(field) or []), *data[field]]))}
    if existing.get("state") == "active" and all(existing.get(k) == v for k, v in data.items()):
        return "unchanged"
    tk.get_action(f"{entity}_update")(
        dict(context), {**data, "id": existing["id"], "state": "active"}
    )
    return "updated"
