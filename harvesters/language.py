"""Which language a harvested text is in: sources' language tags are not to be trusted.

Real Belgian metadata tags one French keyword @fr, @nl and @en at once, tags
machine-translated or French text @nl, and leaves literals untagged. Every mapping
passes its texts through ``translations()``: it keeps a tag that the text agrees
with, moves a text whose language is unmistakably another, and settles a text
tagged with several languages on the one it is written in. Detection is py3langid
(langid.py's model, restricted to the portal's content languages): small, fast
(~40 µs a text) and good on short strings, which titles and keywords are.

Machine translations are not originals. Belgian feeds mark them with BCP 47's
transformed-content extension (RFC 6497): ``nl-t-fr`` is Dutch translated from French.
``translations()`` and ``keywords()`` leave them out; ``machine_translations()`` keeps
them apart, with the language they were translated from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from ckanext.wepulse import vocabularies

__all__ = [
    "CONTENT_LANGUAGES",
    "UNDETERMINED",
    "detect",
    "keywords",
    "language_of",
    "machine_translation_tag",
    "machine_translations",
    "translated_from",
    "translations",
]

#: The portal's content languages, in order of preference.
CONTENT_LANGUAGES: tuple[str, ...] = ("fr", "nl", "de", "en")

# A single tag is overruled only by a confident detection of a text long enough to
# judge: two-word names ("Stad Brussel") fool any detector.
_OVERRULE_CONFIDENCE = 0.95
_OVERRULE_MIN_WORDS = 3

#: ISO 639's "undetermined": a translation whose tag does not say from what.
UNDETERMINED = "und"


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CONTENT_LANGUAGES))
    return identifier


def detect(text: str, among: Iterable[str] = CONTENT_LANGUAGES) -> tuple[str, float]:
    """The most likely of the ``among`` content languages for ``text``, with its
    probability relative to those languages."""
    languages = set(among) & set(CONTENT_LANGUAGES)
    if len(languages) <= 1:
        return (languages.pop() if languages else CONTENT_LANGUAGES[0]), 1.0
    ranked = [(lang, p) for lang, p in _identifier().rank(text) if lang in languages]
    total = sum(p for _lang, p in ranked) or 1.0
    return ranked[0][0], float(ranked[0][1] / total)


def translated_from(tag: str | None) -> str | None:
    """The language a text was machine-translated from, as its tag says: "fr" for
    ``nl-t-fr`` (RFC 6497) and for ``nl-x-mtfrom-fr`` (Google's private use);
    UNDETERMINED when the tag does not say from what (``nl-t-m0-…``); None for an
    original."""
    subtags = (tag or "").strip().lower().split("-")
    if not _is_language(subtags[0]):
        return None
    if "x" in subtags:  # private use: only Google's mtfrom is understood
        private = subtags.index("x")
        if subtags[private + 1 : private + 2] == ["mtfrom"]:
            return (subtags[private + 2 : private + 3] or [UNDETERMINED])[0]
        subtags = subtags[:private]
    if "t" not in subtags[1:]:
        return None
    source = subtags[subtags.index("t", 1) + 1 :]
    # A source language tag, unless only fields (a letter and a digit: m0-…) follow.
    return source[0] if source and _is_language(source[0]) else UNDETERMINED


def _is_language(subtag: str) -> bool:
    return subtag.isalpha() and 2 <= len(subtag) <= 3


def machine_translation_tag(lang: str, source: str) -> str:
    """The tag of a text in ``lang`` machine-translated from ``source``: ``nl-t-fr``."""
    return f"{lang}-t-{source or UNDETERMINED}"


def _primary(tag: str | None) -> str:
    """A tag's language, lowercased: "nl" for ``nl-BE`` and for ``nl-t-fr``."""
    return (tag or "").split("-")[0].strip().lower()


def machine_translations(
    texts: Iterable[tuple[str, str | None]],
    originals: Mapping[str, str] | None = None,
    join: str | None = ", ",
) -> dict[str, dict[str, str]]:
    """``{language: {"text": …, "from": language}}`` of the machine-translated
    ``(text, tag)`` pairs; originals are left out.

    - A translation's pieces (split at its commas) are joined as ``translations()``
      joins them; a second translation into a language (from another one) is dropped.
    - A "translation" that repeats one of the field's ``originals`` word for word
      ("Verviers") is the original copied, not a translation: it is left out.
    """
    pieces: dict[str, tuple[str, list[str]]] = {}
    for text, tag in texts:
        text, source, lang = (text or "").strip(), translated_from(tag), _primary(tag)
        if not text or source is None or not lang:
            continue
        first_source, parts = pieces.setdefault(lang, (source, []))
        if source == first_source and text not in parts:
            parts.append(text)
    copies = set((originals or {}).values())
    result = {}
    for lang, (source, parts) in pieces.items():
        text = parts[0] if join is None else join.join(parts)
        if text not in copies:
            result[lang] = {"text": text, "from": source}
    return result


def translations(
    texts: Iterable[tuple[str, str | None]],
    default: str = CONTENT_LANGUAGES[0],
    languages: tuple[str, ...] = CONTENT_LANGUAGES,
    join: str | None = ", ",
) -> dict[str, str]:
    """``{language: text}`` from ``(text, tag)`` pairs, tags checked against the text.

    - The same text under several tags is kept once, under the tag it is written in.
    - A text under one content-language tag keeps it unless it is long enough and
      confidently in another language whose slot is still empty.
    - An untagged (or non-content-language) text goes where detection puts it, or to
      ``default`` when detection is unsure and the default slot is free.
    - Several texts in one language (a description split at its commas) are joined
      with ``join`` in source order; with ``join=None`` the first one wins.
    - Machine translations (``nl-t-fr``) are left out: see ``machine_translations()``.
    """
    # A language's pieces (a description split at its commas) are one text first.
    pieces: dict[str, list[str]] = {}
    untagged: list[str] = []
    for text, tag in texts:
        text = (text or "").strip()
        if not text or translated_from(tag) is not None:
            continue
        tag = _primary(tag)
        if tag in languages or tag in _other_languages():
            if text not in pieces.setdefault(tag, []):
                pieces[tag].append(text)
        else:
            untagged.append(text)
    tags_by_text: dict[str, list[str]] = {}
    for tag, parts in pieces.items():
        whole = parts[0] if join is None else join.join(parts)
        tags_by_text.setdefault(whole, []).append(tag)
    for text in untagged:
        tags_by_text.setdefault(text, [])  # an untagged repeat of a tagged text adds nothing

    placed: dict[str, list[str]] = {}
    for text, tags in tags_by_text.items():
        if tags and not any(tag in languages for tag in tags):
            # Written in a language the portal does not write in (Catalan…): as tagged.
            placed.setdefault(tags[0], []).append(text)
            continue
        # A language some text is tagged with is that text's: nothing moves into it.
        claimed = set(pieces) | set(placed)
        language = language_of(text, tags, default, languages, claimed)
        placed.setdefault(language, []).append(text)

    if join is None:
        return {language: parts[0] for language, parts in placed.items()}
    return {language: join.join(parts) for language, parts in placed.items()}


@cache
def _other_languages() -> frozenset[str]:
    """ISO 639-1 codes of the other EU languages, which metadata may carry too."""
    codes = (c.extra.get("iso_639_1", "") for c in vocabularies.load("languages").concepts)
    return frozenset(code for code in codes if code) - set(CONTENT_LANGUAGES)


def language_of(
    text: str,
    tags: list[str | None],
    default: str = CONTENT_LANGUAGES[0],
    languages: tuple[str, ...] = CONTENT_LANGUAGES,
    claimed: set[str] | frozenset[str] = frozenset(),
) -> str:
    """The language of one text the source tagged with ``tags`` (possibly none).

    ``claimed`` are languages other texts of the same field are tagged with: a text
    is not moved into one of those, which already has its own text.
    """
    tagged = [t for t in dict.fromkeys(tags) if t in languages]
    if len(tagged) > 1:
        return detect(text, tagged)[0]
    if len(tagged) == 1:
        if len(text.split()) >= _OVERRULE_MIN_WORDS:
            detected, probability = detect(text, languages)
            if (
                detected != tagged[0]
                and probability >= _OVERRULE_CONFIDENCE
                and detected not in claimed
            ):
                return detected
        return tagged[0]
    detected, probability = detect(text, languages)
    if probability >= _OVERRULE_CONFIDENCE or default in claimed:
        return detected
    return default


def keywords(
    pairs: Iterable[tuple[str, str | None]],
    default: str = CONTENT_LANGUAGES[0],
    languages: tuple[str, ...] = CONTENT_LANGUAGES,
) -> dict[str, list[str]]:
    """``{language: [keyword, …]}`` from ``(keyword, tag)`` pairs: a keyword the
    source repeats under several tags is kept once, in the language it is in.
    Machine-translated keywords (``nl-t-fr``) are left out."""
    tags_by_keyword: dict[str, list[str | None]] = {}
    for keyword, tag in pairs:
        keyword = (keyword or "").strip()
        if keyword and translated_from(tag) is None:
            tags_by_keyword.setdefault(keyword, []).append(_primary(tag))
    result: dict[str, list[str]] = {}
    for keyword, tags in tags_by_keyword.items():
        # Keywords are too short to overrule a single tag: only repeats are settled.
        tagged = [t for t in dict.fromkeys(tags) if t in languages]
        language = tagged[0] if len(tagged) == 1 else language_of(keyword, tags, default, languages)
        result.setdefault(language, []).append(keyword)
    return result
