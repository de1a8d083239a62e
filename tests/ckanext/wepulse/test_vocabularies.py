"""The controlled vocabularies: their CSV data, the loader, and coverage of real metadata.

Pure tests, no CKAN: run them with ``pytest -p no:ckan`` (the harvesters use the
vocabularies without CKAN, so these must pass without it too).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from ckanext.wepulse.vocabularies import VOCABULARIES, Concept, Vocabulary, load

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "corpus"  # the reference corpus, beside the checkout
CORPUS_DIRS = (CORPUS / "belgium", CORPUS / "ckanext-dcat-examples")
OP = "http://publications.europa.eu/resource/authority/"
LANGS = ("fr", "nl", "de", "en")
BASE_COLUMNS = ["uri", "code", "label_fr", "label_nl", "label_de", "label_en"]
EXTRA_COLUMNS = {
    "data_themes": [],
    "file_types": ["media_type", "extensions", "machine_readable", "non_proprietary"],
    "media_types": [],
    "languages": ["iso_639_1"],
    "frequencies": ["days"],
    "access_rights": [],
    "licences": ["ckan_id", "url", "open", "aliases"],
    "hvd_categories": ["broader"],
    "inspire_themes": ["data_themes"],
    "topic_categories": [],
}
# Where a vocabulary's concept IRIs live: the scheme IRI plus the code, except HVD
# categories, whose concepts sit beside their scheme (http://data.europa.eu/bna/c_...).
CONCEPT_NAMESPACE = {name: scheme + "/" for name, scheme in VOCABULARIES.items()}
CONCEPT_NAMESPACE["hvd_categories"] = "http://data.europa.eu/bna/"

# Corpus IRIs that look like authority codes but are not; each is left out of coverage.
NOT_REAL_CODES = {
    # ckanext-dcat dcat/dataset_gov_de.rdf: the file-type table names Web services *_SRVC.
    OP + "file-type/WMS": "not a code: the file-type table's Web Map Service is WMS_SRVC",
    OP + "file-type/WFS": "not a code: the file-type table's Web Feature Service is WFS_SRVC",
}
# The vocabulary each authority table of the corpus belongs to.
AUTHORITY_TABLES = {
    "data-theme": "data_themes",
    "frequency": "frequencies",
    "access-right": "access_rights",
    "language": "languages",
    "file-type": "file_types",
    "licence": "licences",
}
CKAN_DEFAULT_LICENCES = {
    "cc-zero", "cc-by", "cc-by-sa", "cc-nc", "odc-pddl", "odc-odbl", "odc-by", "gfdl",
    "other-open", "other-pd", "other-at", "notspecified", "other-nc", "other-closed", "uk-ogl",
}  # fmt: skip


def raw_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a vocabulary's CSV file, read independently of the loader."""
    text = (
        resources.files("ckanext.wepulse.vocabularies")
        .joinpath(f"{name}.csv")
        .read_text(encoding="utf-8")
    )
    reader = csv.DictReader(text.splitlines())
    return list(reader.fieldnames or []), list(reader)


