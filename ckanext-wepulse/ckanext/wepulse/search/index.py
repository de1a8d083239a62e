"""The fields a dataset adds to its Solr document, beyond CKAN's own.

Pure functions of the dataset (as ``package_show`` gives it) and its authority, so the
tests can check them without Solr; ``plugin.py`` merges them into the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ckanext.wepulse import vocabularies
from ckanext.wepulse.multilingual import machine_translations, parse_translated
from ckanext.wepulse.spatial import places as places_

__all__ = ["FACET_FIELDS", "SEARCH_LANGUAGES", "search_fields"]

#: The languages with an analysed field of their own (text_fr, title_fr...).
SEARCH_LANGUAGES: tuple[str, ...] = ("fr", "nl", "de", "en")

#: The machine-translated fields of a dataset and of its resources.
MACHINE_TRANSLATED_FIELDS = ("title_machine_translated", "notes_machine_translated")
RESOURCE_MACHINE_TRANSLATED_FIELDS = ("name_machine_translated", "description_machine_translated")

#: The facet fields search_fields() fills (with codes) when the dataset has a value.
FACET_FIELDS: tuple[str, ...] = (
    "authority_type",
    "region",
    "theme",
    "language",
    "hvd_category",
    "inspire_theme",
    "format",
)
#: A dataset whose extent covers more municipalities than this is not findable by
#: each of their names (a map of Belgium is not about Ixelles).
MAX_MUNICIPALITIES = 10


def search_fields(dataset: dict[str, Any], authority: dict[str, Any] | None) -> dict[str, Any]:
    """The search and facet fields of ``dataset``, published by ``authority``.

    ``authority`` is the organization's dict with its scheming fields
    (``title_translated``, ``authority_type``, ``region``), or None.
    """
    authority = authority or {}
    # language -> its words ("" for languages without a field): the dataset's own
    # description in text, what describes it from outside (authority, themes) in labels,
    # machine translations of its texts apart (they weigh less than originals).
    text: dict[str, list[str]] = {}
    labels: dict[str, list[str]] = {}
    machine_translated: dict[str, list[str]] = {}

    def add(into: dict[str, list[str]], lang: str, values: Iterable[str]) -> None:
        words = [value.strip() for value in values if isinstance(value, str) and value.strip()]
        if words:
            into.setdefault(lang if lang in SEARCH_LANGUAGES else "", []).extend(words)

    titles = _translated(dataset.get("title_translated")) or {"": dataset.get("title") or ""}
    keywords = _translated(dataset.get("tags_translated"))
    for lang, title in titles.items():
        add(text, lang, [title])
    for lang, notes in _translated(dataset.get("notes_translated")).items():
        add(text, lang, [notes])
    for lang, words in keywords.items():
        add(text, lang, words)
    for resource in dataset.get("resources") or []:
        for field in ("name_translated", "description_translated"):
            for lang, value in _translated(resource.get(field)).items():
                add(text, lang, [value])
    items = [(dataset, MACHINE_TRANSLATED_FIELDS)] + [
        (resource, RESOURCE_MACHINE_TRANSLATED_FIELDS)
        for resource in dataset.get("resources") or []
    ]
    for item, field_names in items:
        for field in field_names:
            for lang, translation in machine_translations(item.get(field)).items():
                add(machine_translated, lang, [translation["text"]])
    for lang, value in _translated(authority.get("title_translated")).items():
        add(labels, lang, [value])
    # Vocabulary labels in every language: a theme carries a query across languages.
    concepts = [
        *_concepts("data_themes", dataset.get("theme")),
        *_concepts("hvd_categories", dataset.get("hvd_category")),
        *_concepts("inspire_themes", dataset.get("inspire_theme")),
    ]
    for lang in SEARCH_LANGUAGES:
        add(labels, lang, [concept.labels.get(lang, "") for concept in concepts])
    # Where it is: its place names, and the municipalities its extent covers, by
    # their names in every language (Ixelles is found as Elsene).
    places = [item for item in dataset.get("spatial_coverage") or [] if isinstance(item, dict)]
    add(labels, "", [item.get("text") for item in places])
    for lang in SEARCH_LANGUAGES:
        add(labels, lang, [m.name(lang) for m in _municipalities(places)])

    fields: dict[str, Any] = {
        f"{kind}_{lang}": values
        for lang in SEARCH_LANGUAGES
        for kind, values in (
            ("text", text.get(lang)),
            ("labels", labels.get(lang)),
            ("keywords", keywords.get(lang)),
            ("machine_translated", machine_translated.get(lang)),
        )
        if values
    }
    for lang in SEARCH_LANGUAGES:
        if titles.get(lang):
            fields[f"title_{lang}"] = titles[lang]
        # Suggestions in a language fall back to the dataset's first title.
        title = titles.get(lang) or next(iter(titles.values()), "")
        fields[f"suggest_{lang}"] = [title, *keywords.get(lang, [])]
    formats = [_format(resource.get("format")) for resource in dataset.get("resources") or []]
    fields.update(
        text_any=[
            *(value for values in text.values() for value in values),
            *labels.get("", []),
            *filter(None, [dataset.get("name"), dataset.get("identifier"), authority.get("title")]),
            *filter(None, formats),
        ],
        title_exact=list(titles.values()),
        keywords_exact=[word for words in keywords.values() for word in words],
        authority_type=authority.get("authority_type") or None,
        region=authority.get("region") or None,
        theme=_codes("data_themes", dataset.get("theme")),
        language=_codes("languages", dataset.get("language")),
        hvd_category=_hvd_tops(dataset.get("hvd_category")),
        inspire_theme=_codes("inspire_themes", dataset.get("inspire_theme")),
        format=sorted(set(filter(None, formats))),
    )
    return {key: value for key, value in fields.items() if value not in (None, [], "")}


def _municipalities(places: list[dict[str, Any]]) -> list[places_.Municipality]:
    """The municipalities the extents cover, if they are few enough to name."""
    found: dict[str, places_.Municipality] = {}
    for item in places:
        box = places_.extent(item)
        if box is not None:
            found.update((m.nis, m) for m in places_.municipalities_in(*box))
    return list(found.values()) if len(found) <= MAX_MUNICIPALITIES else []


def _translated(value: Any) -> dict[str, Any]:
    """A translated field's non-empty values by language."""
    return {lang: text for lang, text in parse_translated(value).items() if text}


def _concepts(vocabulary: str, values: Any) -> list[vocabularies.Concept]:
    if isinstance(values, str):
        values = [values]
    vocabulary_ = vocabularies.load(vocabulary)
    return [c for c in (vocabulary_.lookup(v) for v in values or []) if c is not None]


def _codes(vocabulary: str, values: Any) -> list[str]:
    return sorted({concept.code for concept in _concepts(vocabulary, values)})


def _hvd_tops(values: Any) -> list[str]:
    """HVD categories as their top category's code: six facet values, not forty."""
    hvd = vocabularies.load("hvd_categories")
    tops = {hvd.get(c.extra.get("broader", "")) or c for c in _concepts("hvd_categories", values)}
    return sorted(c.code for c in tops)


def _format(value: Any) -> str | None:
    """A resource's format as its EU file-type code ("text/csv" and "csv" are CSV)."""
    if not isinstance(value, str) or not value.strip():
        return None
    concept = vocabularies.load("file_types").lookup(value)
    return concept.code if concept else value.strip().upper()
