"""How a visitor's words become a Solr query over the per-language fields.

Stock CKAN sends ``q`` to dismax over one English-analysed ``text`` field. Here ``q``
goes to edismax over each language's title and text, so "écoles", "begrotingen" and
"Haushalt" are analysed as French, Dutch and German words; the visitor's own language
weighs double, and a query equal to a title or a keyword weighs most. Machine
translations are searched too, below the originals: a Dutch visitor finds a dataset
only machine-translated into Dutch, after those written in Dutch.
"""

from __future__ import annotations

import re
from typing import Any

from ckanext.wepulse.search.index import SEARCH_LANGUAGES

__all__ = ["approximate_query", "query_fields", "multilingual_query"]

# Relative weights; the visitor's language multiplies its fields by LANGUAGE_BOOST.
EXACT_TITLE = 12
EXACT_KEYWORD = 6
TITLE = 4
TEXT = 1
LABELS = 0.5  # the authority's name, the themes' labels
ANY_LANGUAGE = 0.3  # words in no analysed language, names, formats
# Titles and descriptions a source machine-translated: below any original. Low, as
# the words of a rare field weigh more (BM25's idf is per field): a Dutch original among
# few Dutch texts must still outrank the machine translations every feed adds.
MACHINE_TRANSLATED = 0.1
LANGUAGE_BOOST = 2


def query_fields(lang: str) -> str:
    """edismax ``qf`` for a visitor reading ``lang``."""
    fields = [f"title_exact^{EXACT_TITLE}", f"keywords_exact^{EXACT_KEYWORD}"]
    for language in SEARCH_LANGUAGES:
        boost = LANGUAGE_BOOST if language == lang else 1
        fields += [
            f"title_{language}^{TITLE * boost}",
            f"text_{language}^{TEXT * boost}",
            f"labels_{language}^{LABELS * boost:g}",
            f"machine_translated_{language}^{MACHINE_TRANSLATED * boost:g}",
        ]
    fields.append(f"text_any^{ANY_LANGUAGE}")
    return " ".join(fields)


def multilingual_query(search_params: dict[str, Any], lang: str) -> dict[str, Any]:
    """``search_params`` searching every language, ``lang`` first.

    A client that chose its own ``defType`` or ``qf`` keeps CKAN's behaviour; fielded
    queries (``tags:budget``) and ``fq`` work as before, edismax parsing them too.
    """
    if search_params.get("defType") or search_params.get("qf"):
        return search_params
    search_params["defType"] = "edismax"
    search_params["qf"] = query_fields(lang)
    return search_params


_WORDS_ONLY = re.compile(r"[\w\s'’-]+")


def approximate_query(q: Any) -> str | None:
    """``q`` with each word allowed a typo or two, for a second try when nothing matched.

    Only for plain words: a query with Solr syntax (``tags:x``, quotes, wildcards) meant
    exactly what it said. Short words stay exact: "cpas~1" would match "cas".
    """
    if not isinstance(q, str) or not _WORDS_ONLY.fullmatch(q.strip() or "*"):
        return None
    words = re.findall(r"\w+", q)
    fuzzy = [f"{w}~{1 if len(w) < 8 else 2}" if len(w) >= 4 else w for w in words]
    return " ".join(fuzzy) if fuzzy != words else None
