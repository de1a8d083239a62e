"""Validators for the portal's schemas (registered by name through the blanket)."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey
from ckanext.scheming.helpers import scheming_field_required
from ckanext.scheming.validation import scheming_validator

from ckanext.wepulse import vocabularies
from ckanext.wepulse.multilingual import (
    content_languages,
    default_language,
    in_language,
    parse_translated,
)

__all__ = [
    "fluent_text",
    "fluent_text_output",
    "fluent_core_translated_output",
    "fluent_tags",
    "fluent_tags_output",
    "wepulse_core_to_translated",
    "wepulse_vocabulary",
    "wepulse_vocabulary_list",
    "wepulse_file_type",
    "wepulse_nis_code",
    "wepulse_licence",
]

_missing = tk.missing
# Core fields a translated field stands for, as ckanext-fluent names them.
CORE_TRANSLATED = {
    "title_translated": "title",
    "notes_translated": "notes",
    "name_translated": "name",
}


def _submitted(key: FlattenKey, data: FlattenDataDict, languages: list[str]) -> Any:
    """The value as given: a dict or JSON (API), or one form input per language.

    Web forms post ``title_translated-fr``, ``title_translated-nl``…, which CKAN
    leaves in ``__extras``; they are taken out so they are not stored twice.
    """
    value = data.get(key)
    extras = data.get(key[:-1] + ("__extras",), {})
    per_language = {
        lang: extras.pop(f"{key[-1]}-{lang}") for lang in languages if f"{key[-1]}-{lang}" in extras
    }
    if per_language and value in (None, _missing, "", {}):
        return per_language
    return value


def _as_dict(value: Any, field: str, errors: list[str]) -> dict[str, Any]:
    if value in (None, _missing, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            errors.append(_one_value_per_language(value))
            return {}
    if not isinstance(value, dict):
        errors.append(_one_value_per_language(value))
        return {}
    return value


def _one_value_per_language(value: Any) -> str:
    return tk._("Expected one value per language, e.g. {example}, got {value}").format(
        example='{"fr": "…", "nl": "…"}', value=repr(value)
    )


def _known_language(lang: str, languages: list[str]) -> bool:
    """The portal's languages, and any other language of the EU vocabulary:
    harvested metadata in Spanish or Catalan is kept, not refused."""
    return lang in languages or any(
        c.extra.get("iso_639_1") == lang for c in vocabularies.load("languages")
    )


def _check_languages(value: dict[str, Any], languages: list[str], errors: list[str]) -> None:
    unknown = sorted(lang for lang in value if not _known_language(lang, languages))
    if unknown:
        errors.append(
            tk._("Unknown language {unknown}: use a two-letter code such as {languages}").format(
                unknown=", ".join(unknown), languages=", ".join(languages)
            )
        )


@scheming_validator
def fluent_text(field: dict[str, Any], schema: dict[str, Any]):
    """Text in several languages: ``{"fr": "…", "nl": "…"}``, stored as JSON."""
    languages = content_languages(field, schema)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = _as_dict(_submitted(key, data, languages), field["field_name"], errors[key])
        _check_languages(value, languages, errors[key])
        for lang, text in value.items():
            if not isinstance(text, str):
                errors[key].append(
                    tk._("The {lang} value must be text, got {text}").format(
                        lang=lang, text=repr(text)
                    )
                )
        value = {
            lang: text.strip()
            for lang, text in value.items()
            if isinstance(text, str) and text.strip()
        }
        if not value and scheming_field_required(field):
            errors[key].append(
                tk._("Missing value: give it in at least one of {languages}").format(
                    languages=", ".join(languages)
                )
            )
        if errors[key]:
            return
        data[key] = json.dumps(value, ensure_ascii=False)

    return validator


def fluent_text_output(value: Any) -> dict[str, Any]:
    return parse_translated(value)


@scheming_validator
def fluent_core_translated_output(field: dict[str, Any], schema: dict[str, Any]):
    """Show the translated value, and fill its core field (title, notes…) with
    the default language's text so CKAN's own pages, search and sorting work."""
    languages = content_languages(field, schema)
    core = CORE_TRANSLATED.get(field["field_name"])

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        translations = parse_translated(data.get(key))
        data[key] = translations
        text, _lang = in_language(translations, default_language(), languages)
        if core and text:
            data[key[:-1] + (core,)] = text

    return validator


@scheming_validator
def fluent_tags(field: dict[str, Any], schema: dict[str, Any]):
    """Keywords per language: ``{"fr": ["budget"], "nl": ["begroting"]}``.

    A language's keywords may also come as one comma-separated string (forms).
    Unlike CKAN's tags, keywords are free text ("Services d'utilité publique"):
    only their length and markup are checked.
    """
    languages = content_languages(field, schema)
    tag_length = tk.get_validator("tag_length_validator")

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = _as_dict(_submitted(key, data, languages), field["field_name"], errors[key])
        _check_languages(value, languages, errors[key])
        cleaned: dict[str, list[str]] = {}
        for lang, tags in value.items():
            if isinstance(tags, str):
                tags = tags.split(",")
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                errors[key].append(f"The {lang} keywords must be a list of text, got {tags!r}")
                continue
            for tag in (t.strip() for t in tags):
                if not tag:
                    continue
                try:
                    tag_length(tag, context)
                    if any(c in tag for c in "<>") or not tag.isprintable():
                        raise tk.Invalid(tk._("markup and control characters are not allowed"))
                except tk.Invalid as error:
                    errors[key].append(f"{lang} keyword {tag!r}: {error.error}")
                    continue
                if tag not in cleaned.setdefault(lang, []):
                    cleaned[lang].append(tag)
        if errors[key]:
            return
        data[key] = json.dumps(
            {lang: tags for lang, tags in cleaned.items() if tags}, ensure_ascii=False
        )

    return validator


def fluent_tags_output(value: Any) -> dict[str, list[str]]:
    return parse_translated(value)


def wepulse_core_to_translated(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Accept CKAN's plain ``title``/``notes`` from API clients that send no
    translations, as text in the portal's default language."""
    for translated, core in (("title_translated", "title"), ("notes_translated", "notes")):
        if data.get((translated,)) in (None, _missing, "", {}) and data.get((core,)) not in (
            None,
            _missing,
            "",
        ):
            data[(translated,)] = {default_language(): data[(core,)]}


