"""The portal's DCAT-AP profile, chained after ckanext-dcat's ``euro_dcat_ap_3``.

It adds only what the portal owns: the publishing authority as dct:publisher
(its IRI, its names in each language), the authority's territory as
dct:spatial by NIS code when a dataset it describes itself gives none (never
for a harvested one: its source did not say), and controlled-vocabulary IRIs
for licences, file types and media types where CKAN keeps short codes. The
catalogue itself is described as DCAT-AP wants it: its publisher (the
``ckanext.wepulse.catalogue.*`` settings), its title and description in each
language, its languages as EU IRIs. Parsing does the reverse, so harvested
DCAT-AP lands in our schema.
"""

from __future__ import annotations

import json
import time
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCATAP, DCT, FOAF, SKOS, CleanedURIRef
from ckanext.dcat.utils import resource_uri
from rdflib import RDF, Literal, URIRef

from ckanext.wepulse import multilingual, vocabularies
from ckanext.wepulse.authorities import refnis_iri
from ckanext.wepulse.authorities.identity import identifier_key
from ckanext.wepulse.dcat_ap import conformance
from ckanext.wepulse.uploads.model import Table
from harvesters import language

__all__ = ["chain_input", "WepulseDCATAPProfile"]

# ADMS publisher types used here, with their labels (a skos:Concept needs one).
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
REGIONAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
#: The publisher type of each authority type (other public bodies: not known; an
#: organization without a type is taken for a local authority, as the portal's are).
PUBLISHER_TYPES = {
    "municipality": LOCAL_AUTHORITY,
    "cpas": LOCAL_AUTHORITY,
    "regional_body": REGIONAL_AUTHORITY,
}
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
# The other ADMS publisher types harvested publishers have, with ADMS's English labels
# (a skos:Concept needs a label).
ADMS_PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"
PUBLISHER_TYPE_LABELS |= {
    URIRef(ADMS_PUBLISHER_TYPES + code): {"en": label}
    for code, label in (
        ("Academia-ScientificOrganisation", "Academia/Scientific organisation"),
        ("Company", "Company"),
        ("IndustryConsortium", "Industry consortium"),
        ("NationalAuthority", "National authority"),
        ("NonGovernmentalOrganisation", "Non-Governmental Organisation"),
        ("NonProfitOrganisation", "Non-Profit Organisation"),
        ("PrivateIndividual(s)", "Private Individual(s)"),
        ("StandardisationBody", "Standardisation body"),
        ("SupraNationalAuthority", "Supra-national authority"),
    )
}
# The EU vocabularies of a distribution's planned availability and status, with their
# English labels: the concepts harvested values and our own are described with.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
CONCEPT_LABELS = PUBLISHER_TYPE_LABELS | {
    URIRef(EU_AUTHORITY + path): {"en": label}
    for path, label in (
        ("planned-availability/AVAILABLE", "available"),
        ("planned-availability/EXPERIMENTAL", "experimental"),
        ("planned-availability/STABLE", "stable"),
        ("planned-availability/TEMPORARY", "temporary"),
        ("distribution-status/COMPLETED", "Completed"),
        ("distribution-status/DEPRECATED", "Deprecated"),
        ("distribution-status/DEVELOP", "Under development"),
        ("distribution-status/WITHDRAWN", "Withdrawn"),
    )
}
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# ckanext-dcat types every distribution's licence as of unknown IPR, a placeholder of
# its own ("TODO: add an actual field"): not something the licence's author said.
UNKNOWN_IPR = URIRef("http://purl.org/adms/licencetype/UnknownIPR")
# Belgian portals (data.gov.be) use Belgif's copy of the EU data themes.
BELGIF_THEMES = "http://vocab.belgif.be/auth/datatheme/"
BELGIF_ONLY_THEMES = {"CULT": "EDUC"}  # EU: "Education, culture and sport"
#: The languages the catalogue is described in (``ckanext.wepulse.catalogue.*.<lang>``).
CATALOGUE_LANGUAGES = ("fr", "nl", "de", "en")
# Machine translations (dct:title "…"@nl-t-fr) have fields of their own, beside the
# originals' translated field: (translated field, machine-translated field, property).
MACHINE_TRANSLATED = (
    ("title_translated", "title_machine_translated", DCT.title),
    ("notes_translated", "notes_machine_translated", DCT.description),
)
#: DCAT-AP requires a description. A harvested dataset whose source gave none keeps
#: none (nothing is made up); its DCAT-AP says so, in the catalogue's languages.
NO_DESCRIPTION = {
    "fr": "L'éditeur n'a pas fourni de description de ce jeu de données.",
    "nl": "De uitgever heeft geen beschrijving van deze dataset gegeven.",
    "de": "Der Herausgeber hat keine Beschreibung dieses Datensatzes angegeben.",
    "en": "The publisher gave no description of this dataset.",
}
RESOURCE_MACHINE_TRANSLATED = (
    ("name_translated", "name_machine_translated", DCT.title),
    ("description_translated", "description_machine_translated", DCT.description),
)


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
            # Its own fields only: counting its datasets and followers costs a Solr
            # query and more, each time a batch meets an authority.
            {
                "id": organization_id,
                "include_datasets": False,
                "include_dataset_count": False,
                "include_users": False,
                "include_groups": False,
                "include_tags": False,
                "include_followers": False,
                "include_extras": True,
            },
        )
    except tk.ObjectNotFound:
        authority = {}
    _authorities[organization_id] = (time.monotonic(), authority)
    return authority or None


