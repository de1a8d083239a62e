"""Hostile input stays data: the portal's defences at its HTTP boundary.

- ``links``: the one decision whether a stored value may become a link.
- ``headers``: security headers on every page, and on served files.
- ``csrf``: CKAN's CSRF check also for anonymous form posts.
- ``limits``: request sizes and parameter lengths refused before any work.

``plugin.SecurityPlugin`` (``wepulse_security``) wires them into CKAN.
"""
