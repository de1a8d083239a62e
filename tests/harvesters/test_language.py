"""Language checks on real texts of data.gov.be's LDES pages (corpus/belgium/data.gov.be):
titles split at commas, a keyword tagged @nl @fr @en at once, untagged names, and
machine translations (@nl-t-fr) kept apart from the originals."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from harvesters.dcat import DcatAdapter, repair_languages
from harvesters.language import (
    CONTENT_LANGUAGES,
    UNDETERMINED,
    detect,
    keywords,
    language_of,
    machine_translation_tag,
    machine_translations,
    translated_from,
    translations,
)

# dct:title of c7aca298-7988-11ef-afd2-010101010000, as published: split at its commas.
TREES_TITLE = [
    ("Gegevens met betrekking tot de wettelijke inventaris van bomen", "nl"),
    ("landschappen", "nl"),
    ("monumenten en gehelen.", "nl"),
    ("Données relatives à l’inventaire légal des arbres", "fr"),
    ("des sites", "fr"),
    ("des monuments et des ensembles.", "fr"),
    ("Data related to the legal inventory of trees", "en"),
    ("sites", "en"),
    ("monuments", "en"),
    ("and ensembles.", "en"),
]
# dct:title of ecoles-devoirs-fr-one-vbx (published @fr only).
HOMEWORK_SCHOOLS = (
    "Écoles de devoirs francophones subventionnées par l’ONE et situées sur le territoire "
    "de la Ville de Bruxelles"
)
# The City of Brussels' contact point: vcard:fn, the last one untagged.
CITY_CONTACT = [
    ("Stad Brussel", "nl"),
    ("Ville de Bruxelles", "fr"),
    ("Ville de Bruxelles/Stad Brussel", "en"),
    ("Ville de Bruxelles", None),
]


# -- detect ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOMEWORK_SCHOOLS, "fr"),
        ("Gegevens met betrekking tot de wettelijke inventaris van bomen", "nl"),
        ("Data related to the legal inventory of trees", "en"),
        ("Institut bruxellois de statistiques et d'analyse", "fr"),
    ],
)
def test_detect_a_sentence(text, expected):
    language, probability = detect(text)
    assert language == expected
    assert probability >= 0.95


def test_detect_only_among_the_given_languages():
    """ "Stad Brussel" looks German to the model; among nl and fr it is Dutch."""
    assert detect("Stad Brussel")[0] != "nl"
    assert detect("Stad Brussel", ["nl", "fr"])[0] == "nl"


@pytest.mark.parametrize(
    ("among", "expected"),
    [(["en"], ("en", 1.0)), (["en", "es"], ("en", 1.0)), (["ca"], ("fr", 1.0)), ([], ("fr", 1.0))],
)
def test_detect_with_one_or_no_content_language_does_not_guess(among, expected):
    assert detect(HOMEWORK_SCHOOLS, among) == expected
    assert CONTENT_LANGUAGES[0] == "fr"


def test_detect_probabilities_are_relative_to_the_candidates():
    _, among_all = detect("Ville de Bruxelles/Stad Brussel")
    _, among_two = detect("Ville de Bruxelles/Stad Brussel", ["fr", "en"])
    assert 0 < among_all < among_two <= 1


# -- language_of -----------------------------------------------------------------


def test_a_short_name_keeps_its_tag():
    """Two words fool any detector: "Stad Brussel" stays Dutch."""
    assert language_of("Stad Brussel", ["nl"]) == "nl"
    assert language_of("Oudergem", ["nl"]) == "nl"


def test_a_long_french_text_tagged_dutch_is_french():
    assert language_of(HOMEWORK_SCHOOLS, ["nl"]) == "fr"


def test_a_text_is_not_moved_into_a_language_another_text_has():
    assert language_of(HOMEWORK_SCHOOLS, ["nl"], claimed={"nl", "fr"}) == "nl"


def test_a_text_is_not_moved_into_a_language_outside_the_portals():
    assert language_of(HOMEWORK_SCHOOLS, ["nl"], languages=("nl", "en")) == "nl"


def test_a_text_tagged_with_several_languages_settles_on_its_own():
    assert language_of("Développement territorial", ["nl", "fr", "en"]) == "fr"
    assert language_of("Agence régionale pour la propreté", ["fr", "en"]) == "fr"


def test_an_untagged_text_goes_where_detection_is_sure():
    assert language_of("Institut bruxellois de statistiques et d'analyse", [None], "nl") == "fr"
    assert language_of("Institut bruxellois de statistiques et d'analyse", [], "nl") == "fr"


@pytest.mark.parametrize("default", ["nl", "en", "de"])
def test_an_untagged_text_detection_is_unsure_of_goes_to_the_default(default):
    assert detect("STIB")[1] < 0.95
    assert language_of("STIB", [None], default) == default


def test_a_tag_outside_the_content_languages_counts_as_no_tag():
    assert language_of(HOMEWORK_SCHOOLS, ["fr-be"], "nl") == "fr"
    assert language_of("Stad Brussel", ["la"], default="nl") == "nl"


# -- translations ----------------------------------------------------------------


def test_pieces_of_one_language_are_joined_in_source_order():
    assert translations(TREES_TITLE) == {
        "nl": "Gegevens met betrekking tot de wettelijke inventaris van bomen, landschappen, "
        "monumenten en gehelen.",
        "fr": "Données relatives à l’inventaire légal des arbres, des sites, des monuments et "
        "des ensembles.",
        "en": "Data related to the legal inventory of trees, sites, monuments, and ensembles.",
    }


def test_join_none_keeps_the_first_piece():
    assert translations(TREES_TITLE, join=None) == {
        "nl": "Gegevens met betrekking tot de wettelijke inventaris van bomen",
        "fr": "Données relatives à l’inventaire légal des arbres",
        "en": "Data related to the legal inventory of trees",
    }


def test_another_separator():
    assert translations(TREES_TITLE[:3], join=" / ") == {
        "nl": "Gegevens met betrekking tot de wettelijke inventaris van bomen / landschappen / "
        "monumenten en gehelen."
    }


def test_a_french_title_wrongly_tagged_dutch_moves_to_french():
    assert translations([(HOMEWORK_SCHOOLS, "nl")]) == {"fr": HOMEWORK_SCHOOLS}


def test_a_french_text_tagged_dutch_stays_when_french_has_its_own_text():
    result = translations([(HOMEWORK_SCHOOLS, "nl"), ("Écoles de devoirs", "fr")])
    assert result == {"nl": HOMEWORK_SCHOOLS, "fr": "Écoles de devoirs"}


def test_the_city_contact_names_keep_their_tags_and_the_untagged_repeat_is_kept_once():
    assert translations(CITY_CONTACT) == {
        "nl": "Stad Brussel",
        "fr": "Ville de Bruxelles",
        "en": "Ville de Bruxelles/Stad Brussel",
    }


def test_french_names_tagged_french_and_english_settle_on_french():
    """Bruxelles-Propreté's contact: its French names are also tagged @en."""
    names = [
        ("Gewestelijk agentschap voor netheid", "nl"),
        ("Net Brussel", "nl"),
        ("Agence régionale pour la propreté", "fr"),
        ("Bruxelles-Propreté", "fr"),
        ("Agence régionale pour la propreté", "en"),
        ("Bruxelles-Propreté", "en"),
    ]
    assert translations(names) == {
        "nl": "Gewestelijk agentschap voor netheid, Net Brussel",
        "fr": "Agence régionale pour la propreté, Bruxelles-Propreté",
    }


