"""Validators for the portal's schemas (registered by name through the blanket)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.model import MAX_TAG_LENGTH
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey
from ckanext.scheming.helpers import scheming_field_required
from ckanext.scheming.validation import scheming_validator

from ckanext.wepulse import vocabularies
from ckanext.wepulse.authorities import identity
from ckanext.wepulse.multilingual import (
    content_languages,
    default_language,
    in_language,
    parse_translated,
)
from ckanext.wepulse.security import headers, links
from harvesters.language import UNDETERMINED

__all__ = [
    "fluent_text",
    "fluent_text_output",
    "fluent_core_translated_output",
    "fluent_tags",
    "fluent_tags_output",
    "wepulse_machine_translated",
    "wepulse_core_to_translated",
    "wepulse_vocabulary",
    "wepulse_vocabulary_list",
    "wepulse_file_type",
    "wepulse_nis_code",
    "wepulse_licence",
    "wepulse_json_object",
    "wepulse_email",
    "wepulse_url",
    "wepulse_url_list",
    "wepulse_iri",
    "wepulse_identifiers",
    "wepulse_resource_url",
    "wepulse_media_type",
    "wepulse_text",
    "wepulse_core_types",
    "wepulse_max_resources",
    "wepulse_indexable",
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


def _as_dict(
    value: Any, field: str, errors: list[str], example: str = '{"fr": "…", "nl": "…"}'
) -> dict[str, Any]:
    if value in (None, _missing, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            errors.append(_one_value_per_language(value, example))
            return {}
    if not isinstance(value, dict):
        errors.append(_one_value_per_language(value, example))
        return {}
    return value


def _one_value_per_language(value: Any, example: str) -> str:
    return tk._("Expected one value per language, e.g. {example}, got {value}").format(
        example=example, value=quoted_briefly(value)
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
                unknown=", ".join(unknown)[:200], languages=", ".join(languages)
            )
        )


@scheming_validator
def fluent_text(field: dict[str, Any], schema: dict[str, Any]):
    """Text in several languages: ``{"fr": "…", "nl": "…"}``, stored as JSON;
    each at most the field's ``max_length`` characters."""
    languages = content_languages(field, schema)
    max_length = field.get("max_length", TEXT_LENGTH)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = _as_dict(_submitted(key, data, languages), field["field_name"], errors[key])
        _check_languages(value, languages, errors[key])
        for lang, text in value.items():
            if not isinstance(text, str):
                errors[key].append(
                    tk._("The {lang} value must be text, got {text}").format(
                        lang=lang, text=quoted_briefly(text)
                    )
                )
            elif len(text) > max_length:
                errors[key].append(f"{quoted_briefly(lang)}: {_too_long(len(text), max_length)}")
        value = {
            lang: text.strip()
            for lang, text in value.items()
            if isinstance(text, str) and text.strip()
        }
        if not value and scheming_field_required(field) and not _harvested(data):
            errors[key].append(
                tk._("Missing value: give it in at least one of {languages}").format(
                    languages=", ".join(languages)
                )
            )
        if errors[key]:
            return
        data[key] = json.dumps(value, ensure_ascii=False)

    return validator


