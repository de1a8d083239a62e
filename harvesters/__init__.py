"""Source adapters: fetch and map what authorities publish elsewhere.

Plain Python that imports nothing from CKAN, so adapters run and are tested
without a portal; ckanext.wepulse's harvest plugins are thin shims over them.
"""