def test_untagged_text_goes_to_the_detected_language_or_the_default():
    assert translations([("Institut bruxellois de statistiques et d'analyse", None)], "nl") == {
        "fr": "Institut bruxellois de statistiques et d'analyse"
    }
    assert translations([("STIB", None)], "nl") == {"nl": "STIB"}
    assert translations([("STIB", None)]) == {"fr": "STIB"}


def test_region_subtags_and_case_are_ignored():
    assert translations([("Stad Brussel", "NL-BE"), ("Ville de Bruxelles", "fr-BE")]) == {
        "nl": "Stad Brussel",
        "fr": "Ville de Bruxelles",
    }


def test_empty_and_blank_texts_are_dropped():
    assert translations([("", "fr"), ("  ", "nl"), (None, "en"), (" Stad Brussel ", "nl")]) == {
        "nl": "Stad Brussel"
    }
    assert translations([]) == {}


# -- keywords --------------------------------------------------------------------


def test_a_keyword_tagged_in_three_languages_is_kept_once_in_its_own():
    pairs = [("Développement territorial", lang) for lang in ("nl", "fr", "en")]
    assert keywords(pairs) == {"fr": ["Développement territorial"]}


def test_keywords_with_untagged_repeats():
    """The nurseries dataset (f4f60a03…): each French keyword also comes untagged."""
    pairs = [
        ("Overheid en publieke sector", "nl"),
        ("Gouvernement et secteur public", "fr"),
        ("Government and public sector", "en"),
        ("Gouvernement et secteur public", None),
        ("kinderdagverblijf", "nl"),
        ("crèche", "fr"),
        ("nursery", "en"),
        ("crèche", None),
    ]
    assert keywords(pairs) == {
        "nl": ["Overheid en publieke sector", "kinderdagverblijf"],
        "fr": ["Gouvernement et secteur public", "crèche"],
        "en": ["Government and public sector", "nursery"],
    }


