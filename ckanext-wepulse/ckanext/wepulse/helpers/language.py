"""Helpers for text in several languages: the visitor's, the content's, the form's."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.wepulse import multilingual, vocabularies
from harvesters.language import UNDETERMINED

__all__ = [
    "wepulse_form_languages",
    "wepulse_language_name",
    "wepulse_translations",
    "wepulse_in_language",
    "wepulse_text_languages",
    "wepulse_language_label",
    "wepulse_read_in",
    "wepulse_machine_translations",
    "wepulse_machine_translation_label",
]

# Each language's own name, so a reader finds theirs whatever the page's language.
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}


# "Read in <language>", in that language: the link a reader follows to a page in theirs.
READ_IN = {
    "fr": "Lire en français",
    "nl": "Lezen in het Nederlands",
    "de": "Auf Deutsch lesen",
    "en": "Read in English",
}


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


def wepulse_text_languages(*values: Any) -> list[str]:
    """The languages any of these translated values has text in, most preferred first."""
    found = {
        lang
        for value in values
        for lang, text in multilingual.parse_translated(value).items()
        if text
    }
    order = multilingual.content_languages()
    return sorted(
        found, key=lambda lang: (order.index(lang) if lang in order else len(order), lang)
    )


def wepulse_language_label(lang: str) -> str:
    """A language's name in the page's language ("Frans" for fr on a Dutch page)."""
    concept = vocabularies.load("languages").lookup(lang)
    return concept.label(tk.h.lang()) if concept else LANGUAGE_NAMES.get(lang, lang)


def wepulse_read_in(lang: str) -> str:
    return READ_IN.get(lang, LANGUAGE_NAMES.get(lang, lang))


def wepulse_machine_translations(value: Any) -> dict[str, dict[str, str]]:
    """A machine-translated field's ``{lang: {"text": …, "from": lang}}``."""
    return multilingual.machine_translations(value)


def wepulse_machine_translation_label(source: str | None) -> str:
    """The label of a text machine-translated from ``source`` ("Automatic translation
    from French"), in the page's language."""
    # Whole sentences per language: "uit het Frans", "aus dem Französischen".
    labels = {
        "fr": tk._("Automatic translation from French"),
        "nl": tk._("Automatic translation from Dutch"),
        "de": tk._("Automatic translation from German"),
        "en": tk._("Automatic translation from English"),
    }
    if source in labels:
        return labels[source]
    if not source or source == UNDETERMINED:
        return tk._("Automatic translation")
    return tk._("Automatic translation from {language}").format(
        language=wepulse_language_label(source)
    )
