"""An authority and a multilingual dataset, as a Brussels municipality publishes them;
and harvest sources served from a fixture server on loopback."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers

from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer

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


# -- pages ----------------------------------------------------------------------
def page(app, url: str) -> BeautifulSoup:
    response = app.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


# -- harvest sources on a fixture server --------------------------------------------

TURTLE = "text/turtle"


@pytest.fixture
def authority(clean_db, clean_index):
    """The municipality that owns the harvest sources of a test."""
    return factories.Organization(name="ixelles", title="Ixelles / Elsene")


def catalogue(*datasets: tuple[str, str], next_page: str | None = None) -> bytes:
    """A DCAT catalogue page in Turtle: (IRI suffix, French title) per dataset."""
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .",
        "<http://example.be/catalogue> a dcat:Catalog ;",
        "  dct:title 'Catalogue'@fr ;",
        "  dcat:dataset " + ", ".join(f"<http://example.be/ds/{key}>" for key, _ in datasets),
        " ." if datasets else "",
    ]
    if not datasets:
        lines[-2] = "  dct:description 'vide'@fr ."
    for key, title in datasets:
        lines += [
            f"<http://example.be/ds/{key}> a dcat:Dataset ;",
            f"  dct:title {json.dumps(title)}@fr ;",
            f"  dct:description {json.dumps('Données de la commune : ' + title)}@fr ;",
            "  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;",
            f"  dcat:distribution <http://example.be/dist/{key}> .",
            f"<http://example.be/dist/{key}> a dcat:Distribution ;",
            f"  dcat:accessURL <http://example.be/files/{key}.csv> ;",
            "  dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> .",
        ]
    if next_page:
        lines.append(f"<http://example.be/catalogue> hydra:next <{next_page}> .")
    return "\n".join(lines).encode("utf-8")


def turtle(body: bytes):
    return lambda _query: (200, TURTLE, body)


def allowing(server: FixtureServer):
    """Harvests may reach exactly this fixture server (test.ini allows only the demo's)."""
    return helpers.changed_config(
        "ckanext.wepulse.harvest.allow_private", server.url.removeprefix("http://")
    )


def make_source(
    server: FixtureServer,
    authority: dict[str, Any],
    name: str,
    path: str,
    source_type: str = "wepulse_dcat",
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A harvest source of ``authority`` reading ``path`` on ``server``."""
    return tk.get_action("harvest_source_create")(
        site_context(),
        {
            "name": name,
            "title": f"Source {name}",
            "url": server.url + path,
            "source_type": source_type,
            "owner_org": authority["id"],
            "frequency": "MANUAL",
            "config": json.dumps(config or {}),
        },
    )


def harvested(source: dict[str, Any]) -> dict[str, dict]:
    """The source's active datasets, by original identifier."""
    datasets = tk.get_action("package_search")(
        site_context(),
        {"fq": f'harvest_source_title:"{source["title"]}"', "rows": 1000},
    )["results"]
    return {d["harvest_guid"]: d for d in datasets}