def test_a_keyword_keeps_its_single_tag_even_in_another_language():
    """de2ae474…: "stationnement" and "voiture" are tagged @en; a keyword is too short
    to overrule one tag."""
    pairs = [("parking", "nl"), ("stationnement", "en"), ("car", "nl"), ("voiture", "en")]
    assert keywords(pairs) == {"nl": ["parking", "car"], "en": ["stationnement", "voiture"]}


def test_untagged_keywords_go_to_the_detected_language_or_the_default():
    assert keywords([("Développement territorial", None)], default="nl") == {
        "fr": ["Développement territorial"]
    }
    assert keywords([("STIB", None)], default="nl") == {"nl": ["STIB"]}


# -- machine translations --------------------------------------------------------
# data.gov.be's LDES page 120: 100 ODWB datasets, each title and description in
# French (the original) and machine-translated @nl-t-fr, @de-t-fr and @en-t-fr.

ODWB_PAGE = "https://fedict.github.io/dcat/root/page_120/index.trig"
VERVIERS = "https://www.odwb.be/explore/dataset/services-publics-et-parapublics-verviers/"
VERVIERS_TITLE = [
    ("Services publics et parapublics - Verviers", "fr"),
    ("Openbare en parapublieke diensten - Verviers", "nl-t-fr"),
    ("Öffentliche und halböffentliche Dienstleistungen - Verviers", "de-t-fr"),
    ("Public and parapublic services - Verviers", "en-t-fr"),
]
AGROMET = "https://www.odwb.be/explore/dataset/agromet/"


@pytest.mark.parametrize(
    ("tag", "source"),
    [
        ("nl-t-fr", "fr"),
        ("NL-T-FR", "fr"),
        ("en-GB-t-fr-be", "fr"),
        ("de-t-fr-m0-deepl", "fr"),  # RFC 6497's mechanism field after the source
        ("nl-t-m0-deepl", UNDETERMINED),  # a mechanism, no source
        ("nl-t-und", UNDETERMINED),
        ("de-x-mtfrom-en", "en"),  # Google's private-use form
        ("nl", None),
        ("nl-BE", None),
        ("fr-be", None),
        ("nl-x-t-fr", None),  # private use: "t" there is no extension
        ("x-mtfrom-fr", None),  # no language at all
        ("", None),
        (None, None),
    ],
)
def test_translated_from_reads_the_transformed_content_extension(tag, source):
    assert translated_from(tag) == source


def test_machine_translation_tag():
    assert machine_translation_tag("nl", "fr") == "nl-t-fr"
    assert translated_from(machine_translation_tag("de", UNDETERMINED)) == UNDETERMINED


def test_translations_keep_the_original_only():
    """Before, nl-t-fr became nl: the machine translation was published as the original."""
    assert translations(VERVIERS_TITLE) == {"fr": "Services publics et parapublics - Verviers"}