def corpus_iris(pattern: str) -> set[str]:
    """Every match of ``pattern`` in the corpus folders (any file, any syntax)."""
    regex = re.compile(pattern)
    found: set[str] = set()
    for folder in CORPUS_DIRS:
        assert folder.is_dir(), f"the reference corpus is missing: {folder}"
        for path in folder.rglob("*"):
            if path.is_file():
                found |= set(regex.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# ---------------------------------------------------------------- the CSV files


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
class TestCsvFiles:
    def test_header_is_the_base_columns_then_the_vocabulary_columns(self, name):
        header, _ = raw_rows(name)
        assert header == BASE_COLUMNS + EXTRA_COLUMNS[name]

    def test_rows_are_sorted_by_code_and_codes_and_uris_are_unique(self, name):
        _, rows = raw_rows(name)
        codes = [row["code"] for row in rows]
        assert rows, "an empty vocabulary"
        assert codes == sorted(codes)
        assert len(set(codes)) == len(codes)
        assert len({row["uri"] for row in rows}) == len(rows)

    def test_every_row_has_four_non_empty_labels_and_no_stray_cell(self, name):
        _, rows = raw_rows(name)
        for row in rows:
            assert None not in row, f"{row['code']}: more cells than columns"
            for lang in LANGS:
                label = row[f"label_{lang}"]
                assert label and label == label.strip(), (row["code"], lang)

    def test_every_uri_is_its_namespace_plus_its_code(self, name):
        namespace = CONCEPT_NAMESPACE[name]
        _, rows = raw_rows(name)
        own_iris = [row for row in rows if not row["uri"].startswith(namespace)]
        for row in rows:
            if row["uri"].startswith(namespace):
                assert row["uri"] == namespace + row["code"]
        if name == "licences":  # only the Belgian licences keep IRIs of their own
            assert own_iris and all(row["code"].startswith("BE_") for row in own_iris)
        else:
            assert own_iris == []


# ---------------------------------------------------------------- the loader


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_vocabulary_loads_with_its_scheme_and_all_its_rows(name):
    vocabulary = load(name)
    _, rows = raw_rows(name)
    assert isinstance(vocabulary, Vocabulary)
    assert vocabulary.name == name
    assert vocabulary.scheme == VOCABULARIES[name]
    assert [c.code for c in vocabulary] == [row["code"] for row in rows]
    assert len(vocabulary) == len(rows)
    first = vocabulary.concepts[0]
    assert first.labels == {lang: rows[0][f"label_{lang}"] for lang in LANGS}
    assert set(first.extra) == set(EXTRA_COLUMNS[name])


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_a_label_never_names_another_concepts_code(name):
    vocabulary = load(name)
    codes = {fold(c.code): c for c in vocabulary}
    for concept in vocabulary:
        for label in concept.labels.values():
            assert codes.get(fold(label), concept) is concept, (concept.code, label)


def test_load_is_cached_and_rejects_an_unknown_name():
    assert load("data_themes") is load("data_themes")
    with pytest.raises(KeyError, match="unknown vocabulary 'themes'.*data_themes"):
        load("themes")


def test_the_loader_does_not_import_ckan():
    code = (
        "import sys; import ckanext.wepulse.vocabularies as v; v.load('licences'); "
        "print(sorted(m for m in sys.modules if m == 'ckan' or m.startswith('ckan.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


class TestLookup:
    THEME = OP + "data-theme/ECON"

    def test_by_uri_exactly_and_in_http_https_and_trailing_slash_variants(self):
        themes = load("data_themes")
        for value in (
            self.THEME,
            self.THEME + "/",
            self.THEME.replace("http://", "https://"),
            self.THEME.replace("http://", "https://") + "/",
            "  " + self.THEME + "  ",
        ):
            assert themes.lookup(value).code == "ECON", value

    def test_by_code_case_insensitively(self):
        assert load("data_themes").lookup("econ").code == "ECON"
        assert load("frequencies").lookup("Annual_2").code == "ANNUAL_2"
        assert load("file_types").lookup("rdf_turtle").code == "RDF_TURTLE"
        assert load("media_types").lookup("TEXT/CSV").code == "text/csv"

    @pytest.mark.parametrize(
        "label",
        [
            "Économie et finances",  # fr
            "economie et finances",  # fr, without case or accents
            "Economie en financiën",  # nl
            "WIRTSCHAFT UND FINANZEN",  # de
            "Economy and  finance",  # en, stray space
        ],
    )
    def test_by_a_label_in_each_language(self, label):
        assert load("data_themes").lookup(label).code == "ECON"

    @pytest.mark.parametrize(
        ("name", "label", "code"),
        [
            ("frequencies", "hebdomadaire", "WEEKLY"),
            ("frequencies", "vierteljährlich", "QUARTERLY"),
            ("languages", "Néerlandais", "NLD"),
            ("languages", "Frans", "FRA"),
            ("access_rights", "nicht öffentlich", "NON_PUBLIC"),
            ("file_types", "WMS", "WMS_SRVC"),
            ("hvd_categories", "Georaum", "c_ac64a52d"),
            ("licences", "Open Data Licentie Gent", "BE_GENT_OPEN_DATA"),
        ],
    )
    def test_by_labels_across_vocabularies(self, name, label, code):
        assert load(name).lookup(label).code == code

    @pytest.mark.parametrize(
        "alias",
        [
            "https://creativecommons.org/licenses/by/4.0/",
            "http://creativecommons.org/licenses/by/4.0/",
            "https://creativecommons.org/licenses/by/4.0",
            "http://creativecommons.org/licenses/by/4.0/legalcode",
            "https://creativecommons.org/licenses/by/4.0/deed.nl",
        ],
    )
    def test_by_a_licence_alias_url(self, alias):
        assert load("licences").lookup(alias).code == "CC_BY_4_0"

    def test_by_other_identifiers(self):
        file_types = load("file_types")
        assert file_types.lookup("text/csv").code == "CSV"
        assert file_types.lookup("Application/GEO+JSON").code == "GEOJSON"
        assert file_types.lookup("ttl").code == "RDF_TURTLE"
        assert file_types.lookup("JPG").code == "JPEG"
        assert file_types.lookup("rdf").code == "RDF"  # a code wins over an extension
        assert load("languages").lookup("nl").code == "NLD"
        assert load("licences").lookup("cc-zero").code == "CC0"
        assert load("licences").lookup("http://www.opendefinition.org/licenses/cc-by").code == (
            "CC_BY"
        )

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "   ",
            "NOPE",
            "Économie",  # part of a label is not a label
            OP + "data-theme/NOPE",
            OP + "file-type/CSV",  # a file type is not a theme
            "https://example.org/data-theme/ECON",
            "ftp://publications.europa.eu/resource/authority/data-theme/ECON",
        ],
    )
    def test_unknown_values_give_none(self, value):
        assert load("data_themes").lookup(value) is None

    def test_a_non_string_gives_none(self):
        assert load("data_themes").lookup(None) is None  # type: ignore[arg-type]

    def test_get_takes_the_concepts_own_uri_only(self):
        themes, licences = load("data_themes"), load("licences")
        assert themes.get(self.THEME).code == "ECON"
        assert themes.get(self.THEME.replace("http://", "https://") + "/").code == "ECON"
        assert themes.get("ECON") is None
        assert licences.get("https://creativecommons.org/licenses/by/4.0/") is None
        assert licences.get(OP + "licence/CC_BY_4_0").code == "CC_BY_4_0"


