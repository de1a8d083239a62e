"""Search in the portal's four languages: what is indexed, how it is queried, the facets.

- ``index``: the fields a dataset adds to CKAN's Solr document, one analysed text field
  per language (``config/solr``'s schema says how each is analysed).
- ``query``: how a visitor's words become an edismax query over those fields, their
  language first.
- ``facets``: the facets the catalogue offers and their labels in the visitor's language.
- ``suggest``: type-ahead suggestions for titles and keywords.
- ``plugin``: the ``wepulse_search`` plugin that wires them into CKAN. Without it the
  portal searches as stock CKAN does, which is what the benchmarks compare with.
"""
