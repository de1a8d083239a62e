"""Transparency: how good each dataset's metadata is (data.europa.eu's MQA), whether it
is updated on time, whether its links work, and what each authority publishes.

- ``mqa.py`` scores a dataset's DCAT-AP graph, indicator by indicator (pure);
- ``freshness.py`` says whether it is late against its declared frequency (pure);
- ``links.py`` checks URLs politely, host by host (no CKAN imports);
- ``model.py`` stores scores, link checks and each authority's daily figures;
- ``scoring.py`` and ``jobs.py`` keep them current from CKAN's job queue;
- ``authorities.py`` reads the stored figures per authority and per region;
- ``dqv.py`` publishes the measurements in DCAT-AP as W3C DQV;
- ``plugin.py``, ``actions.py``, ``views.py`` and ``cli.py`` plug it into CKAN.
"""
