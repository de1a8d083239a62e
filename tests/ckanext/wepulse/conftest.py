"""An authority and a multilingual dataset, as a Brussels municipality publishes them."""

from __future__ import annotations

import copy

import pytest
from ckan.plugins import toolkit as tk

from ckanext.wepulse.seeding import site_context

SCHAERBEEK = {
    "name": "schaerbeek",
    "title": "Schaerbeek / Schaarbeek",
    "title_translated": {"fr": "Schaerbeek", "nl": "Schaarbeek"},
    "nis_code": "21015",
    "authority_type": "municipality",
    "region": "brussels",
    "publisher_uri": "https://data.example.be/authority/schaerbeek",
}

TREES = {
    "name": "schaerbeek-arbres",
    "owner_org": "schaerbeek",
    "title_translated": {
        "fr": "Arbres d'alignement",
        "nl": "Laanbomen",
        "de": "Straßenbäume",
        "en": "Street trees",
    },
    "notes_translated": {
        "fr": "Inventaire des arbres d'alignement des voiries communales.",
        "nl": "Inventaris van de laanbomen langs de gemeentewegen.",
        "de": "Verzeichnis der Straßenbäume an Gemeindestraßen.",
        "en": "Inventory of the street trees along municipal roads.",
    },
    "tags_translated": {"fr": ["arbres", "environnement"], "nl": ["bomen"], "en": ["trees"]},
    "license_id": "cc-zero",
    "theme": ["ENVI"],
    "language": ["fr", "nl"],
    "frequency": "Annuel",
    "access_rights": "PUBLIC",
    "hvd_category": ["http://data.europa.eu/bna/c_dd313021"],
    "applicable_legislation": ["http://data.europa.eu/eli/reg_impl/2023/138/oj"],
    "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],
    "contact": [{"name": "Service Espaces verts", "email": "verts@schaerbeek.example"}],
    "resources": [
        {
            "name_translated": {"fr": "Inventaire 2023", "nl": "Inventaris 2023"},
            "description_translated": {"fr": "Un arbre par ligne.", "nl": "Eén boom per rij."},
            "url": "https://data.example.be/schaerbeek/arbres-2023.csv",
            "format": "csv",
            "mimetype": "text/csv",
            "size": 82000,
        }
    ],
}


@pytest.fixture
def schaerbeek(clean_db) -> dict:
    return tk.get_action("organization_create")(site_context(), copy.deepcopy(SCHAERBEEK))


@pytest.fixture
def trees(schaerbeek) -> dict:
    return tk.get_action("package_create")(site_context(), copy.deepcopy(TREES))
