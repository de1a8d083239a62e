"""Multilingual fields: one value per content language, stored as JSON.

ckanext-fluent would provide this, but its PyPI release is Python 2 code that
does not load on CKAN 2.11; these are the small presets the portal needs, under
the names ckanext-dcat recognises (validators starting with ``fluent``), so its
DCAT-AP profiles emit and parse one language-tagged literal per language.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = [
    "content_languages",
    "default_language",
    "in_language",
    "machine_translations",
    "parse_translated",
]


def content_languages(field: dict[str, Any] | None = None, schema: dict[str, Any] | None = None):
    """The languages a translated field accepts, most preferred first."""
    for source in (field or {}, schema or {}):
        if source.get("form_languages"):
            return list(source["form_languages"])
    return tk.config.get("ckan.locale_order") or [tk.config.get("ckan.locale_default")]


def default_language() -> str:
    return tk.config.get("ckan.locale_default")


def parse_translated(value: Any) -> dict[str, Any]:
    """A stored or submitted translated value as a dict (empty when absent)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def machine_translations(value: Any) -> dict[str, dict[str, str]]:
    """A stored machine-translated value (``{"nl": {"text": "…", "from": "fr"}}``),
    its entries with a text only."""
    return {
        lang: translation
        for lang, translation in parse_translated(value).items()
        if isinstance(translation, dict)
        and isinstance(translation.get("text"), str)
        and translation["text"].strip()
    }


def in_language(value: Any, lang: str | None = None, languages: list[str] | None = None):
    """The value in ``lang``, else in the first language that has one.

    Returns (text, language) so a page can say when it shows another language.
    """
    translations = parse_translated(value)
    order = [lang or default_language(), *(languages or content_languages())]
    for candidate in [*order, *translations]:
        if translations.get(candidate):
            return translations[candidate], candidate
    return "", None
