"""The portal's DCAT-AP profile, chained after ckanext-dcat's ``euro_dcat_ap_3``.

It adds only what the portal owns: the publishing authority as dct:publisher
(its IRI, its names in each language), the authority's territory as
dct:spatial by NIS code when a dataset gives none, and controlled-vocabulary
IRIs for licences, file types and media types where CKAN keeps short codes.
Parsing does the reverse, so harvested DCAT-AP lands in our schema.
"""

from __future__ import annotations

import json
import time
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import DCAT, DCATAP, DCT, FOAF, SKOS
from rdflib import RDF, Literal, URIRef

from ckanext.wepulse import multilingual, vocabularies
from ckanext.wepulse.authorities import refnis_iri

__all__ = ["WepulseDCATAPProfile"]

# ADMS publisher types used here, with their labels (a skos:Concept needs one).
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
REGIONAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
PUBLISHER_TYPE_LABELS = {
    LOCAL_AUTHORITY: {
        "en": "Local Authority",
        "fr": "Autorité locale",
        "nl": "Lokaal bestuur",
        "de": "Lokale Behörde",
    },
    REGIONAL_AUTHORITY: {
        "en": "Regional Authority",
        "fr": "Autorité régionale",
        "nl": "Regionaal bestuur",
        "de": "Regionale Behörde",
    },
}
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# Belgian portals (data.gov.be) use Belgif's copy of the EU data themes.
BELGIF_THEMES = "http://vocab.belgif.be/auth/datatheme/"
BELGIF_ONLY_THEMES = {"CULT": "EDUC"}  # EU: "Education, culture and sport"


# ckanext-dcat makes a new profile per dataset: authorities are cached here,
# briefly, so a catalogue page or a dump asks for each authority once.
AUTHORITY_CACHE_SECONDS = 60.0
_authorities: dict[str, tuple[float, dict[str, Any]]] = {}


def _authority(organization_id: str | None) -> dict[str, Any] | None:
    if not organization_id:
        return None
    cached = _authorities.get(organization_id)
    if cached and time.monotonic() - cached[0] < AUTHORITY_CACHE_SECONDS:
        return cached[1] or None
    try:
        authority = tk.get_action("organization_show")(
            {"ignore_auth": True},
            {
                "id": organization_id,
                "include_datasets": False,
                "include_users": False,
                "include_extras": True,
            },
        )
    except tk.ObjectNotFound:
        authority = {}
    _authorities[organization_id] = (time.monotonic(), authority)
    return authority or None


def forget_authority(organization_id: str) -> None:
    _authorities.pop(organization_id, None)