def _harvested(data: FlattenDataDict) -> bool:
    """Whether the dataset comes from a harvest: what its source left out stays out
    (a missing description is the source's, shown by validation, never made up)."""
    return data.get(("harvest_guid",)) not in (None, _missing, "")


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
    only their length and markup are checked, and their number per language
    (the field's ``max_keywords``).
    """
    languages = content_languages(field, schema)
    tag_length = tk.get_validator("tag_length_validator")
    max_keywords = field.get("max_keywords")

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
                errors[key].append(
                    tk._("The {lang} keywords must be a list of text, got {tags}").format(
                        lang=quoted_briefly(lang), tags=quoted_briefly(tags)
                    )
                )
                continue
            if max_keywords and len(tags) > max_keywords:
                errors[key].append(
                    tk._("Too many {lang} keywords: at most {max}, got {count}").format(
                        lang=quoted_briefly(lang), max=max_keywords, count=len(tags)
                    )
                )
                continue
            for tag in (t.strip() for t in tags):
                if not tag:
                    continue
                try:
                    if len(tag) > MAX_TAG_LENGTH:  # before CKAN's check, which quotes it whole
                        raise tk.Invalid(_too_long(len(tag), MAX_TAG_LENGTH))
                    tag_length(tag, context)
                    if any(c in tag for c in "<>") or not tag.isprintable():
                        raise tk.Invalid(tk._("markup and control characters are not allowed"))
                except tk.Invalid as error:
                    errors[key].append(f"{lang} keyword {quoted_briefly(tag)}: {error.error}")
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


_MACHINE_TRANSLATION = '{"nl": {"text": "…", "from": "fr"}}'


@scheming_validator
def wepulse_machine_translated(field: dict[str, Any], schema: dict[str, Any]):
    """Machine translations, kept apart from the originals: ``{"nl": {"text": "…",
    "from": "fr"}}`` is Dutch translated from French ("und" when the source did not
    say from what); stored as JSON, each text at most the field's ``max_length``."""
    languages = content_languages(field, schema)
    max_length = field.get("max_length", TEXT_LENGTH)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = _as_dict(data.get(key), field["field_name"], errors[key], _MACHINE_TRANSLATION)
        _check_languages(value, languages, errors[key])
        cleaned: dict[str, dict[str, str]] = {}
        for lang, translation in value.items():
            text, source = (
                (translation.get("text"), translation.get("from"))
                if isinstance(translation, dict) and set(translation) <= {"text", "from"}
                else (None, None)
            )
            if not isinstance(text, str) or not isinstance(source, str):
                errors[key].append(
                    tk._(
                        "The {lang} machine translation must be like {example}, got {value}"
                    ).format(
                        lang=quoted_briefly(lang),
                        example='{"text": "…", "from": "fr"}',
                        value=quoted_briefly(translation),
                    )
                )
            elif len(text) > max_length:
                errors[key].append(f"{quoted_briefly(lang)}: {_too_long(len(text), max_length)}")
            elif source != UNDETERMINED and not _known_language(source, languages):
                _check_languages({source: text}, languages, errors[key])
            elif text.strip():
                cleaned[lang] = {"text": text.strip(), "from": source}
        if errors[key]:
            return
        if not cleaned:
            data.pop(key, None)  # store nothing rather than "{}"
            raise tk.StopOnError
        data[key] = json.dumps(cleaned, ensure_ascii=False)

    return validator


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


def wepulse_json_object(value: Any) -> Any:
    """A JSON object (a dict, or its JSON text), stored as JSON text."""
    if value in (None, _missing, ""):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise tk.Invalid(tk._("Expected a JSON object")) from None
    if not isinstance(value, dict):
        raise tk.Invalid(
            tk._("Expected a JSON object, got {value}").format(value=quoted_briefly(value))
        )
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# Addresses: what a template may turn into a link is decided by security.links; the
# API refuses what it would not link, so a bad value never reaches a page.


def quoted_briefly(value: Any, limit: int = 80) -> str:
    """The value as an error message quotes it: never more than ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _blank(value: Any) -> bool:
    return value in (None, _missing, "")


def _checked_by(check: Any, message: Any, doc: str) -> Any:
    """A validator that keeps what ``check`` makes of a value, or refuses it with
    ``message()`` (a function, so the message is translated per request)."""

    def validator(value: Any) -> Any:
        if _blank(value):
            return value
        checked = check(value)
        if checked is None:
            raise tk.Invalid(message().format(value=quoted_briefly(value)))
        return checked

    validator.__doc__ = doc
    return validator


wepulse_email = _checked_by(
    links.email_address,
    lambda: tk._("Enter one e-mail address, such as info@commune.be, got {value}"),
    "An e-mail address (syntax checked, no DNS), stored normalised.",
)
wepulse_url = _checked_by(
    links.web_url,
    lambda: tk._("Enter a web address starting with http:// or https://, got {value}"),
    "A web address: http or https, with a host.",
)
wepulse_iri = _checked_by(
    links.iri,
    lambda: tk._("Enter an IRI such as http://vocab.belgif.be/auth/refnis2019/21004, got {value}"),
    "An identifier (IRI) such as a concept's or a publisher's: any passive scheme.",
)
wepulse_media_type = _checked_by(
    headers.media_type,
    lambda: tk._("Enter a media type such as text/csv, got {value}"),
    "A media type (IANA), such as text/csv: it becomes the Content-Type of a download.",
)


def _items(value: Any) -> list[Any]:
    """The values of a list field, given as a list, its JSON text or one value."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    return [item for item in (value if isinstance(value, list) else [value]) if not _blank(item)]


def wepulse_url_list(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Several web addresses (a list, or its JSON text), each checked as
    ``wepulse_url``, stored as a JSON list, each once."""
    value = data.get(key)
    if _blank(value):
        return
    found = []
    for item in _items(value):
        try:
            found.append(wepulse_url(item))
        except tk.Invalid as error:
            errors[key].append(error.error)
    if not errors[key]:
        data[key] = json.dumps(list(dict.fromkeys(found)))


def wepulse_resource_url(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A resource's URL: a web address, or the file name of an upload (CKAN stores
    the bare name and serves the file itself)."""
    value = data.get(key)
    if _blank(value) or data.get(key[:-1] + ("url_type",)) == "upload":
        return
    try:
        data[key] = wepulse_url(value)
    except tk.Invalid as error:
        errors[key].append(error.error)


# Hostile input stays data: types and sizes the database and Solr can hold. A
# wrong type reaching CKAN's core validators or SQL, a value beyond an index's
# limit, is refused here with the field's name instead of answering 500.

#: Lucene's limit on one indexed term (UTF-8 bytes): every dataset field is also
#: indexed whole, as a string, by CKAN's catch-all dynamic field.
SOLR_TERM_BYTES = 32766
#: Characters of a text field whose schema gives no ``max_length``.
TEXT_LENGTH = 1000
# CKAN's own fields, scalars its validators and SQL take as they come.
_CORE_SCALARS = {
    "dataset": (
        "id", "name", "title", "notes", "author", "author_email", "maintainer",
        "maintainer_email", "url", "version", "license_id", "owner_org", "private",
        "state", "type",
    ),
    "resource": (
        "id", "package_id", "url", "name", "description", "format", "mimetype",
        "hash", "size", "url_type", "position", "created", "last_modified",
    ),
}  # fmt: skip
# The core fields that are not text (booleans and numbers are also accepted as text).
_CORE_TYPES = {
    "private": (str, bool),
    "size": (str, int),
    "position": (str, int),
    "created": (str, datetime.datetime),
    "last_modified": (str, datetime.datetime),
}
_SUBSCHEMAS = ("resources", "tags", "extras", "groups")


def _too_long(length: int, max_length: int) -> str:
    return tk._("Too long: at most {max} characters, got {length}").format(
        max=max_length, length=length
    )


@scheming_validator
def wepulse_text(field: dict[str, Any], schema: dict[str, Any]):
    """Text of at most the field's ``max_length`` characters (numbers become text)."""
    max_length = field.get("max_length", TEXT_LENGTH)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        value = data.get(key)
        if value in (None, _missing):
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            data[key] = value = str(value)
        if not isinstance(value, str):
            errors[key].append(
                tk._("Expected text, got {value}").format(value=quoted_briefly(value))
            )
        elif len(value) > max_length:
            errors[key].append(_too_long(len(value), max_length))
        if errors[key]:
            raise tk.StopOnError  # the next validators would echo or choke on it

    return validator


@scheming_validator
def wepulse_core_types(field: dict[str, Any] | None, schema: dict[str, Any]):
    """CKAN's own dataset and resource fields as scalars, before any validator
    (``owner_org={}`` reached SQL, ``private={}`` and ``url=5`` crashed CKAN's
    validators); ``title`` and ``notes`` as long as their translated fields allow."""
    fields = {f["field_name"]: f for f in schema.get("dataset_fields", [])}
    max_lengths = {
        core: fields.get(translated, {}).get("max_length")
        for translated, core in CORE_TRANSLATED.items()
    }

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        for flat_key in list(data):
            kind = "dataset" if len(flat_key) == 1 else "resource"
            if kind == "resource" and (len(flat_key) != 3 or flat_key[0] != "resources"):
                continue
            name, value = flat_key[-1], data[flat_key]
            if name not in _CORE_SCALARS[kind] or value in (None, _missing):
                continue
            if not isinstance(value, _CORE_TYPES.get(name, str)):
                message = tk._("Expected text, got {value}").format(value=quoted_briefly(value))
            elif kind == "dataset" and len(str(value)) > (max_lengths.get(name) or len(str(value))):
                message = _too_long(len(str(value)), max_lengths[name])
            else:
                continue
            errors.setdefault(flat_key, []).append(message)
            data[flat_key] = _missing

    return validator


def wepulse_max_resources(max_resources: int):
    """At most ``max_resources`` resources, counted before any is validated."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ):
        count = len({k[1] for k in data if len(k) == 3 and k[0] == "resources"})
        if count > max_resources:
            # Out of the validation at once: validating them is the work refused.
            raise tk.ValidationError(
                {
                    "resources": [
                        tk._("Too many resources: at most {max}, got {count}").format(
                            max=max_resources, count=count
                        )
                    ]
                }
            )

    return validator


def wepulse_indexable(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Every dataset field within what Solr indexes as one term, whatever its
    shape (text, translations, repeating subfields): beyond, indexing fails."""
    sizes: dict[str, int] = {}
    for flat_key, value in data.items():
        if flat_key[0] in _SUBSCHEMAS or not isinstance(flat_key[0], str):
            continue
        if isinstance(value, str):
            sizes[flat_key[0]] = sizes.get(flat_key[0], 0) + len(value.encode("utf-8", "replace"))
    for name, size in sizes.items():
        if size > SOLR_TERM_BYTES and not any(v for k, v in errors.items() if k[0] == name):
            errors[(name,)] = [
                tk._(
                    "Too long to be indexed: {size} bytes in all (all languages, all "
                    "entries together), at most {max}"
                ).format(size=size, max=SOLR_TERM_BYTES)
            ]


def wepulse_identifiers(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """What other catalogues name an authority by, as a JSON list: an enterprise number
    stored as its CBE IRI, an IRI as given, each once."""
    value = data.get(key)
    if _blank(value):
        return
    found = []
    for item in _items(value):
        checked = identity.identifier(item.strip()) if isinstance(item, str) else None
        if checked is None:
            errors[key].append(
                tk._(
                    "Enter an enterprise number such as 0207.373.429, or an IRI, got {value}"
                ).format(value=quoted_briefly(item))
            )
        else:
            found.append(checked)
    if not errors[key]:
        data[key] = json.dumps(list(dict.fromkeys(found)))