def forget_authority(organization_id: str) -> None:
    _authorities.pop(organization_id, None)


def chain_input(dataset_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset as the profile chain is given it to write its graph. A dataset of a
    known authority and no publisher of its own gets the authority as publisher here
    (``_set_publisher``), so ckanext-dcat is not given the organization to make a
    publisher of: it would ask for it with a full organization_show, counts and all."""
    if dataset_dict.get("publisher") or not _authority(dataset_dict.get("owner_org")):
        return dataset_dict
    return {**dataset_dict, "organization": None}


class WepulseDCATAPProfile(RDFProfile):
    # Output

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        """The portal's own dcat:Catalog: titled and described in each language, its
        languages as EU IRIs, its homepage a foaf:Document, and its publisher."""
        for predicate in (DCT.title, DCT.description, DCT.language, DCT.publisher):
            self.g.remove((catalog_ref, predicate, None))
        for predicate, setting in ((DCT.title, "title"), (DCT.description, "description")):
            for lang, text in _catalogue_texts(setting).items():
                self.g.add((catalog_ref, predicate, Literal(text, lang=lang)))
        languages = vocabularies.load("languages")
        for code in CATALOGUE_LANGUAGES:
            language = URIRef(languages.lookup(code).uri)
            self.g.add((catalog_ref, DCT.language, language))
            self.g.add((language, RDF.type, DCT.LinguisticSystem))
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))
        publisher = URIRef(
            tk.config.get("ckanext.wepulse.catalogue.publisher_uri")
            or self._site_url() + "/about#publisher"
        )
        self.g.add((catalog_ref, DCT.publisher, publisher))
        self.g.add((publisher, RDF.type, FOAF.Agent))
        for lang, name in _catalogue_texts("publisher_name").items():
            self.g.add((publisher, FOAF.name, Literal(name, lang=lang)))

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        authority = _authority(dataset_dict.get("owner_org"))
        if authority and not dataset_dict.get("publisher"):
            self._set_publisher(dataset_ref, authority)
        elif authority:
            self._name_nameless_publishers(dataset_ref, authority)
        if (
            authority
            and authority.get("nis_code")
            and not _harvested(dataset_dict)
            and not any(self.g.objects(dataset_ref, DCT.spatial))
        ):
            territory = URIRef(refnis_iri(authority["nis_code"]))
            self.g.add((dataset_ref, DCT.spatial, territory))
            self.g.add((territory, RDF.type, DCT.Location))
        self._describe_concepts(dataset_ref)
        self._describe_known_concepts(dataset_ref)
        self._add_machine_translations(dataset_dict, dataset_ref)
        self._add_other_languages(dataset_dict, dataset_ref)
        if not any(self.g.objects(dataset_ref, DCT.description)):
            for lang, notice in NO_DESCRIPTION.items():
                self.g.add((dataset_ref, DCT.description, Literal(notice, lang=lang)))
        licence = vocabularies.load("licences").lookup(dataset_dict.get("license_id") or "")
        landing_page = self.g.value(dataset_ref, DCAT.landingPage)
        for resource in dataset_dict.get("resources") or []:
            distribution = CleanedURIRef(resource_uri(resource))
            for address in _as_list(resource.get("access_urls")):
                self.g.add((distribution, DCAT.accessURL, URIRef(address)))
            # A file uploaded to the portal is one click away: its URL is a download
            # URL too (DCAT-AP: "a direct link to a downloadable file").
            if resource.get("url_type") == "upload" and resource.get("url"):
                if not any(self.g.objects(distribution, DCAT.downloadURL)):
                    self.g.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))
            if Table.published_dictionary(resource.get("id") or ""):
                self._add_table_schema(dataset_dict, resource, distribution)
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            for distribution_licence in self.g.objects(distribution, DCT.license):
                self.g.remove((distribution_licence, DCT.type, UNKNOWN_IPR))
            self._vocabulary_iris(distribution)
            # DCAT-AP requires an access URL. A distribution given only a download URL
            # is accessed there (DCAT-AP's usage note); one harvested without a link
            # (its source described it elsewhere) through the dataset's landing page
            # or, failing that, its own IRI at the source.
            if not any(self.g.objects(distribution, DCAT.accessURL)):
                fallback = (
                    self.g.value(distribution, DCAT.downloadURL)
                    or landing_page
                    or (
                        distribution
                        if str(distribution).startswith(("http://", "https://"))
                        and not str(distribution).startswith(self._site_url())
                        else None
                    )
                )
                if fallback:
                    self.g.add((distribution, DCAT.accessURL, URIRef(str(fallback))))
            # DCAT-AP puts the licence on distributions; CKAN keeps it on the dataset.
            if licence and not any(self.g.objects(distribution, DCT.license)):
                self.g.add((distribution, DCT.license, URIRef(licence.uri)))
                self.g.add((URIRef(licence.uri), RDF.type, DCT.LicenseDocument))
        # A harvested dataset's gaps are its source's: its export is fitted to DCAT-AP.
        # One the authority describes itself is exported as it is, so that validation
        # shows its editors what to correct.
        if _harvested(dataset_dict):
            conformance.conform(self.g, dataset_ref)

    def _add_machine_translations(self, dataset_dict: dict[str, Any], dataset_ref: URIRef):
        """Machine translations with a tag of their own (dct:title "…"@nl-t-fr), so
        whoever harvests us can tell them from the originals."""
        items = [(dataset_ref, dataset_dict, MACHINE_TRANSLATED)] + [
            (CleanedURIRef(resource_uri(resource)), resource, RESOURCE_MACHINE_TRANSLATED)
            for resource in dataset_dict.get("resources") or []
        ]
        for subject, item, fields in items:
            for _translated, machine_translated, predicate in fields:
                translations = multilingual.machine_translations(item.get(machine_translated))
                for lang, translation in translations.items():
                    tag = language.machine_translation_tag(lang, translation["from"])
                    self.g.add((subject, predicate, Literal(translation["text"], lang=tag)))

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

    def _describe_known_concepts(self, dataset_ref: URIRef) -> None:
        """ADMS publisher types, planned availabilities and statuses (as harvested, or
        ours) are labelled skos:Concepts, DCAT-AP's range; ``conformance`` leaves
        unknown ones out of the export."""
        near = set(self.g.objects(dataset_ref, None))
        near |= {o for node in near for o in self.g.objects(node, None)}
        for concept in near:
            for lang, label in CONCEPT_LABELS.get(concept, {}).items():
                self.g.add((concept, RDF.type, SKOS.Concept))
                self.g.add((concept, SKOS.prefLabel, Literal(label, lang=lang)))

    def _add_other_languages(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Titles and descriptions in languages the portal does not publish in are kept
        aside (``unmapped``), and exported as the source wrote them."""
        unmapped = dataset_dict.get("unmapped") or {}
        for field, predicate in (
            ("title_translated", DCT.title),
            ("notes_translated", DCT.description),
        ):
            for place, text in unmapped.items() if isinstance(unmapped, dict) else ():
                lang = place.removeprefix(field + ".")
                if lang != place and isinstance(text, str) and text.strip():
                    self.g.add((dataset_ref, predicate, Literal(text, lang=lang)))

    def _set_publisher(self, dataset_ref: URIRef, authority: dict[str, Any]) -> None:
        """The authority, in place of ckanext-dcat's fallback from the organization."""
        for fallback in list(self.g.objects(dataset_ref, DCT.publisher)):
            self.g.remove((dataset_ref, DCT.publisher, fallback))
            if not any(self.g.subjects(DCT.publisher, fallback)):
                self.g.remove((fallback, None, None))
        publisher = URIRef(authority.get("publisher_uri") or self._organization_uri(authority))
        self.g.add((dataset_ref, DCT.publisher, publisher))
        self.g.add((publisher, RDF.type, FOAF.Agent))
        self._add_names(publisher, authority)
        authority_type = authority.get("authority_type")
        kind = PUBLISHER_TYPES.get(authority_type) if authority_type else LOCAL_AUTHORITY
        if kind:  # described by _describe_known_concepts
            self.g.add((publisher, DCT.type, kind))
        if authority.get("email"):
            self.g.add((publisher, FOAF.mbox, URIRef("mailto:" + authority["email"])))
        if authority.get("website"):
            self.g.add((publisher, FOAF.homepage, URIRef(authority["website"])))

    def _add_names(self, publisher: Any, authority: dict[str, Any]) -> None:
        names = multilingual.parse_translated(authority.get("title_translated"))
        for lang, name in names.items():
            self.g.add((publisher, FOAF.name, Literal(name, lang=lang)))
        if not names:
            self.g.add((publisher, FOAF.name, Literal(authority["title"])))

    def _name_nameless_publishers(self, dataset_ref: URIRef, authority: dict[str, Any]) -> None:
        """A publisher the dataset gives without a name is named after its authority
        when it is that authority: no IRI, or one the authority is known by."""
        own = {
            identifier_key(value)
            for value in [authority.get("publisher_uri"), *(authority.get("identifiers") or [])]
        }
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            if any(self.g.objects(publisher, FOAF.name)):
                continue
            if isinstance(publisher, URIRef) and identifier_key(str(publisher)) not in own - {None}:
                continue
            self._add_names(publisher, authority)

    def _add_table_schema(
        self, dataset_dict: dict[str, Any], resource: dict[str, Any], distribution: URIRef
    ) -> None:
        """A table the publisher described conforms to its data dictionary, published
        as a Frictionless Table Schema."""
        schema = URIRef(
            f"{self._site_url()}/dataset/{dataset_dict['name']}/resource/"
            f"{resource['id']}/table/schema.json"
        )
        self.g.add((distribution, DCT.conformsTo, schema))
        self.g.add((schema, RDF.type, DCT.Standard))
        self.g.add((schema, DCT.title, Literal("Table Schema", lang="en")))

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
        as given, for validation to report. Machine translations go to their own fields."""
        _machine_translations_apart(dataset_dict, MACHINE_TRANSLATED)
        identifiers = [
            self._identifier(node) for node in self.g.objects(dataset_ref, ADMS.identifier)
        ]
        if identifiers:
            dataset_dict["alternate_identifier"] = list(dict.fromkeys(identifiers))
        for resource in dataset_dict.get("resources", []):
            _machine_translations_apart(resource, RESOURCE_MACHINE_TRANSLATED)
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
        self._addresses_not_labels(dataset_ref, dataset_dict.get("resources", []))
        file_types = vocabularies.load("file_types")
        licences = vocabularies.load("licences")
        for resource in dataset_dict.get("resources", []):
            file_type = file_types.lookup(resource.get("format") or "")
            if file_type:
                resource["format"] = file_type.code
            licence = licences.lookup(resource.get("license") or "")
            if licence and not dataset_dict.get("license_id"):
                dataset_dict["license_id"] = licence.extra.get("ckan_id") or licence.code
        # A licence on the dataset itself (as DCAT-AP 1 and opendata.swiss write it),
        # which ckanext-dcat does not read. One the vocabulary does not know is its
        # distributions' (where DCAT-AP puts licences), for those that state none.
        given = list(self.g.objects(dataset_ref, DCT.license))
        if given and not dataset_dict.get("license_id"):
            known = [licences.lookup(str(value)) for value in given]
            licence = next((concept for concept in known if concept), None)
            if licence:
                dataset_dict["license_id"] = licence.extra.get("ckan_id") or licence.code
            else:
                for resource in dataset_dict.get("resources", []):
                    resource["license"] = resource.get("license") or str(given[0])
        return dataset_dict

    def _addresses_not_labels(self, dataset_ref: URIRef, resources: list[dict]) -> None:
        """ckanext-dcat reads a licence or a status given as an IRI with an rdfs:label
        as that label: the IRI is what identifies it (and what the vocabularies know).
        It also reads one access URL of a distribution that has several."""
        for distribution, resource in zip(
            self._distributions(dataset_ref), resources, strict=False
        ):
            if resource.get("uri") and resource["uri"] != str(distribution):
                return  # not in the order ckanext-dcat read them: leave them as read
            for key, predicate in (("license", DCT.license), ("status", ADMS.status)):
                value = self.g.value(distribution, predicate)
                if isinstance(value, URIRef):
                    resource[key] = str(value)
            addresses = [str(a) for a in self.g.objects(distribution, DCAT.accessURL)]
            if len(addresses) > 1:
                resource["access_urls"] = addresses

    def _identifier(self, node: Any) -> str:
        """An adms:Identifier's notation (ckanext-dcat would keep the node's own label,
        a blank node's included); an identifier given as a plain value, that value."""
        notation = self.g.value(node, SKOS.notation)
        return str(notation if notation is not None else node)


def _machine_translations_apart(item: dict[str, Any], fields: tuple) -> None:
    """ckanext-dcat reads a text's every tag into its translated field: the machine
    translations (``nl-t-fr``) leave it for their own field."""
    for translated, machine_translated, _predicate in fields:
        texts = item.get(translated)
        if not isinstance(texts, dict):
            continue
        pairs = [(text, tag) for tag, text in texts.items()]
        for tag in [tag for tag in texts if language.translated_from(tag) is not None]:
            del texts[tag]
        found = language.machine_translations(pairs, texts)
        if found:
            item[machine_translated] = found


def _harvested(dataset_dict: dict[str, Any]) -> bool:
    return bool(dataset_dict.get("harvest_guid") or dataset_dict.get("harvest_source_title"))


def _catalogue_texts(setting: str) -> dict[str, str]:
    """``ckanext.wepulse.catalogue.<setting>.<lang>`` for each language that has one."""
    texts = {
        lang: tk.config.get(f"ckanext.wepulse.catalogue.{setting}.{lang}")
        for lang in CATALOGUE_LANGUAGES
    }
    return {lang: text.strip() for lang, text in texts.items() if text and text.strip()}


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