def _concept_uri(vocabulary: str, value: Any, errors: list[str]) -> str | None:
    concept = vocabularies.load(vocabulary).lookup(str(value))
    if concept is None:
        scheme = vocabularies.VOCABULARIES[vocabulary]
        errors.append(
            tk._(
                "Unknown value {value}: expected a concept of {scheme} (its IRI, code or label)"
            ).format(value=repr(value), scheme=scheme)
        )
        return None
    return concept.uri


@scheming_validator
def wepulse_vocabulary(field: dict[str, Any], schema: dict[str, Any]):
    """One concept of the field's ``vocabulary``, given by IRI, code or label; stores the IRI."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = data.get(key)
        if value in (None, _missing, ""):
            return
        uri = _concept_uri(field["vocabulary"], value, errors[key])
        if uri:
            data[key] = uri

    return validator


@scheming_validator
def wepulse_vocabulary_list(field: dict[str, Any], schema: dict[str, Any]):
    """Several concepts of the field's ``vocabulary``; stores a JSON list of IRIs."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = data.get(key)
        if value in (None, _missing, "", [], {}, "[]", "{}"):
            # Nothing chosen: store nothing (an empty list would be stored as "{}").
            data.pop(key, None)
            raise tk.StopOnError
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
            except ValueError:
                value = [value]
        if not isinstance(value, list):
            value = [value]
        uris = [
            _concept_uri(field["vocabulary"], v.strip() if isinstance(v, str) else v, errors[key])
            for v in value
            if v not in (None, "")
        ]
        if not errors[key]:
            data[key] = json.dumps(list(dict.fromkeys(uris)))

    return validator


def wepulse_file_type(value: Any) -> Any:
    """A resource format as the EU file-type code when it is a known one
    ("csv", ".CSV", "text/csv" or the IRI all become "CSV"); other formats are
    kept as given, so nothing a publisher wrote is lost."""
    if not isinstance(value, str) or not value.strip():
        return value
    concept = vocabularies.load("file_types").lookup(value.strip().lstrip("."))
    return concept.code if concept else value.strip()


def wepulse_nis_code(value: Any) -> Any:
    """A REFNIS (NIS) code: five digits, such as 21009 for Ixelles."""
    if value in (None, _missing, ""):
        return value
    code = str(value).strip()
    if not (len(code) == 5 and code.isdigit()):
        raise tk.Invalid(
            tk._("A NIS code has five digits (21009 for Ixelles), got {value}").format(
                value=repr(value)
            )
        )
    return code


def wepulse_licence(value: Any) -> Any:
    """A licence of the vocabulary, by CKAN id, EU code, IRI, known URL or
    title; stored as its id in CKAN's licence list (see ckan_licence_register)."""
    if value in (None, _missing, ""):
        return value
    concept = vocabularies.load("licences").lookup(str(value))
    if concept is None:
        raise tk.Invalid(
            tk._(
                "Unknown licence {value}: use one of the portal's licences "
                "(its id, EU code, IRI or title; see license_list)"
            ).format(value=repr(value))
        )
    return concept.extra.get("ckan_id") or concept.code
