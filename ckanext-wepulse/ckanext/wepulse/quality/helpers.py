"""Template helpers of the transparency pages: stored figures and their words."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse.quality.model import DatasetQuality, LinkCheck

__all__ = [
    "wepulse_band_label",
    "wepulse_dataset_links",
    "wepulse_dataset_quality",
    "wepulse_dimension_label",
    "wepulse_freshness_label",
    "wepulse_indicator_fix",
    "wepulse_indicator_label",
    "wepulse_link_status_label",
    "wepulse_resource_links",
]


def wepulse_dataset_quality(package_id: str) -> dict[str, Any] | None:
    row = DatasetQuality.get(package_id)
    return row.as_dict() if row else None


def wepulse_dataset_links(package_id: str) -> list[dict[str, Any]]:
    return [link.as_dict() for link in LinkCheck.for_package(package_id)]


def wepulse_resource_links(package_id: str, resource: dict[str, Any]) -> list[dict[str, Any]]:
    """What the link checker found at a resource's URLs (its URL, access and download)."""
    urls = {
        resource.get(field)
        for field in ("url", "access_url", "download_url")
        if isinstance(resource.get(field), str)
    }
    urls.update(u for u in resource.get("access_urls") or [] if isinstance(u, str))
    return [link.as_dict() for link in LinkCheck.for_package(package_id) if link.url in urls]


def wepulse_dimension_label(dimension: str) -> str:
    return {
        "findability": tk._("Findability"),
        "accessibility": tk._("Accessibility of the data"),
        "interoperability": tk._("Interoperability"),
        "reusability": tk._("Reusability"),
        "contextuality": tk._("Contextuality"),
    }.get(dimension, dimension)


def wepulse_band_label(band: str | None) -> str:
    return {
        "excellent": tk._("Excellent"),
        "good": tk._("Good"),
        "sufficient": tk._("Sufficient"),
        "bad": tk._("Bad"),
    }.get(band or "", tk._("Not scored yet"))


def wepulse_freshness_label(status: str | None) -> str:
    return {
        "on_time": tk._("Updated on time"),
        "late": tk._("Late"),
        "never_late": tk._("No fixed update period"),
        "not_assessable": tk._("No update frequency declared"),
    }.get(status or "", tk._("Not assessed yet"))


def wepulse_link_status_label(status: str | None) -> str:
    return {
        "ok": tk._("Works"),
        "redirect": tk._("Works, through a redirect"),
        "broken": tk._("Broken"),
        "timeout": tk._("No answer in time"),
        "refused": tk._("Not checked: address refused"),
        "not_checked": tk._("Not checked yet"),
    }.get(status or "not_checked", status or "")


def wepulse_indicator_label(indicator: str) -> str:
    return {
        "keyword": tk._("Keywords"),
        "theme": tk._("Themes"),
        "spatial": tk._("Area covered"),
        "temporal": tk._("Period covered"),
        "access_url_works": tk._("Access URLs answer"),
        "download_url": tk._("Download URLs given"),
        "download_url_works": tk._("Download URLs answer"),
        "format": tk._("File format"),
        "media_type": tk._("Media type"),
        "format_vocabulary": tk._("Format from a controlled vocabulary"),
        "non_proprietary": tk._("Non-proprietary format"),
        "machine_readable": tk._("Machine-readable format"),
        "dcat_ap_compliant": tk._("DCAT-AP compliant"),
        "licence": tk._("Licence"),
        "licence_vocabulary": tk._("Licence from the EU vocabulary"),
        "access_rights": tk._("Access rights"),
        "access_rights_vocabulary": tk._("Access rights from the EU vocabulary"),
        "contact_point": tk._("Contact point"),
        "publisher": tk._("Publisher"),
        "rights": tk._("Rights statement"),
        "byte_size": tk._("File size"),
        "issued": tk._("Date of publication"),
        "modified": tk._("Date of last change"),
    }.get(indicator, indicator)


def wepulse_indicator_fix(indicator: str) -> str:
    """How a publisher earns an indicator's points."""
    return {
        "keyword": tk._("Add keywords in each language of the dataset."),
        "theme": tk._("Choose at least one EU data theme."),
        "spatial": tk._("Say which area the data covers (a municipality, a region)."),
        "temporal": tk._("Give the period the data covers (start and end dates)."),
        "access_url_works": tk._(
            "Fix or replace the links that do not answer (see the files below)."
        ),
        "download_url": tk._("Give each file a direct download link."),
        "download_url_works": tk._("Fix or replace the download links that do not answer."),
        "format": tk._("Give each file its format (CSV, GeoJSON...)."),
        "media_type": tk._("Give each file its media type (text/csv...)."),
        "format_vocabulary": tk._("Choose the format from the list the portal offers."),
        "non_proprietary": tk._(
            "Publish at least one file in an open format (CSV rather than XLS)."
        ),
        "machine_readable": tk._(
            "Publish at least one file a program can read (CSV, JSON rather than PDF)."
        ),
        "dcat_ap_compliant": tk._("Fix the DCAT-AP problems listed for editors below."),
        "licence": tk._("Choose a licence."),
        "licence_vocabulary": tk._("Choose a licence of the EU list (CC BY 4.0, CC0...)."),
        "access_rights": tk._("Say whether the data is public."),
        "access_rights_vocabulary": tk._("Choose the access rights from the list."),
        "contact_point": tk._("Give a contact: a service and its e-mail address."),
        "publisher": tk._("Attach the dataset to its authority."),
        "rights": tk._("State the rights of reuse of each file."),
        "byte_size": tk._("Give each file's size."),
        "issued": tk._("Give the date the dataset was first published."),
        "modified": tk._("Give the date of the dataset's last change."),
    }.get(indicator, "")