def test_a_machine_translation_is_not_claimed_as_the_original_of_its_language():
    """The French original is tagged nl by mistake: it still moves to French, though a
    machine translation is tagged nl-t-… (only originals claim a language)."""
    texts = [(HOMEWORK_SCHOOLS, "nl"), ("Huiswerkscholen", "nl-t-fr")]
    assert translations(texts) == {"fr": HOMEWORK_SCHOOLS}


def test_machine_translations_say_what_they_were_translated_from():
    assert machine_translations(VERVIERS_TITLE) == {
        "nl": {"text": "Openbare en parapublieke diensten - Verviers", "from": "fr"},
        "de": {"text": "Öffentliche und halböffentliche Dienstleistungen - Verviers", "from": "fr"},
        "en": {"text": "Public and parapublic services - Verviers", "from": "fr"},
    }


def test_a_machine_translation_repeating_the_original_is_left_out():
    """ODWB's "Agromet" is "Agromet" @fr, @nl-t-fr, @de-t-fr and @en-t-fr."""
    texts = [("Agromet", tag) for tag in ("fr", "nl-t-fr", "de-t-fr", "en-t-fr")]
    assert machine_translations(texts, translations(texts)) == {}
    assert machine_translations(texts) == {
        lang: {"text": "Agromet", "from": "fr"} for lang in ("nl", "de", "en")
    }


def test_pieces_of_a_machine_translation_are_joined_and_a_second_source_dropped():
    texts = [
        ("Bomen", "nl-t-fr"),
        ("landschappen", "nl-t-fr"),
        ("Bomen en landschappen", "nl-t-de"),
    ]
    assert machine_translations(texts) == {"nl": {"text": "Bomen, landschappen", "from": "fr"}}
    assert machine_translations(texts, join=None) == {"nl": {"text": "Bomen", "from": "fr"}}


def test_keywords_keep_the_original_only():
    pairs = [("Services", "fr"), ("Diensten", "nl-t-fr"), ("Public", "fr")]
    assert keywords(pairs) == {"fr": ["Services", "Public"]}


@pytest.fixture
def odwb_records(recorded_http, corpus) -> dict:
    page = (corpus / "belgium" / "data.gov.be" / "ldes_page_120.trig").read_bytes()
    http = recorded_http({ODWB_PAGE: (page, "application/trig")})
    records = DcatAdapter(ODWB_PAGE, http, {"follow_pages": False}).records()
    return {record.guid: record for record in records}


def _texts(graph: Graph, subject: str, predicate) -> dict[str | None, str]:
    return {o.language: str(o) for o in graph.objects(URIRef(subject), predicate)}


def test_repair_keeps_the_machine_translations_of_a_real_record_tagged_apart(odwb_records):
    assert len(odwb_records) == 100
    graph = Graph()
    graph.parse(data=odwb_records[VERVIERS].payload, format="nt")

    repair_languages(graph, "fr")

    assert _texts(graph, VERVIERS, DCTERMS.title) == {lang: text for text, lang in VERVIERS_TITLE}
    assert _texts(graph, VERVIERS, DCTERMS.description) == {
        "fr": "Localisation des services publics et parapublics à Verviers",
        "nl-t-fr": "Locatie van publieke en parapublieke diensten in Verviers",
        "de-t-fr": "Lage der öffentlichen und halböffentlichen Dienstleistungen in Verviers",
        "en-t-fr": "Location of public and parapublic services in Verviers",
    }


def test_repair_drops_a_machine_translation_that_copies_the_original(odwb_records):
    graph = Graph()
    graph.parse(data=odwb_records[AGROMET].payload, format="nt")
    repair_languages(graph, "fr")
    assert _texts(graph, AGROMET, DCTERMS.title) == {"fr": "Agromet"}


def test_repair_keeps_machine_translated_keywords_as_tagged():
    dataset = URIRef("https://www.odwb.be/explore/dataset/example/")
    graph = Graph()
    graph.add((dataset, RDF.type, DCAT.Dataset))
    for word, tag in [("Services", "fr"), ("Diensten", "nl-t-fr"), ("Services", None)]:
        graph.add((dataset, DCAT.keyword, Literal(word, lang=tag)))
    repair_languages(graph, "fr")
    assert set(graph.objects(dataset, DCAT.keyword)) == {
        Literal("Services", lang="fr"),
        Literal("Diensten", lang="nl-t-fr"),
    }