class TestVocabularyProtocol:
    def test_contains_iter_and_len(self):
        themes = load("data_themes")
        econ = themes.lookup("ECON")
        assert econ in themes
        assert OP + "data-theme/ECON" in themes
        assert "Santé" in themes
        assert "NOPE" not in themes
        assert 42 not in themes
        assert econ not in load("access_rights")
        assert len(themes) == len(list(themes)) == 14
        assert all(isinstance(c, Concept) for c in themes)
        assert len(set(themes) | {themes.lookup("Health")}) == 14  # hashable, by URI

    @pytest.mark.parametrize("lang", LANGS)
    def test_choices_cover_every_concept_sorted_by_label(self, lang):
        themes = load("data_themes")
        choices = themes.choices(lang)
        assert {c["value"] for c in choices} == {c.uri for c in themes}
        labels = [c["label"] for c in choices]
        assert labels == sorted(labels, key=fold)
        assert {"value": OP + "data-theme/HEAL", "label": themes.lookup("HEAL").labels[lang]} in (
            choices
        )

    def test_choices_sort_accents_with_their_letter(self):
        labels = [c["label"] for c in load("data_themes").choices("fr")]
        assert labels.index("Économie et finances") < labels.index("Environnement")

    def test_label_falls_back_fr_en_nl_de_then_code(self):
        full = Concept("u", "C", {"fr": "F", "nl": "N", "de": "D", "en": "E"})
        assert [full.label(lang) for lang in ("fr", "nl", "de", "en", "it")] == list("FNDEF")
        assert Concept("u", "C", {"fr": "", "en": "E", "nl": "N"}).label("de") == "E"
        assert Concept("u", "C", {"nl": "N", "de": "D"}).label("it") == "N"
        assert Concept("u", "C", {"de": "D"}).label("fr") == "D"
        assert Concept("u", "C", {}).label("fr") == "C"

    def test_two_concepts_sharing_a_label_are_refused(self):
        a = Concept("http://x/a", "A", {"fr": "Même", "nl": "a", "de": "a", "en": "a"})
        b = Concept("http://x/b", "B", {"fr": "meme", "nl": "b", "de": "b", "en": "b"})
        with pytest.raises(ValueError, match="names both A and B"):
            Vocabulary("test", "http://x", (a, b))


# ---------------------------------------------------------------- coverage of real metadata


