"""Helpers of the dataset and resource pages, and of the dataset form."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse import vocabularies
from ckanext.wepulse.helpers.language import wepulse_in_language

__all__ = [
    "wepulse_vocabulary_choices",
    "wepulse_vocabulary_label",
    "wepulse_dataset_validation",
    "wepulse_filled",
    "wepulse_shown_fields",
    "wepulse_resource_name",
    "wepulse_format_label",
    "wepulse_is_file",
    "wepulse_licence",
]

# Licence families, by EU licence code, that a sentence describes better than "open".
_PUBLIC_DOMAIN = {"CC0", "CC_PDM_1_0", "ODC_PDDL", "DLDE_ZERO_2_0"}


_SHARE_ALIKE = ("CC_BYSA", "ODC_BL", "GNU_FDL", "GPL_", "EUPL_")


# Formats a link opens (a web page, an API) rather than downloads.
_NOT_FILES = {"HTML", "XHTML", "REST", "SPARQLQ"}


def wepulse_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    return vocabularies.load(field["vocabulary"]).choices(tk.h.lang())


def wepulse_vocabulary_label(vocabulary: str, uri: str) -> str:
    concept = vocabularies.load(vocabulary).get(uri)
    return concept.label(tk.h.lang()) if concept else uri


def wepulse_dataset_validation(dataset_id: str) -> list[dict[str, Any]]:
    return tk.get_action("wepulse_dataset_validation_show")({}, {"id": dataset_id})


def wepulse_filled(value: Any) -> bool:
    """Whether a field's value shows anything: not empty, nor made only of empty parts
    (a repeating field's blank rows, a translated field's blank languages)."""
    if isinstance(value, dict):
        return any(wepulse_filled(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(wepulse_filled(v) for v in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def wepulse_shown_fields(
    fields: list[dict[str, Any]], data: dict[str, Any], exclude: list[str] | None = None
) -> list[dict[str, Any]]:
    """The schema fields a page shows for ``data``: those it displays (scheming hides
    a field whose ``display_snippet`` is null) that have a value, less ``exclude``."""
    return [
        field
        for field in fields
        if field["field_name"] not in (exclude or ())
        and field.get("display_snippet", "") is not None
        and wepulse_filled(data.get(field["field_name"]))
    ]


def wepulse_resource_name(resource: dict[str, Any]) -> tuple[str, str | None]:
    """(name, its language) in the visitor's language, else the nearest one, else
    CKAN's display name (which has no language: a URL or "Unnamed resource")."""
    name, lang = wepulse_in_language(resource.get("name_translated"))
    return (name, lang) if name else (tk.h.resource_display_name(resource), None)


def wepulse_format_label(format_: str | None) -> str:
    """A resource format's label in the page's language ("Plain text" for TXT)."""
    concept = vocabularies.load("file_types").lookup(format_ or "")
    return concept.label(tk.h.lang()) if concept else (format_ or "")


def wepulse_is_file(resource: dict[str, Any]) -> bool:
    """Whether the resource's link gives a file to download, not a page or a service."""
    code = (resource.get("format") or "").upper()
    return not (
        code in _NOT_FILES
        or code.endswith("_SRVC")
        or resource.get("resource_type") in ("api", "service", "listing")
    )


def wepulse_licence(
    license_id: str | None, title: str | None = None, url: str | None = None
) -> dict[str, str | None]:
    """A licence as a reader needs it: its name, where its text is, and one sentence
    on what it allows. ``title`` and ``url`` are CKAN's, for an unknown licence."""
    concept = vocabularies.load("licences").lookup(license_id or "")
    if concept is None:
        return {
            "label": title or license_id,
            "url": url,
            "summary": tk._("Read the licence before reusing this data.")
            if license_id
            else tk._("No licence is given: ask the publisher before reusing this data."),
        }
    return {
        "label": concept.label(tk.h.lang()),
        "url": concept.extra.get("url") or concept.uri,
        "summary": _licence_summary(concept),
    }


def _licence_summary(concept: vocabularies.Concept) -> str:
    code = concept.code
    if code in _PUBLIC_DOMAIN:
        return tk._(
            "You may reuse this data for any purpose, including commercially, without conditions."
        )
    if concept.extra.get("open") == "true":
        if code.startswith(_SHARE_ALIKE):
            return tk._(
                "You may reuse this data, including commercially, provided you credit the source"
                " and share what you make from it under the same licence."
            )
        return tk._(
            "You may reuse this data, including commercially, provided you credit the source."
        )
    # Creative Commons' restrictive licences, by their elements (CC_BYNCND_4_0: NC and ND).
    elements = code.split("_")[1] if code.startswith("CC_") else ""
    if "NC" in elements and "ND" in elements:
        return tk._(
            "You may share this data unchanged, for non-commercial purposes only,"
            " provided you credit the source."
        )
    if "NC" in elements and "SA" in elements:
        return tk._(
            "You may reuse this data for non-commercial purposes only, provided you credit the"
            " source and share what you make from it under the same licence."
        )
    if "NC" in elements:
        return tk._(
            "You may reuse this data for non-commercial purposes only,"
            " provided you credit the source."
        )
    if "ND" in elements:
        return tk._(
            "You may share this data unchanged, including commercially,"
            " provided you credit the source."
        )
    return tk._("Reuse is restricted: read the licence before reusing this data.")
