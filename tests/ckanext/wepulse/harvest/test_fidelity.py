"""What a source says that the schema cannot hold is kept, not refused: through
CKAN's real schema and validation (``package_create`` on PostgreSQL and Solr)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckanext.wepulse.harvest import fidelity, sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, file

from ..conftest import allowing, make_source

EU = "http://publications.europa.eu/resource/authority/"
LONG_KEYWORD = "Données relatives aux " + "subventions communales " * 8


def harvested(**fields) -> dict:
    """A dataset as an adapter maps a record, before the harvest completes it."""
    return {
        "title_translated": {"fr": "Subsides communaux", "it": "Sussidi comunali"},
        "tags_translated": {"fr": ["subsides", LONG_KEYWORD, "<b>gras</b>"]},
        "theme": [f"{EU}data-theme/ECON", "http://opendata.swiss/themes/statistical-basis"],
        "frequency": "http://purl.org/cld/freq/irregular",
        "language": ["http://id.loc.gov/vocabulary/iso639-1/fr", "http://example.org/klingon"],
        "license_id": "lov2",
        "contact": [
            {
                "name": "Service des finances",
                "name_translated": {"fr": "Service des finances", "nl": "Financiële dienst"},
                "email": "finances at ixelles",
            }
        ],
        "is_referenced_by": ["https://doi.org/10.1038/sdata.2018.22"],
        "wasDerivedFrom": "https://example.org/registre",
        "resources": [
            {"url": "https://data.example.be/Versements anticipes-2024.xlsx", "flavour": "x"}
        ],
        "harvest_guid": "https://data.example.be/subsides",
        **fields,
    }


def test_values_outside_the_schema_are_kept_aside():
    dataset = sync._completed(harvested())
    unmapped = dataset["unmapped"]
    # Known aliases become the EU concepts.
    assert dataset["frequency"] == f"{EU}frequency/IRREG"
    assert dataset["language"] == [f"{EU}language/FRA"]
    assert dataset["license_id"] == "ETALAB_2_0"
    # An unknown theme is a keyword, and what the source wrote is kept.
    assert dataset["theme"] == [f"{EU}data-theme/ECON"]
    assert "statistical basis" in dataset["tags_translated"]["fr"]
    assert unmapped["theme"] == ["http://opendata.swiss/themes/statistical-basis"]
    assert unmapped["language"] == ["http://example.org/klingon"]
    # A keyword too long is shortened on a word boundary, its full text kept.
    short = [k for k in dataset["tags_translated"]["fr"] if k.startswith("Données")][0]
    assert len(short) <= 100 and short.endswith("…") and " subventions" in short
    assert LONG_KEYWORD in unmapped["tags_translated.fr"]
    assert "<b>gras</b>" in unmapped["tags_translated.fr"]
    # Texts in other languages, bad addresses and unknown fields leave their field.
    assert "it" not in dataset["title_translated"]
    assert unmapped["title_translated.it"] == "Sussidi comunali"
    assert unmapped["contact[0].email"] == "finances at ixelles"
    # A contact's names in each language are the contact's (DCAT: vcard:fn@lang).
    assert dataset["contact"][0]["name_translated"]["nl"] == "Financiële dienst"
    assert not any(place.startswith("contact[0].name") for place in unmapped)
    assert unmapped["wasDerivedFrom"] == "https://example.org/registre"
    assert unmapped["resources[0].flavour"] == "x"
    # A space in a file name is encoded as a browser would.
    assert dataset["resources"][0]["url"].endswith("/Versements%20anticipes-2024.xlsx")


def test_a_harvested_dataset_with_all_of_it_is_saved_and_shown(clean_db, clean_index, app):
    authority = factories.Organization(name="ixelles")
    dataset = sync._completed(harvested(name="subsides", owner_org=authority["id"]))
    created = tk.get_action("package_create")(site_context(), dataset)
    shown = tk.get_action("package_show")(site_context(), {"id": created["id"]})
    assert shown["is_referenced_by"] == ["https://doi.org/10.1038/sdata.2018.22"]
    assert shown["contact"][0]["name_translated"]["nl"] == "Financiële dienst"
    assert shown["unmapped"]["theme"] == ["http://opendata.swiss/themes/statistical-basis"]
    # No description at the source: none is made up, and the dataset is still kept.
    assert not any((shown.get("notes_translated") or {}).values())
    page = app.get("/dataset/subsides").body
    assert "http://opendata.swiss/themes/statistical-basis" in page
    assert "&lt;b&gt;gras&lt;/b&gt;" in page and "<b>gras</b>" not in page


def test_an_editor_must_still_describe_a_dataset(clean_db):
    authority = factories.Organization(name="ixelles")
    with pytest.raises(tk.ValidationError, match="notes_translated"):
        tk.get_action("package_create")(
            site_context(),
            {"name": "sans", "title_translated": {"fr": "Sans"}, "owner_org": authority["id"]},
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("court", "court"),
        ("un deux trois quatre", "un deux…"),
        ("a" * 30, "a" * 11 + "…"),
    ],
)
def test_shortened(text, expected):
    assert fidelity.shortened(text, 12) == expected


# -- field by field: the source's graph, package_show, and our DCAT-AP ------------------

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")


def _source_values(graph: Graph, subject, *path) -> set[str]:
    """The values at the end of ``path`` from ``subject``: adms:Identifiers by their
    notation, as catalogues mean them."""
    nodes = {subject}
    for predicate in path:
        nodes = {o for node in nodes for o in graph.objects(node, predicate)}
    return {str(graph.value(n, SKOS.notation) or n) for n in nodes}


@pytest.mark.parametrize(
    "relative",
    [
        "ckanext-dcat-examples/dcat/dataset_health.ttl",
        "ckanext-dcat-examples/dcat/dataset_health_multilingual.ttl",
        "dcat-real/govdata-dcatde/metadata_max_only_valid_uris.rdf",
        "dcat-real/opendata-swiss/catalog.xml",
        "belgium/fedict-dcattools/best_dcat.rdf",
        "ckanext-dcat-examples/dcat/catalog.rdf",  # a licence no vocabulary knows
    ],
)
def test_what_the_source_says_is_kept_and_published(relative, clean_db, clean_index, app):
    path = CORPUS / relative
    source_graph = Graph().parse(path, format="turtle" if path.suffix == ".ttl" else "xml")
    authority = factories.Organization(name="ixelles")
    with FixtureServer({"/" + path.name: file(path)}) as server, allowing(server):
        make_source(server, authority, "fidelity", "/" + path.name, config={"attribution": "owner"})
        _job, summary = sync.run_source("fidelity")
    assert summary.errors == 0, summary
    for subject in set(source_graph.subjects(RDF.type, DCAT.Dataset)):
        guid = (
            subject
            if isinstance(subject, URIRef)
            else source_graph.value(subject, DCTERMS.identifier)
        )
        [found] = tk.get_action("package_search")(site_context(), {"fq": f'harvest_guid:"{guid}"'})[
            "results"
        ]
        shown = tk.get_action("package_show")(site_context(), {"id": found["id"]})
        exported = Graph().parse(
            data=app.get(f"/dataset/{shown['name']}.ttl").get_data(as_text=True), format="turtle"
        )
        ours = next(exported.subjects(RDF.type, DCAT.Dataset))

        # Contact points, all their names in every language.
        names = _source_values(source_graph, subject, DCAT.contactPoint, VCARD.fn)
        kept = {
            name
            for contact in shown.get("contact") or []
            for name in [contact.get("name"), *(contact.get("name_translated") or {}).values()]
            if name
        }
        assert names <= kept, (subject, names - kept)
        assert names <= _source_values(exported, ours, DCAT.contactPoint, VCARD.fn)

        # Other identifiers: the values, not the nodes that hold them.
        identifiers = _source_values(source_graph, subject, ADMS.identifier)
        assert set(shown.get("alternate_identifier") or []) == identifiers
        assert _source_values(exported, ours, ADMS.identifier) == identifiers

        # Every address of every distribution.
        addresses = _source_values(
            source_graph, subject, DCAT.distribution, DCAT.accessURL
        ) | _source_values(source_graph, subject, DCAT.distribution, DCAT.downloadURL)
        kept_addresses = {
            value
            for resource in shown["resources"]
            for value in (
                resource.get("url"),
                resource.get("access_url"),
                resource.get("download_url"),
                *(resource.get("access_urls") or []),
            )
            if value
        }
        assert addresses <= kept_addresses, (subject, addresses - kept_addresses)
        assert addresses <= _source_values(
            exported, ours, DCAT.distribution, DCAT.accessURL
        ) | _source_values(exported, ours, DCAT.distribution, DCAT.downloadURL)

        # A licence, on the dataset or its distributions, is kept and published: as the
        # dataset's when the vocabulary knows it, else on each distribution.
        licences = _source_values(source_graph, subject, DCTERMS.license) | _source_values(
            source_graph, subject, DCAT.distribution, DCTERMS.license
        )
        if licences:
            on_resources = all(r.get("license") for r in shown["resources"])
            assert shown["license_id"] or on_resources, subject
            exported_licences = _source_values(exported, ours, DCAT.distribution, DCTERMS.license)
            assert exported_licences, subject