@pytest.mark.parametrize("table", sorted(AUTHORITY_TABLES))
def test_every_corpus_authority_iri_is_found(table):
    iris = corpus_iris(rf"https?://publications\.europa\.eu/resource/authority/{table}/[\w.-]+")
    assert iris, f"the corpus no longer uses the {table} table"
    vocabulary = load(AUTHORITY_TABLES[table])
    missing = sorted(iri for iri in iris - set(NOT_REAL_CODES) if vocabulary.lookup(iri) is None)
    assert missing == []


def test_the_excluded_corpus_iris_are_still_in_the_corpus_and_still_unknown():
    iris = corpus_iris(r"https?://publications\.europa\.eu/resource/authority/[\w-]+/[\w.-]+")
    for iri in NOT_REAL_CODES:
        assert iri in iris, f"{iri} left the corpus: drop it from NOT_REAL_CODES"
        assert load("file_types").lookup(iri) is None


def test_every_corpus_hvd_category_iri_is_found():
    iris = corpus_iris(r"https?://data\.europa\.eu/bna/c_[0-9a-f]+")
    assert len(iris) >= 4
    categories = load("hvd_categories")
    assert sorted(iri for iri in iris if categories.lookup(iri) is None) == []


def test_every_licence_of_data_gov_be_is_found_and_keeps_its_title():
    rdflib = pytest.importorskip("rdflib")
    graph = rdflib.Graph().parse(CORPUS / "belgium/data.gov.be/licenses.nt", format="nt")
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    licences = load("licences")
    subjects = set(graph.subjects(title, None))
    assert len(subjects) == 14
    for subject in subjects:
        concept = licences.lookup(str(subject))
        assert concept is not None, subject
        if concept.uri == str(subject) and not concept.uri.startswith(OP):
            assert str(graph.value(subject, title)) in concept.labels.values()


# ---------------------------------------------------------------- vocabulary-specific data


def test_the_data_themes_are_the_official_thirteen_plus_provisional_data():
    assert {c.code for c in load("data_themes")} == {
        "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI",
        "SOCI", "TECH", "TRAN", "OP_DATPRO",
    }  # fmt: skip


