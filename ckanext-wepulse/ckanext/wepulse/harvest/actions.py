"""Harvest sources through ckanext-harvest's actions: checked when saved, forgotten
when cleared or deleted.

A harvest source's URL is checked when it is saved, by the guard that fetches it.

ckanext-harvest saves every source, of any type (ours, ckanext-dcat's, its own CKAN
harvester) and from the API or its form, through ``package_create`` and
``package_update`` with the dataset type ``harvest``: these chained actions are the one
place they all pass. A URL the harvest client (``harvesters.http.Http.check``) refuses
is a ValidationError on ``url`` (409), worded for the editor.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict
from ckanext.harvest.model import HarvestSource
from ckanext.harvest.utils import DATASET_TYPE_NAME

from ckanext.wepulse.harvest.sources import make_http
from ckanext.wepulse.model import HarvestedRecord, HarvestMemory
from harvesters.http import HttpError, Refused

__all__ = [
    "check_source_url",
    "harvest_source_clear",
    "harvest_source_delete",
    "package_create",
    "package_update",
]


def check_source_url(url: Any) -> None:
    """Raise a ValidationError on ``url`` for a URL the harvest guard refuses.

    A host name that does not resolve passes: it may tomorrow, and the harvest then
    checks it again before every request.
    """
    http = make_http()
    try:
        http.check(url)
    except Refused as refused:
        raise tk.ValidationError({"url": [_refusal(refused)]}) from None
    except HttpError:
        pass
    finally:
        http.close()


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    if _is_source(data_dict):
        check_source_url(data_dict.get("url"))
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    if "url" in data_dict and _is_source(data_dict):
        check_source_url(data_dict["url"])
    return up_func(context, data_dict)


@tk.chained_action
def harvest_source_clear(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest deletes the source's datasets, jobs and objects; what our
    harvests remember of the source goes too, so its next harvest starts afresh."""
    result = up_func(context, data_dict)
    _forget(data_dict)
    return result


@tk.chained_action
def harvest_source_delete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    result = up_func(context, data_dict)
    _forget(data_dict)
    return result


def _forget(data_dict: DataDict) -> None:
    source = HarvestSource.get(data_dict.get("id"))
    if source is None:
        return
    model.Session.query(HarvestedRecord).filter_by(source_id=source.id).delete()
    model.Session.query(HarvestMemory).filter_by(source_id=source.id).delete()
    model.Session.commit()


def _is_source(data_dict: DataDict) -> bool:
    kind = data_dict.get("type")
    if kind is None and isinstance(data_dict.get("id"), str):
        package = model.Package.get(data_dict["id"])
        kind = package.type if package else None
    return kind == DATASET_TYPE_NAME


def _refusal(refused: Refused) -> str:
    if refused.reason == "type":
        return tk._("The URL must be text, such as https://data.example.be/catalog.ttl.")
    if refused.reason == "scheme":
        return tk._("Only http:// and https:// URLs can be harvested.")
    if refused.reason == "credentials":
        return tk._("A source URL cannot contain a user name or password.")
    if refused.reason == "address":
        return tk._(
            "This URL leads to {address}, a private or local address that harvests may not reach."
        ).format(address=refused.address)
    if refused.reason == "service":
        return tk._(
            "This URL leads to one of the portal's own services, which harvests never reach."
        )
    return tk._(
        "This URL is not a valid web address: spaces, backslashes, control characters and "
        "unusual ways of writing an IP address are refused."
    )
