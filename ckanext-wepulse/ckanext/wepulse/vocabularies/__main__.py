"""`python -m ckanext.wepulse.vocabularies licences-json`: CKAN's licence list
(``licenses_group_url``) made from licences.csv, so the licence field offers
the EU and Belgian licences and CKAN knows which are open."""

from __future__ import annotations

import json
import sys

from ckanext.wepulse.vocabularies import ckan_licence_register

if __name__ == "__main__":
    if sys.argv[1:] != ["licences-json"]:
        sys.exit("usage: python -m ckanext.wepulse.vocabularies licences-json")
    json.dump(ckan_licence_register(), sys.stdout, ensure_ascii=False, indent=1)
