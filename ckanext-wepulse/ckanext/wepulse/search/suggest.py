"""Type-ahead: dataset titles and keywords that begin with what the visitor has typed.

One Solr request on the ``suggest_<lang>`` fields (every word's beginnings, accents
folded), public datasets only; its facet on ``keywords_<lang>`` gives the keywords.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import solr_literal

from ckanext.wepulse.multilingual import default_language
from ckanext.wepulse.search.index import SEARCH_LANGUAGES
from ckanext.wepulse.vocabularies import fold

__all__ = ["wepulse_suggest"]

MAX_LIMIT = 20
_WORD = re.compile(r"\w+")


@tk.side_effect_free
def wepulse_suggest(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Suggestions for a search box.

    :param q: what has been typed (the last word may be incomplete)
    :param lang: the visitor's language (fr, nl, de or en; default: the site's)
    :param limit: how many titles and how many keywords (1-20, default 8)
    :returns: ``{"datasets": [{"name", "title"}], "keywords": [...]}``
    """
    tk.check_access("wepulse_suggest", context, data_dict)
    lang = data_dict.get("lang") or default_language()
    if lang not in SEARCH_LANGUAGES:
        raise tk.ValidationError({"lang": [f"one of {', '.join(SEARCH_LANGUAGES)}"]})
    try:
        limit = min(max(int(data_dict.get("limit", 8)), 1), MAX_LIMIT)
    except (TypeError, ValueError):
        raise tk.ValidationError({"limit": ["a whole number"]}) from None
    words = _WORD.findall(str(data_dict.get("q") or ""))
    if not words:
        return {"datasets": [], "keywords": []}

    response = make_connection().search(
        q=" ".join(words),
        defType="edismax",
        qf=f"suggest_{lang}",
        mm="100%",
        fq=[
            f"+site_id:{solr_literal(tk.config['ckan.site_id'])}",
            "+state:active",
            "+capacity:public",
            "+dataset_type:dataset",
        ],
        fl=f"name,title,title_{lang}",
        rows=limit,
        facet="true",
        **{"facet.field": f"keywords_{lang}", "facet.limit": 200, "facet.mincount": 1},
    )
    datasets = [
        {"name": doc["name"], "title": doc.get(f"title_{lang}") or doc.get("title", "")}
        for doc in response.docs
    ]
    counts = response.facets["facet_fields"].get(f"keywords_{lang}", [])
    typed = [fold(word) for word in words]
    keywords = [
        keyword
        for keyword in counts[::2]  # Solr's flat [value, count, value, count...]
        if _begins_with(fold(keyword), typed)
    ]
    return {"datasets": datasets, "keywords": keywords[:limit]}


def _begins_with(folded: str, typed: list[str]) -> bool:
    """Whether every typed word begins some word of ``folded``."""
    words = _WORD.findall(folded)
    return all(any(word.startswith(part) for word in words) for part in typed)


@tk.auth_allow_anonymous_access
def suggest_auth(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, bool]:
    """Anyone: suggestions come from public datasets only."""
    return {"success": True}
