"""Harvesting into the portal: ckanext-harvest plugins over the ``harvesters`` adapters.

- ``sources``: which adapter reads which source type, built with the site's safe HTTP.
- ``sync``: one harvest of one source - skip unchanged records, write changed ones in
  batches, withdraw vanished ones, keep every failure with its record.
- ``plugins``: the thin ``IHarvester`` classes ckanext-harvest runs.
"""
