"""What a source said, fitted to the schema without losing any of it.

A harvested record is never refused for what the portal cannot hold: a field the
schema lacks, a value outside a vocabulary, a keyword too long. Each is kept:

- a value of a controlled vocabulary is looked up (its IRI, code, label, or an alias
  of the vocabulary's ``*_aliases.csv``); one no vocabulary knows leaves the field,
  and a theme becomes a keyword;
- a keyword longer than a keyword may be is shortened on a word boundary;
- a field (or subfield) the schema does not have leaves the dataset, and so does a
  text in a language the portal does not publish in;
- an address (IRI, web address, e-mail, media type) is normalised as a browser
  would (spaces percent-encoded, ``mailto:`` dropped); one that is none, hostile
  ones included (``javascript:…``, ``a@b onfocus=…``), leaves its field;
- a text longer than its field takes is shortened (on a word boundary);

and the source's own words for all of them go to the dataset's ``unmapped`` field,
``{place: value}``, which the dataset page shows and validation reports. Only a
record's own failings (no title, say) can make it fail.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ckan.model import MAX_TAG_LENGTH
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.wepulse import vocabularies
from ckanext.wepulse.logic.validators import TEXT_LENGTH
from ckanext.wepulse.multilingual import default_language
from ckanext.wepulse.security import headers, links

__all__ = ["fitted", "shortened", "web_address"]

#: What CKAN itself keeps of a dataset and a resource, beside the schema's fields.
_CORE_DATASET = {
    "id", "name", "title", "notes", "type", "state", "private", "owner_org", "extras",
    "resources", "tags", "groups", "author", "author_email", "maintainer",
    "maintainer_email", "license_id", "url", "version", "relationships_as_object",
    "relationships_as_subject",
}  # fmt: skip
#: CKAN's own resource fields, and ckanext-dcat's record of a distribution's IRI and
#: data services (which its DCAT-AP output reads back).
_RESOURCE_KEPT = {
    "id", "name", "description", "package_id", "position", "state", "url_type",
    "resource_type", "created", "last_modified", "metadata_modified", "datastore_active",
    "uri", "distribution_ref", "access_services",
}  # fmt: skip
#: ckanext-dcat's labels of the blank nodes it read a subfield from (a data service's):
#: an artefact of parsing, no one's words, so not kept aside either (dropped by
#: the schema).
_PARSE_REFS = {"access_service_ref"}
#: The ``unmapped`` field stays well within what the search index takes of a field.
_UNMAPPED_BYTES = 16_000


def fitted(dataset: dict[str, Any]) -> dict[str, Any]:
    """``dataset`` (a harvest's mapping of one record) as the schema holds it, with
    what it could not hold in ``unmapped``."""
    schema = scheming_get_dataset_schema("dataset")
    unmapped: dict[str, Any] = dict(dataset.get("unmapped") or {})
    languages = schema["form_languages"]
    parts = [(dataset, schema["dataset_fields"], _CORE_DATASET, "")] + [
        (resource, schema["resource_fields"], _RESOURCE_KEPT, f"resources[{index}].")
        for index, resource in enumerate(dataset.get("resources") or [])
        if isinstance(resource, dict)
    ]
    for item, fields, core, place in parts:
        _vocabulary_values(item, fields, place, unmapped)
        _other_languages(item, fields, languages, place, unmapped)
        _unknown_fields(item, fields, core, place, unmapped)
        _addresses_and_lengths(item, fields, place, unmapped)
    _keywords(dataset, unmapped)
    dataset.pop("unmapped", None)
    if unmapped:
        dataset["unmapped"] = _within_limit(unmapped)
    return dataset


def shortened(text: str, limit: int = MAX_TAG_LENGTH) -> str:
    """``text`` cut to at most ``limit`` characters, on a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    boundary = cut.rfind(" ")
    return (cut[:boundary] if boundary > limit // 2 else cut).rstrip(" ,;:-") + "…"


def _vocabulary_values(item, fields, place: str, unmapped: dict[str, Any]) -> None:
    for field in fields:
        name, vocabulary = field["field_name"], field.get("vocabulary")
        if not vocabulary or item.get(name) in (None, "", []):
            continue
        loaded = vocabularies.load(vocabulary)
        values = _as_list(item[name])
        known = [c.uri for v in values if (c := loaded.lookup(str(v).strip()))]
        unknown = [v for v in values if not loaded.lookup(str(v).strip())]
        if unknown:
            unmapped[place + name] = unknown
            if name == "theme":
                _add_keywords(item, [_theme_keyword(str(v)) for v in unknown])
        if field.get("preset") == "vocabulary_multiple":
            item[name] = list(dict.fromkeys(known))
        elif known:
            item[name] = known[0]
        else:
            del item[name]
    licence = item.get("license_id")
    if licence and place == "":
        concept = vocabularies.load("licences").lookup(str(licence))
        if concept is None:
            unmapped["license_id"] = licence
            del item["license_id"]
        else:  # as CKAN's licence list names it
            item["license_id"] = concept.extra.get("ckan_id") or concept.code


def _other_languages(item, fields, languages, place: str, unmapped: dict[str, Any]) -> None:
    """Texts in languages the portal does not publish in (Italian from a Swiss
    source, say) leave their multilingual field for ``unmapped``, in subfields too
    (a contact's name in Romansh)."""
    for field in fields:
        name = field["field_name"]
        texts = item.get(name)
        if field.get("repeating_subfields") and isinstance(texts, list):
            for index, sub in enumerate(texts):
                if isinstance(sub, dict):
                    subfields = field["repeating_subfields"]
                    _other_languages(
                        sub, subfields, languages, f"{place}{name}[{index}].", unmapped
                    )
            continue
        if not str(field.get("preset", "")).startswith("fluent") or not isinstance(texts, dict):
            continue
        for lang in [lang for lang in texts if lang not in languages]:
            text = texts.pop(lang)
            if text:
                unmapped[f"{place}{name}.{lang}"] = text


def _keywords(dataset: dict[str, Any], unmapped: dict[str, Any]) -> None:
    """Keywords a keyword field takes: one line, no markup, not over the length limit."""
    keywords = dataset.get("tags_translated")
    if not isinstance(keywords, dict):
        return
    for lang, words in keywords.items():
        if not isinstance(words, list):
            continue
        kept = []
        for word in (w for w in words if isinstance(w, str) and w.strip()):
            clean = " ".join(word.split())
            if any(c in clean for c in "<>") or not clean.isprintable():
                unmapped.setdefault(f"tags_translated.{lang}", []).append(word)
                continue
            if len(clean) > MAX_TAG_LENGTH:
                unmapped.setdefault(f"tags_translated.{lang}", []).append(word)
                clean = shortened(clean)
            if clean not in kept:
                kept.append(clean)
        keywords[lang] = kept


def _unknown_fields(item, fields, core: set[str], place: str, unmapped: dict[str, Any]) -> None:
    """Fields the schema lacks leave ``item`` for ``unmapped``, at any depth of
    repeating subfields."""
    by_name = {f["field_name"]: f for f in fields}
    for name in list(item):
        field = by_name.get(name)
        if field is None and name not in core:
            value = item.pop(name)
            if value not in (None, "", [], {}):
                unmapped[place + name] = value
        elif field and field.get("repeating_subfields") and isinstance(item[name], list):
            for index, entry in enumerate(item[name]):
                if isinstance(entry, dict):
                    where = f"{place}{name}[{index}]."
                    _unknown_fields(
                        entry, field["repeating_subfields"], _PARSE_REFS, where, unmapped
                    )


def web_address(value: Any) -> str | None:
    """A web address as a browser would send it (sources write spaces in file names:
    ``…/Versements anticipes-2024.xlsx``), or None when it is none."""
    return links.web_url(value.strip().replace(" ", "%20")) if isinstance(value, str) else None


#: The schema's address validators, and the check a harvested value gets instead.
_ADDRESS_CHECKS = {
    "wepulse_resource_url": web_address,
    "wepulse_url": web_address,
    "wepulse_email": links.email_address,
    "wepulse_iri": links.iri,
    "wepulse_media_type": headers.media_type,
}


def _addresses_and_lengths(item, fields, place: str, unmapped: dict[str, Any]) -> None:
    """Addresses normalised or left out, texts shortened to their field's length, at
    any depth of repeating subfields: what the schema's validators would refuse the
    whole dataset for."""
    for field in fields:
        name = field["field_name"]
        value = item.get(name)
        if value in (None, ""):
            continue
        validators = str(field.get("validators", "")).split()
        check = next((_ADDRESS_CHECKS[v] for v in validators if v in _ADDRESS_CHECKS), None)
        if field.get("repeating_subfields") and isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    where = f"{place}{name}[{index}]."
                    _addresses_and_lengths(entry, field["repeating_subfields"], where, unmapped)
        elif check is not None:
            checked = check(value) if isinstance(value, str) else None
            if checked is None:
                unmapped[place + name] = value
                del item[name]
            else:
                item[name] = checked
        elif "wepulse_url_list" in validators and isinstance(value, list):
            checked = [web_address(v) if isinstance(v, str) else None for v in value]
            if None in checked:
                unmapped[place + name] = [
                    v for v, c in zip(value, checked, strict=True) if c is None
                ]
            item[name] = [c for c in checked if c is not None]
        elif "wepulse_text" in validators and isinstance(value, str):
            item[name] = _fitting(
                value, field.get("max_length", TEXT_LENGTH), place + name, unmapped
            )
        elif str(field.get("preset", "")).startswith("fluent_") and isinstance(value, dict):
            limit = field.get("max_length", TEXT_LENGTH)
            for lang, text in value.items():
                if isinstance(text, str):
                    value[lang] = _fitting(text, limit, f"{place}{name}.{lang}", unmapped)


def _fitting(text: str, limit: int, place: str, unmapped: dict[str, Any]) -> str:
    if len(text) <= limit:
        return text
    unmapped[place] = text
    return shortened(text, limit)


def _add_keywords(item: dict[str, Any], words: list[str]) -> None:
    keywords = item.get("tags_translated")
    if not isinstance(keywords, dict):
        keywords = item["tags_translated"] = {}
    lang = next(iter(keywords), None) or default_language()
    existing = keywords.setdefault(lang, [])
    existing += [w for w in words if w and w not in existing]


def _theme_keyword(theme: str) -> str:
    """A theme no vocabulary knows, as a keyword: its label, or its IRI's last part
    (``…/themes/statistical-basis`` → ``statistical basis``)."""
    if "://" not in theme:
        return theme.strip()
    last = re.split(r"[/#]", theme.rstrip("/#"))[-1]
    return re.sub(r"[-_]+", " ", last).strip()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    values = value if isinstance(value, list) else [value]
    return [v for v in values if v not in (None, "")]


def _within_limit(unmapped: dict[str, Any]) -> dict[str, Any]:
    """The unmapped values, longest left out first when they would not fit the index."""
    size = len(json.dumps(unmapped, ensure_ascii=False).encode("utf-8"))
    if size <= _UNMAPPED_BYTES:
        return unmapped
    kept = dict(unmapped)
    for place in sorted(kept, key=lambda p: -len(json.dumps(kept[p], ensure_ascii=False))):
        kept[place] = f"({len(json.dumps(kept[place]))} characters, too long to keep here)"
        if len(json.dumps(kept, ensure_ascii=False).encode("utf-8")) <= _UNMAPPED_BYTES:
            break
    return kept