class TestFrequencies:
    NO_PERIOD = {
        "IRREG", "UNKNOWN", "NEVER", "OTHER", "CONT", "UPDATE_CONT", "OP_DATPRO",
        "AS_NEEDED", "NOT_PLANNED",
    }  # fmt: skip

    def test_days_is_positive_where_present_and_empty_without_a_period(self):
        for concept in load("frequencies"):
            days = concept.extra["days"]
            if concept.code in self.NO_PERIOD:
                assert days == "", concept.code
            else:
                assert float(days) > 0, concept.code

    def test_nominal_periods(self):
        frequencies = load("frequencies")

        def days(code: str) -> float:
            return float(frequencies.lookup(code).extra["days"])

        assert days("ANNUAL") == 365
        assert days("DAILY") == 1
        assert days("MONTHLY") == pytest.approx(30.4)
        assert days("HOURLY") == pytest.approx(1 / 24, abs=1e-6)
        order = ["1MIN", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL"]
        assert [days(c) for c in order] == sorted(days(c) for c in order)

    def test_the_newer_codes_are_there(self):
        codes = {c.code for c in load("frequencies")}
        assert {"1MIN", "15MIN", "12HRS", "UPDATE_CONT", "AS_NEEDED", "BIDECENNIAL"} <= codes


class TestFileTypes:
    def test_flags_are_booleans_and_follow_the_mqa(self):
        file_types = load("file_types")
        for concept in file_types:
            assert concept.extra["machine_readable"] in {"true", "false"}
            assert concept.extra["non_proprietary"] in {"true", "false"}
        flags = {
            c.code: (c.extra["machine_readable"], c.extra["non_proprietary"]) for c in file_types
        }
        assert flags["CSV"] == ("true", "true")
        assert flags["XLSX"] == ("true", "false")
        assert flags["TXT"] == ("false", "true")
        assert flags["PDF"] == ("false", "false")

    def test_media_types_are_in_the_media_type_vocabulary_and_name_one_format_each(self):
        media_types = load("media_types")
        used = [c.extra["media_type"] for c in load("file_types") if c.extra["media_type"]]
        assert len(used) == len(set(used))
        assert set(used) == {c.code for c in media_types}
        assert load("file_types").lookup("GEOJSON").extra["media_type"] == "application/geo+json"

    def test_extensions_are_lowercase_and_name_one_format_each(self):
        seen: dict[str, str] = {}
        for concept in load("file_types"):
            for extension in concept.extra["extensions"].split():
                assert extension == extension.lower() and not extension.startswith(".")
                assert seen.setdefault(extension, concept.code) == concept.code, extension
        assert seen["csv"] == "CSV" and seen["xlsx"] == "XLSX" and seen["shp"] == "SHP"

    def test_the_formats_portals_use_are_there(self):
        codes = {c.code for c in load("file_types")}
        assert {
            "CSV", "TSV", "XLS", "XLSX", "ODS", "JSON", "GEOJSON", "JSON_LD", "XML", "RDF_XML",
            "RDF_TURTLE", "RDF_N_TRIPLES", "RDF_N_QUADS", "RDF_TRIG", "PDF", "DOCX", "HTML",
            "TXT", "ZIP", "SHP", "KML", "GML", "GPKG", "WMS_SRVC", "WFS_SRVC", "ATOM", "RSS",
            "GTFS", "GEOTIFF", "PARQUET", "SPARQLQ", "ICS", "MAP_SRVC",
        } <= codes  # fmt: skip


class TestLicences:
    def test_ckan_ids_are_default_ckan_licences_and_unique(self):
        ids = [c.extra["ckan_id"] for c in load("licences") if c.extra["ckan_id"]]
        assert len(ids) == len(set(ids))
        assert set(ids) <= CKAN_DEFAULT_LICENCES
        assert load("licences").lookup("cc-by-sa").code == "CC_BYSA"

    def test_open_flags(self):
        licences = load("licences")
        for concept in licences:
            assert concept.extra["open"] in {"true", "false"}
        assert licences.lookup("CC_BY_4_0").extra["open"] == "true"
        assert licences.lookup("CC0").extra["open"] == "true"
        assert licences.lookup("CC_BYNC_4_0").extra["open"] == "false"
        assert licences.lookup("CC_BYND_4_0").extra["open"] == "false"

    def test_urls_and_aliases_are_http_iris_and_point_to_their_licence(self):
        licences = load("licences")
        for concept in licences:
            for iri in [concept.extra["url"], *concept.extra["aliases"].split()]:
                if iri:
                    assert iri.startswith(("http://", "https://")), iri
                    assert licences.lookup(iri) is concept, iri

    def test_the_brief_codes_are_official_spellings(self):
        codes = {c.code for c in load("licences")}
        assert {
            "CC0", "CC_BY_4_0", "CC_BYSA_4_0", "CC_BYND_4_0", "CC_BYNC_4_0", "CC_BYNCSA_4_0",
            "CC_BYNCND_4_0", "CC_BY_3_0", "CC_BYSA_3_0", "ODC_BY", "ODC_BL", "ODC_PDDL",
            "OGL_3_0", "ETALAB_2_0", "GPL_3_0", "APACHE_2_0", "MIT", "COM_REUSE",
        } <= codes  # fmt: skip
        assert not {"CC0_1_0", "ODC_ODBL"} & codes  # not in the EU licence table


class TestLanguagesAndHvd:
    def test_languages_are_the_eu_official_ones_plus_ltz(self):
        languages = load("languages")
        eu = {
            "BUL", "CES", "DAN", "DEU", "ELL", "ENG", "EST", "FIN", "FRA", "GLE", "HRV", "HUN",
            "ITA", "LAV", "LIT", "MLT", "NLD", "POL", "POR", "RON", "SLK", "SLV", "SPA", "SWE",
        }  # fmt: skip
        assert eu | {"LTZ"} <= {c.code for c in languages}
        iso = [c.extra["iso_639_1"] for c in languages]
        assert len(set(iso)) == len(iso) and all(re.fullmatch("[a-z]{2}", i) for i in iso)
        assert languages.lookup("DEU").extra["iso_639_1"] == "de"

    def test_hvd_has_six_top_categories_and_subcategories_point_to_one(self):
        categories = load("hvd_categories")
        tops = {c.uri for c in categories if not c.extra["broader"]}
        assert {uri.rsplit("/", 1)[1] for uri in tops} == {
            "c_ac64a52d", "c_dd313021", "c_164e0bf5", "c_e1da4e07", "c_a9135398", "c_b79e35eb",
        }  # fmt: skip
        subs = [c for c in categories if c.extra["broader"]]
        assert subs and all(c.extra["broader"] in tops for c in subs)
        assert categories.lookup("Cadastral parcels").extra["broader"].endswith("c_ac64a52d")
