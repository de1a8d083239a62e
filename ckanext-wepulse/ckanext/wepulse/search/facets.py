"""The facets the catalogue offers, and their labels in the visitor's language.

The index holds codes (ECON, CSV, FRA, cpas...); a facet's values are labelled when
shown, from the vocabulary or the authority schema's choices, so a code's label can
change without a reindex.
"""

from __future__ import annotations

from typing import Any

from ckan import model
from ckanext.scheming.helpers import scheming_get_organization_schema

from ckanext.wepulse import vocabularies
from ckanext.wepulse.multilingual import in_language

__all__ = ["DATASET_FACETS", "AUTHORITY_FACETS", "facet_titles", "label_facets"]

# Solr field -> its title in each language, in the order the catalogue shows them.
_TITLES: dict[str, dict[str, str]] = {
    "organization": {"fr": "Autorité", "nl": "Overheid", "de": "Behörde", "en": "Authority"},
    "authority_type": {
        "fr": "Type d'autorité",
        "nl": "Soort overheid",
        "de": "Art der Behörde",
        "en": "Authority type",
    },
    "region": {"fr": "Région", "nl": "Gewest", "de": "Region", "en": "Region"},
    "theme": {"fr": "Thème", "nl": "Thema", "de": "Thema", "en": "Theme"},
    "format": {"fr": "Format", "nl": "Formaat", "de": "Format", "en": "Format"},
    "license_id": {"fr": "Licence", "nl": "Licentie", "de": "Lizenz", "en": "Licence"},
    "language": {"fr": "Langue", "nl": "Taal", "de": "Sprache", "en": "Language"},
    "inspire_theme": {
        "fr": "Thème INSPIRE",
        "nl": "INSPIRE-thema",
        "de": "INSPIRE-Thema",
        "en": "INSPIRE theme",
    },
    "hvd_category": {
        "fr": "Catégorie de données de forte valeur",
        "nl": "Categorie hoogwaardige datasets",
        "de": "Kategorie hochwertiger Datensätze",
        "en": "High-value dataset category",
    },
    "quality_band": {
        "fr": "Qualité des métadonnées",
        "nl": "Kwaliteit van de metadata",
        "de": "Qualität der Metadaten",
        "en": "Metadata quality",
    },
    "updated_on_time": {
        "fr": "Mise à jour",
        "nl": "Bijwerking",
        "de": "Aktualisierung",
        "en": "Updates",
    },
}
DATASET_FACETS: tuple[str, ...] = tuple(_TITLES)
# On an authority's own page, facets about the authority would have one value.
AUTHORITY_FACETS: tuple[str, ...] = tuple(
    f for f in DATASET_FACETS if f not in ("organization", "authority_type", "region")
)

# Facets whose codes come from a vocabulary.
_VOCABULARIES = {
    "theme": "data_themes",
    "format": "file_types",
    "license_id": "licences",
    "language": "languages",
    "hvd_category": "hvd_categories",
    "inspire_theme": "inspire_themes",
}
# Facets of the transparency (quality/plugin.py indexes them): value -> its labels.
_QUALITY_VALUES: dict[str, dict[str, dict[str, str]]] = {
    "quality_band": {
        "excellent": {
            "fr": "Excellente",
            "nl": "Uitstekend",
            "de": "Ausgezeichnet",
            "en": "Excellent",
        },
        "good": {"fr": "Bonne", "nl": "Goed", "de": "Gut", "en": "Good"},
        "sufficient": {
            "fr": "Suffisante",
            "nl": "Voldoende",
            "de": "Ausreichend",
            "en": "Sufficient",
        },
        "bad": {"fr": "Insuffisante", "nl": "Onvoldoende", "de": "Ungenügend", "en": "Bad"},
    },
    "updated_on_time": {
        "yes": {"fr": "À temps", "nl": "Op tijd", "de": "Rechtzeitig", "en": "On time"},
        "no": {"fr": "En retard", "nl": "Te laat", "de": "Verspätet", "en": "Late"},
    },
}
# Facets whose codes are choices of the authority schema.
_AUTHORITY_CHOICES = ("authority_type", "region")


def facet_titles(fields: tuple[str, ...], lang: str) -> dict[str, str]:
    """``{field: title}`` for CKAN's IFacets, in ``lang``."""
    return {field: _TITLES[field].get(lang) or _TITLES[field]["en"] for field in fields}


def label_facets(search_facets: dict[str, Any], lang: str) -> None:
    """Give each value of CKAN's ``search_facets`` its label in ``lang``, in place."""
    for field, facet in search_facets.items():
        items = facet.get("items") or []
        if field in _VOCABULARIES:
            vocabulary = vocabularies.load(_VOCABULARIES[field])
            for item in items:
                concept = vocabulary.lookup(item["name"])
                if concept:
                    item["display_name"] = concept.label(lang)
        elif field in _QUALITY_VALUES:
            for item in items:
                labels = _QUALITY_VALUES[field].get(item["name"])
                if labels:
                    item["display_name"] = labels.get(lang) or labels["en"]
        elif field in _AUTHORITY_CHOICES:
            labels = _choice_labels(field)
            for item in items:
                label = labels.get(item["name"])
                if label:
                    item["display_name"] = in_language(label, lang)[0]
        elif field == "organization":
            titles = _authority_titles([item["name"] for item in items])
            for item in items:
                title = in_language(titles.get(item["name"]), lang)[0]
                if title:
                    item["display_name"] = title


def _choice_labels(field: str) -> dict[str, dict[str, str]]:
    schema = scheming_get_organization_schema("organization") or {}
    for schema_field in schema.get("fields", []):
        if schema_field["field_name"] == field:
            return {c["value"]: c["label"] for c in schema_field.get("choices", [])}
    return {}


def _authority_titles(names: list[str]) -> dict[str, str]:
    """Each authority's translated title (JSON), by name, in one query."""
    if not names:
        return {}
    rows = (
        model.Session.query(model.Group.name, model.GroupExtra.value)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.name.in_(names), model.GroupExtra.key == "title_translated")
        .filter(model.GroupExtra.state == "active")
    )
    return dict(rows)
