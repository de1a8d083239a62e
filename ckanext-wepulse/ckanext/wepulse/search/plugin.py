from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from flask import has_request_context

from ckanext.wepulse.search import facets, index, query, suggest

_REQUEST = "wepulse_request"
# Marks results found allowing typos (and the second search, so it is the last).
_APPROXIMATE = "ext_approximate"


class SearchPlugin(p.SingletonPlugin):
    """Search in French, Dutch, German and English, with the portal's facets."""

    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        dataset = json.loads(pkg_dict["validated_data_dict"])
        for field in index.FACET_FIELDS:  # CKAN copied these from extras, as JSON text
            pkg_dict.pop(field, None)
        pkg_dict.update(index.search_fields(dataset, _authority(dataset.get("owner_org"))))
        return pkg_dict

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        # The request as asked, to ask again if nothing matches. CKAN keeps "extras"
        # out of the Solr query and hands it back to after_dataset_search.
        extras = search_params.setdefault("extras", {})
        extras[_REQUEST] = {k: v for k, v in search_params.items() if k not in ("extras", "df")}
        return query.multilingual_query(search_params, _visitor_language(search_params))

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        extras = search_params.get("extras") or {}
        retry = query.approximate_query(search_params.get("q"))
        if search_results["count"] == 0 and retry and _APPROXIMATE not in extras:
            # Nothing matched: a typo? Ask again allowing one, and say so.
            request = extras[_REQUEST]
            again = {k: v for k, v in extras.items() if k.startswith("ext_")}
            search_results = tk.get_action("package_search")(
                {}, {**request, **again, "q": retry, _APPROXIMATE: True}
            )
            search_results["approximate"] = True
            if has_request_context():  # for the search page's notice
                tk.g.wepulse_approximate = True
            return search_results  # labelled by its own after_dataset_search
        facets.label_facets(
            search_results.get("search_facets", {}), _visitor_language(search_params)
        )
        return search_results

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return facets.facet_titles(facets.DATASET_FACETS, _visitor_language({}))

    def organization_facets(self, facets_dict, organization_type, package_type):
        return facets.facet_titles(facets.AUTHORITY_FACETS, _visitor_language({}))

    # ITemplateHelpers
    def get_helpers(self):
        return {"wepulse_approximate_notice": _approximate_notice}

    # IActions, IAuthFunctions
    def get_actions(self):
        return {"wepulse_suggest": suggest.wepulse_suggest}

    def get_auth_functions(self):
        return {"wepulse_suggest": suggest.suggest_auth}


# Shown above results found allowing typos.
_APPROXIMATE_NOTICE = {
    "fr": "Aucun jeu de données ne contient exactement ces mots : "
    "voici ceux dont l'orthographe est proche.",
    "nl": "Geen dataset bevat precies deze woorden: "
    "dit zijn de datasets met een gelijkaardige spelling.",
    "de": "Kein Datensatz enthält genau diese Wörter: "
    "hier sind die Datensätze mit ähnlicher Schreibweise.",
    "en": "No dataset contains exactly these words: these are the ones with a close spelling.",
}


def _approximate_notice() -> str | None:
    if not tk.g.get("wepulse_approximate"):
        return None
    return _APPROXIMATE_NOTICE.get(_visitor_language({}), _APPROXIMATE_NOTICE["en"])


def _visitor_language(search_params: dict[str, Any]) -> str:
    """``ext_lang`` if an API client gave one, else the page's language."""
    lang = (search_params.get("extras") or {}).get("ext_lang")
    if lang in index.SEARCH_LANGUAGES:
        return lang
    try:
        return tk.h.lang() or tk.config["ckan.locale_default"]
    except (RuntimeError, TypeError, AttributeError):  # outside a request: a job, the CLI
        return tk.config["ckan.locale_default"]


# While many datasets are indexed at once, each authority is read once, not per dataset.
_authorities: ContextVar[dict[str, dict[str, Any] | None] | None] = ContextVar(
    "wepulse_authorities", default=None
)


@contextlib.contextmanager
def authorities_read_once() -> Iterator[None]:
    """Within the block, an authority read for one dataset's document serves the next."""
    token = _authorities.set({})
    try:
        yield
    finally:
        _authorities.reset(token)


def _authority(owner_org: str | None) -> dict[str, Any] | None:
    """The publishing organization's title and scheming fields (stored as extras)."""
    read = _authorities.get()
    if read is not None and owner_org in read:
        return read[owner_org]
    group = model.Group.get(owner_org) if owner_org else None
    authority = None
    if group is not None:
        authority = {"name": group.name, "title": group.title, **dict(group.extras)}
    if read is not None and owner_org:
        read[owner_org] = authority
    return authority