class WepulseDCATAPProfile(RDFProfile):
    # Output

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        authority = _authority(dataset_dict.get("owner_org"))
        if authority and not dataset_dict.get("publisher"):
            self._set_publisher(dataset_ref, authority)
        if (
            authority
            and authority.get("nis_code")
            and not any(self.g.objects(dataset_ref, DCT.spatial))
        ):
            territory = URIRef(refnis_iri(authority["nis_code"]))
            self.g.add((dataset_ref, DCT.spatial, territory))
            self.g.add((territory, RDF.type, DCT.Location))
        self._describe_concepts(dataset_ref)
        licence = vocabularies.load("licences").lookup(dataset_dict.get("license_id") or "")
        landing_page = self.g.value(dataset_ref, DCAT.landingPage)
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            self._vocabulary_iris(distribution)
            # A distribution harvested without a link (its source described it
            # elsewhere) is reached through the dataset's landing page or,
            # failing that, its own IRI at the source: DCAT-AP requires one.
            if not any(self.g.objects(distribution, DCAT.accessURL)):
                fallback = landing_page or (
                    distribution
                    if str(distribution).startswith(("http://", "https://"))
                    and not str(distribution).startswith(self._site_url())
                    else None
                )
                if fallback:
                    self.g.add((distribution, DCAT.accessURL, URIRef(str(fallback))))
            # DCAT-AP puts the licence on distributions; CKAN keeps it on the dataset.
            if licence and not any(self.g.objects(distribution, DCT.license)):
                self.g.add((distribution, DCT.license, URIRef(licence.uri)))
                self.g.add((URIRef(licence.uri), RDF.type, DCT.LicenseDocument))

    def _describe_concepts(self, dataset_ref: URIRef) -> None:
        """Themes and HVD categories are skos:Concepts (DCAT-AP's range), with
        their labels, so a harvester needs no vocabulary of its own to show them."""
        for predicate, name in (
            (DCAT.theme, "data_themes"),
            (DCATAP.hvdCategory, "hvd_categories"),
        ):
            vocabulary = vocabularies.load(name)
            for value in self.g.objects(dataset_ref, predicate):
                self.g.add((value, RDF.type, SKOS.Concept))
                concept = vocabulary.get(str(value))
                if concept:
                    self.g.add((value, SKOS.inScheme, URIRef(vocabulary.scheme)))
                    for lang, label in concept.labels.items():
                        self.g.add((value, SKOS.prefLabel, Literal(label, lang=lang)))

    def _set_publisher(self, dataset_ref: URIRef, authority: dict[str, Any]) -> None:
        """The authority, in place of ckanext-dcat's fallback from the organization."""
        for fallback in list(self.g.objects(dataset_ref, DCT.publisher)):
            self.g.remove((dataset_ref, DCT.publisher, fallback))
            if not any(self.g.subjects(DCT.publisher, fallback)):
                self.g.remove((fallback, None, None))
        publisher = URIRef(authority.get("publisher_uri") or self._organization_uri(authority))
        self.g.add((dataset_ref, DCT.publisher, publisher))
        self.g.add((publisher, RDF.type, FOAF.Agent))
        names = multilingual.parse_translated(authority.get("title_translated"))
        for lang, name in names.items():
            self.g.add((publisher, FOAF.name, Literal(name, lang=lang)))
        if not names:
            self.g.add((publisher, FOAF.name, Literal(authority["title"])))
        kind = (
            REGIONAL_AUTHORITY
            if authority.get("authority_type") == "regional_body"
            else LOCAL_AUTHORITY
        )
        self.g.add((publisher, DCT.type, kind))
        self.g.add((kind, RDF.type, SKOS.Concept))
        for lang, label in PUBLISHER_TYPE_LABELS[kind].items():
            self.g.add((kind, SKOS.prefLabel, Literal(label, lang=lang)))
        if authority.get("email"):
            self.g.add((publisher, FOAF.mbox, URIRef("mailto:" + authority["email"])))
        if authority.get("website"):
            self.g.add((publisher, FOAF.homepage, URIRef(authority["website"])))

    @staticmethod
    def _site_url() -> str:
        return tk.config.get("ckan.site_url").rstrip("/")

    def _organization_uri(self, authority: dict[str, Any]) -> str:
        return self._site_url() + "/organization/" + authority["name"]

    def _vocabulary_iris(self, distribution: URIRef) -> None:
        """Short codes CKAN keeps ("CSV", "text/csv", "cc-by") as vocabulary IRIs."""
        file_types = vocabularies.load("file_types")
        for value in list(self.g.objects(distribution, DCT["format"])):
            concept = file_types.lookup(str(value))
            if isinstance(value, Literal) and concept:
                self._replace(
                    distribution, DCT["format"], value, URIRef(concept.uri), DCT.MediaTypeOrExtent
                )
        for value in list(self.g.objects(distribution, DCAT.mediaType)):
            if isinstance(value, Literal) and "/" in str(value):
                self._replace(
                    distribution,
                    DCAT.mediaType,
                    value,
                    URIRef(IANA_MEDIA_TYPES + str(value).strip()),
                    DCT.MediaType,
                )
        licences = vocabularies.load("licences")
        for value in list(self.g.objects(distribution, DCT.license)):
            concept = licences.lookup(str(value))
            if concept and str(value) != concept.uri:
                self._replace(
                    distribution, DCT.license, value, URIRef(concept.uri), DCT.LicenseDocument
                )

    def _replace(self, subject, predicate, old, new: URIRef, rdf_class: URIRef) -> None:
        self.g.remove((subject, predicate, old))
        if isinstance(old, URIRef) and not any(self.g.subjects(None, old)):
            self.g.remove((old, None, None))
        self.g.add((subject, predicate, new))
        self.g.add((new, RDF.type, rdf_class))

    # Input

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        """Vocabulary IRIs back to what our schema stores; unknown values are kept
        as given, for validation to report."""
        themes = vocabularies.load("data_themes")
        dataset_dict["theme"] = list(
            dict.fromkeys(
                _concept_uri(themes, _eu_theme(t)) for t in _as_list(dataset_dict.get("theme"))
            )
        )
        if dataset_dict.get("tags_translated"):
            # Our keywords are tags_translated; CKAN's tag rules would refuse
            # real ones (apostrophes), so ckanext-dcat's copy is not kept.
            dataset_dict.pop("tags", None)
        file_types = vocabularies.load("file_types")
        licences = vocabularies.load("licences")
        for resource in dataset_dict.get("resources", []):
            file_type = file_types.lookup(resource.get("format") or "")
            if file_type:
                resource["format"] = file_type.code
            licence = licences.lookup(resource.get("license") or "")
            if licence and not dataset_dict.get("license_id"):
                dataset_dict["license_id"] = licence.extra.get("ckan_id") or licence.code
        return dataset_dict


def _eu_theme(theme: str) -> str:
    """The EU data theme a harvested theme means. Belgian portals use Belgif's
    copy of the EU themes, with its own CULT, and both write sub-themes as
    fragments (…/data-theme/EDUC#SPORT): the theme is the part before."""
    theme = theme.split("#")[0]
    if theme.startswith(BELGIF_THEMES):
        code = theme[len(BELGIF_THEMES) :]
        return BELGIF_ONLY_THEMES.get(code, code)
    return theme


def _concept_uri(vocabulary: vocabularies.Vocabulary, value: str) -> str:
    concept = vocabulary.lookup(value)
    return concept.uri if concept else value


def _as_list(value: Any) -> list[str]:
    """ckanext-dcat hands list fields over as lists or as JSON text."""
    if not value:
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        value = json.loads(value)
    return value if isinstance(value, list) else [value]
