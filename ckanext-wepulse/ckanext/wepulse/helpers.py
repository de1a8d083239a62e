"""Template helpers (registered by name through the blanket)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse import multilingual, vocabularies

__all__ = [
    "wepulse_form_languages",
    "wepulse_language_name",
    "wepulse_translations",
    "wepulse_in_language",
    "wepulse_vocabulary_choices",
    "wepulse_vocabulary_label",
    "wepulse_dataset_validation",
]

# Each language's own name, so a reader finds theirs whatever the page's language.
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}


def wepulse_form_languages(
    field: dict[str, Any] | None = None, schema: dict[str, Any] | None = None
):
    return multilingual.content_languages(field, schema)


def wepulse_language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def wepulse_translations(data: dict[str, Any], field_name: str) -> dict[str, Any]:
    """A translated field's values by language, also after a failed form post
    (when they come back as ``<field>-<lang>`` keys)."""
    values = dict(multilingual.parse_translated(data.get(field_name)))
    for lang in multilingual.content_languages():
        posted = data.get(f"{field_name}-{lang}")
        if posted is not None:
            values[lang] = posted
    return values


def wepulse_in_language(value: Any) -> tuple[str, str | None]:
    """(text, its language) in the visitor's language, or the nearest one."""
    return multilingual.in_language(value, tk.h.lang())


def wepulse_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    return vocabularies.load(field["vocabulary"]).choices(tk.h.lang())


def wepulse_vocabulary_label(vocabulary: str, uri: str) -> str:
    concept = vocabularies.load(vocabulary).get(uri)
    return concept.label(tk.h.lang()) if concept else uri


def wepulse_dataset_validation(dataset_id: str) -> list[dict[str, Any]]:
    return tk.get_action("wepulse_dataset_validation_show")({}, {"id": dataset_id})
