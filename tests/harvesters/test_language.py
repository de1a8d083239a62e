"""Language checks on real texts of data.gov.be's LDES page (corpus/belgium/data.gov.be):
titles split at commas, a keyword tagged @nl @fr @en at once, untagged names."""

from __future__ import annotations

import pytest

from harvesters.language import CONTENT_LANGUAGES, detect, keywords, language_of, translations

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
