"""The catalogue's pages (/catalog.ttl, .rdf, .jsonld, .n3), made from the stored
DCAT-AP texts the dump streams instead of graphs rebuilt on every request.

ckanext-dcat builds each dataset's graph anew for every page: about 50 ms a dataset
with its quality measurements, then rdflib's Turtle writer over the whole page, so
a page of 100 took seconds of a web worker and a few harvesters at once held them
all. The datasets, their order and the paging are still ckanext-dcat's (its search,
so its permissions and `modified_since`); only their text comes from storage.
Turtle pages are the stored pieces concatenated (Turtle allows its prefixes to be
declared again); other formats are the stored N-Triples rewritten by Oxigraph,
which does in a tenth of a second what rdflib's writers take seconds for.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pyoxigraph as ox
from ckan.types import Context, DataDict
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import CONTENT_TYPES, DCAT_EXPOSE_SUBCATALOGS, url_to_rdflib_format

from ckanext.wepulse.dcat_ap.dump import FORMATS, dataset_texts
from ckanext.wepulse.quality.dqv import DQV, PV

__all__ = ["dcat_catalog_show", "dcat_dataset_show"]

# ckanext-dcat's format names (utils.url_to_rdflib_format) other than Turtle.
REWRITTEN = {
    "pretty-xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}


def _known_format(data_dict: DataDict) -> None:
    """A format ckanext-dcat's endpoints can answer with, else a 409 that names them
    (ckanext-dcat itself fails with a 500 on /catalog.anything)."""
    fmt = data_dict.get("format")
    if fmt and not (isinstance(fmt, str) and fmt in CONTENT_TYPES):  # the API takes any JSON
        known = ", ".join(sorted(CONTENT_TYPES))
        raise tk.ValidationError(
            {"format": [tk._("Unknown format; one of: {formats}").format(formats=known)]}
        )


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(up_func: Any, context: Context, data_dict: DataDict) -> str:
    _known_format(data_dict)
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up_func: Any, context: Context, data_dict: DataDict) -> str:
    _known_format(data_dict)
    if data_dict.get("profiles") or tk.asbool(tk.config.get(DCAT_EXPOSE_SUBCATALOGS)):
        return up_func(context, data_dict)  # not what is stored: built as ckanext-dcat does
    tk.check_access("dcat_catalog_show", context, data_dict)
    # ckanext-dcat's own search and paging (private to its logic module, pinned version).
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    package_ids = [dataset["id"] for dataset in query["results"]]
    page = RDFSerializer()
    page.graph_from_catalog()
    page._add_pagination_triples(dcat_logic._pagination_info(query, data_dict))
    rdflib_format = url_to_rdflib_format(data_dict.get("format") or "xml")
    if rdflib_format == FORMATS["ttl"]:
        head = page.g.serialize(format=rdflib_format)
        return head + "".join(dataset_texts("ttl", package_ids))
    pieces = [page.g.serialize(format="nt11"), *dataset_texts("nt", package_ids)]
    triples = [
        triple
        for piece in pieces
        for triple in ox.parse(piece.encode(), ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True)
    ]
    page.g.bind("dqv", DQV)  # the quality measurements: most of a page's triples
    page.g.bind("pv", PV)
    prefixes = {prefix: str(namespace) for prefix, namespace in page.g.namespaces()}
    prefixes.pop("xml", None)  # XML's own, never declared
    return ox.serialize(triples, format=REWRITTEN[rdflib_format], prefixes=prefixes).decode()
