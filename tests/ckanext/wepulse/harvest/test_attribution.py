"""Who published it: harvested datasets go to their publisher's organization.

Through the real stack: DCAT catalogues served on loopback, whose datasets name their
publisher (an agent with an org.belgif.be IRI and names, as data.gov.be describes
them), harvested into PostgreSQL and Solr, the authorities seeded from REFNIS.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from ckanext.wepulse import authorities
from ckanext.wepulse.authorities import enterprise_numbers, organization_dict
from ckanext.wepulse.dcat_ap.dataset_rdf import dataset_graph
from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context, upsert
from harvesters.fixtures import FixtureServer

from ..conftest import TREES, allowing, make_source, turtle

LDES = Path(__file__).resolve().parents[4].parent / "shared/corpus/belgium/data.gov.be/ldes-slice"
CBE = "https://org.belgif.be/id/CbeRegisteredEntity/"
BRUXELLES = CBE + "0207373429"  # Ville de Bruxelles / Stad Brussel / City of Brussels
# 0212.345.668 below: a number with valid check digits, for these tests only
ENVIRONNEMENT = CBE + "0236916956"  # Bruxelles Environnement / Leefmilieu Brussel
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


def dataset(key: str, publisher: str | None = None) -> str:
    """One dataset in Turtle, published by ``publisher`` (a Turtle term) if given."""
    return "\n".join(
        [
            f"<http://example.be/ds/{key}> a dcat:Dataset ;",
            f'  dct:title "Jeu {key}"@fr ;',
            f'  dct:description "Données {key}."@fr ;',
            *([f"  dct:publisher {publisher} ;"] if publisher else []),
            f"  dcat:distribution <http://example.be/dist/{key}> .",
            f"<http://example.be/dist/{key}> a dcat:Distribution ;",
            f"  dcat:accessURL <http://example.be/files/{key}.csv> .",
        ]
    )


def agent(subject: str, *names: str) -> str:
    """A foaf:Agent in Turtle; ``names`` are Turtle literals ('"Evere"@fr')."""
    return f"{subject} a foaf:Agent" + (f" ; foaf:name {', '.join(names)}" if names else "") + " ."


def page(*parts: str) -> bytes:
    return (PREFIXES + "\n".join(parts)).encode("utf-8")


@pytest.fixture(scope="module")
def ldes_agents() -> Graph:
    """The agent members of data.gov.be's LDES feed, pages 939 and 940, as they are."""
    members = Dataset(default_union=True)
    for number in (939, 940):
        path = LDES / f"page_{number}.trig"
        members.parse(path, format="trig", publicID=f"https://data.gov.be/ldes/{path.name}")
    agents = Graph()
    for subject in set(members.subjects(RDF.type, FOAF.Agent)):
        for triple in members.triples((subject, None, None)):
            agents.add(triple)
    return agents


#: The Brussels municipalities (with their CPAS) these tests meet: Anderlecht, Bruxelles,
#: Etterbeek, Ixelles, Jette, Saint-Gilles, Schaerbeek and Woluwe-Saint-Lambert.
MET = {"21001", "21004", "21005", "21009", "21010", "21013", "21015", "21018"}


@pytest.fixture(scope="module")
def brussels_authorities() -> list[authorities.Authority]:
    with open(authorities.REFNIS_FILE, "rb") as f:
        return [a for a in authorities.read_refnis(f.read()) if a.region == "brussels"]


@pytest.fixture
def seeded(clean_db, clean_index, brussels_authorities):
    """The authorities these tests meet, as `ckan wepulse authorities seed` makes them
    (with the enterprise numbers data.gov.be knows them by)."""
    list(authorities.seed([a for a in brussels_authorities if a.nis_code in MET]))


@pytest.fixture
def seeded_without_identifiers(clean_db, clean_index, brussels_authorities):
    """The 19 Brussels municipalities before any identifier is known of them."""
    for authority in brussels_authorities:
        if authority.authority_type == "municipality":
            upsert("organization", organization_dict(authority, "https://data.example.be/org/"))


@pytest.fixture
def server():
    with FixtureServer({}) as running, allowing(running):
        yield running


def harvest(server, body: bytes, config=None, owner: str = "ixelles", force: bool = False):
    """Harvest ``body`` as a DCAT source owned by ``owner``: (summary, datasets by guid)."""
    server.routes["/dcat.ttl"] = turtle(body)
    try:
        source = tk.get_action("harvest_source_show")(site_context(), {"id": "aggregator"})
        tk.get_action("harvest_source_patch")(
            site_context(), {"id": source["id"], "config": json.dumps(config or {})}
        )
    except tk.ObjectNotFound:
        owner_dict = tk.get_action("organization_show")({}, {"id": owner})
        source = make_source(server, owner_dict, "aggregator", "/dcat.ttl", config=config)
    _job, summary = sync.run_source("aggregator", force=force)
    found = tk.get_action("package_search")(
        site_context(), {"fq": "harvest_source_title:*", "rows": 1000}
    )["results"]
    return summary, {d["harvest_guid"].rsplit("/", 1)[1]: d for d in found}


def organization(name_or_id: str) -> dict:
    return tk.get_action("organization_show")({}, {"id": name_or_id})


class TestByIdentifier:
    def test_a_publisher_named_by_its_enterprise_number_only_lands_in_its_authority(
        self, seeded, server
    ):
        """data.gov.be's datasets name their publisher by IRI, described on another page."""
        summary, datasets = harvest(server, page(dataset("a", f"<{BRUXELLES}>")))

        assert (summary.added, summary.errors) == (1, 0)
        assert datasets["a"]["organization"]["name"] == "bruxelles"
        # The source gave no name: the publisher has its authority's.
        (publisher,) = datasets["a"]["publisher"]
        assert publisher["uri"] == BRUXELLES
        assert publisher["name_translated"] == {"fr": "Bruxelles", "nl": "Brussel"}
        graph = dataset_graph(tk.get_action("package_show")({}, {"id": datasets["a"]["id"]}))
        assert set(graph.objects(URIRef(BRUXELLES), FOAF.name)) >= {
            Literal("Bruxelles", lang="fr"),
            Literal("Brussel", lang="nl"),
        }
        conforms, findings = validate_graph(graph)
        assert conforms, [f.as_dict() for f in findings if f.severity == "Violation"]

    def test_an_authority_known_by_an_iri_an_editor_gave_it(self, seeded, server):
        tk.get_action("organization_patch")(
            site_context(), {"id": "cpas-jette", "identifiers": ["0212.345.668"]}
        )
        # An enterprise number is kept as its IRI, which the source writes with http.
        assert organization("cpas-jette")["identifiers"] == [CBE + "0212345668"]

        _summary, datasets = harvest(
            server, page(dataset("a", "<http://org.belgif.be/id/CbeRegisteredEntity/0212345668>"))
        )

        assert datasets["a"]["organization"]["name"] == "cpas-jette"

    def test_an_identifier_that_is_none_is_refused_clearly(self, seeded):
        with pytest.raises(tk.ValidationError) as error:
            tk.get_action("organization_patch")(
                site_context(), {"id": "jette", "identifiers": ["0212.345.669"]}
            )
        assert "enterprise number" in str(error.value.error_dict["identifiers"])


class TestByName:
    def test_ldes_agents_land_in_the_refnis_authorities_and_teach_them_their_number(
        self, seeded_without_identifiers, server, ldes_agents
    ):
        """Every local authority among data.gov.be's agent members is found by its names
        alone ("Ville de Bruxelles", "Berchem Sainte-Agathe", "Woluwé-Saint-Lambert"), as
        enterprise_numbers.csv says; the others are kept as who they are."""
        municipal = sorted(
            str(s)
            for s in ldes_agents.subjects(DCTERMS.type, LOCAL_AUTHORITY)
            if str(s).startswith(CBE)
        )
        others = [ENVIRONNEMENT, CBE + "0247499953"]  # Bruxelles Environnement, STIB
        agents = [URIRef(iri) for iri in municipal + others]
        described = Graph()
        for subject in agents:
            for triple in ldes_agents.triples((subject, None, None)):
                described.add(triple)
        body = page(
            *(dataset(iri.rsplit("/", 1)[1], f"<{iri}>") for iri in municipal + others),
            described.serialize(format="nt"),
        )

        summary, datasets = harvest(server, body)

        assert (summary.added, summary.errors) == (len(agents), 0)
        known = {iri.rsplit("/", 1)[1]: nis for (nis, _kind), iri in enterprise_numbers().items()}
        # All but the province of West Flanders, a local authority the portal does not seed.
        assert len(known) == 18 and set(municipal) - {CBE + n for n in known} == {
            CBE + "0207725696"
        }
        province = organization(datasets["0207725696"]["owner_org"])
        assert province["authority_type"] == "other_public_body"
        assert province["title"].startswith("Province de Flandre")  # two French names given
        for number, nis_code in known.items():
            owner = organization(datasets[number]["owner_org"])
            assert (owner["nis_code"], owner["authority_type"]) == (nis_code, "municipality")
            # Found by name: its number is recorded, for the next harvest.
            assert owner["identifiers"] == [CBE + number]
        assert datasets["0207373429"]["organization"]["name"] == "bruxelles"
        # Its DCAT-AP conforms: the agent's ADMS type is described as a skos:Concept.
        city = tk.get_action("package_show")({}, {"id": datasets["0207373429"]["id"]})
        conforms, findings = validate_graph(dataset_graph(city))
        assert conforms, [f.as_dict() for f in findings if f.severity == "Violation"]
        environment = organization(datasets["0236916956"]["owner_org"])
        assert environment["authority_type"] == "other_public_body"
        assert environment["title_translated"] == {
            "fr": "Bruxelles Environnement",
            "nl": "Leefmilieu Brussel",
            "en": "Bruxelles Environnement",
        }
        assert environment["publisher_uri"] == ENVIRONNEMENT
        assert environment["identifiers"] == [ENVIRONNEMENT]
        assert organization(datasets["0247499953"]["owner_org"])["title"] == "STIB"

        # Next time, the bare IRI is enough (and no second organization is made).
        organizations = len(tk.get_action("organization_list")({}, {}))
        _summary, datasets = harvest(server, page(dataset("later", f"<{BRUXELLES}>")))
        assert datasets["later"]["organization"]["name"] == "bruxelles"
        assert len(tk.get_action("organization_list")({}, {})) == organizations

    @pytest.mark.parametrize(
        ("names", "authority"),
        [
            (['"Administration communale de Woluwé-Saint-Lambert"@fr'], "woluwe-saint-lambert"),
            (['"Gemeente Elsene"@nl'], "ixelles"),
            (['"Commune d\'Etterbeek"@fr', '"Gemeente Etterbeek"@nl'], "etterbeek"),
            (['"CPAS de Saint-Gilles"@fr'], "cpas-saint-gilles"),
            (['"OCMW Sint-Gillis"@nl'], "cpas-saint-gilles"),
            (['"Ville de Bruxelles"@fr', '"City of Brussels"@en'], "bruxelles"),
            (['"SCHAERBEEK"'], "schaerbeek"),
        ],
    )
    def test_names_with_the_usual_prefixes_in_any_language(self, seeded, server, names, authority):
        body = page(dataset("a", "_:publisher"), agent("_:publisher", *names))

        _summary, datasets = harvest(server, body, owner="anderlecht")

        assert datasets["a"]["organization"]["name"] == authority
        # The publisher keeps the source's names, and gets its authority's IRI.
        (publisher,) = datasets["a"]["publisher"]
        assert publisher["uri"] == organization(authority)["publisher_uri"]

    def test_a_name_with_another_enterprise_number_is_another_entity(self, seeded, server):
        """Bruxelles has its number: a "Ville de Bruxelles" with another is not it."""
        body = page(
            dataset("a", f"<{CBE}0212345668>"),
            agent(f"<{CBE}0212345668>", '"Ville de Bruxelles"@fr'),
        )

        _summary, datasets = harvest(server, body)

        owner = organization(datasets["a"]["owner_org"])
        assert owner["authority_type"] == "other_public_body"
        assert organization("bruxelles")["identifiers"] == [BRUXELLES]


class TestOtherPublicBodies:
    def test_a_publisher_known_only_by_its_number_is_named_by_it_until_its_source_names_it(
        self, seeded, server
    ):
        _summary, datasets = harvest(server, page(dataset("a", f"<{ENVIRONNEMENT}>")))

        body = organization(datasets["a"]["owner_org"])
        assert body["authority_type"] == "other_public_body"
        assert body["title_translated"]["fr"] == "Entreprise n° 0236.916.956"
        assert datasets["a"]["publisher"][0]["name_translated"]["nl"] == (
            "Onderneming nr. 0236.916.956"
        )

        named = agent(f"<{ENVIRONNEMENT}>", '"Bruxelles Environnement"@fr')
        _summary, datasets = harvest(server, page(dataset("a", f"<{ENVIRONNEMENT}>"), named))

        assert datasets["a"]["owner_org"] == body["id"]
        assert organization(body["id"])["title_translated"] == {"fr": "Bruxelles Environnement"}

    def test_a_publisher_named_without_an_iri_is_found_again_by_its_name(self, seeded, server):
        body = page(dataset("a", "_:p"), agent("_:p", '"Port de Bruxelles"@fr'))
        _summary, first = harvest(server, body)
        body = page(dataset("b", "_:p"), agent("_:p", '"PORT DE BRUXELLES"@fr'))
        _summary, second = harvest(server, body)

        assert first["a"]["owner_org"] == second["b"]["owner_org"]
        assert organization(first["a"]["owner_org"])["title"] == "Port de Bruxelles"


class TestPolicies:
    CATALOGUE = page(
        dataset("city", f"<{BRUXELLES}>"),
        dataset("environment", f"<{ENVIRONNEMENT}>"),
        agent(f"<{ENVIRONNEMENT}>", '"Bruxelles Environnement"@fr', '"Leefmilieu Brussel"@nl'),
        dataset("unsigned"),
    )

    def test_publishers_is_the_default(self, seeded, server):
        summary, datasets = harvest(server, self.CATALOGUE)

        assert (summary.added, summary.skipped) == (3, 0)
        assert datasets["city"]["organization"]["name"] == "bruxelles"
        assert organization(datasets["environment"]["owner_org"])["title"] == (
            "Bruxelles Environnement"
        )
        # A record that names no publisher is its source's owner's.
        assert datasets["unsigned"]["organization"]["name"] == "ixelles"

    def test_owner_files_everything_under_the_sources_owner(self, seeded, server):
        summary, datasets = harvest(server, self.CATALOGUE, {"attribution": "owner"})

        assert summary.added == 3
        assert {d["organization"]["name"] for d in datasets.values()} == {"ixelles"}
        # Who published it is still said: the publisher is kept, and named.
        assert datasets["environment"]["publisher"][0]["name"] == "Bruxelles Environnement"
        assert datasets["city"]["publisher"][0]["name_translated"]["nl"] == "Brussel"
        # ... but no organization is made for it.
        assert "bruxelles-environnement" not in tk.get_action("organization_list")({}, {})

    def test_own_skips_other_publishers_with_a_clear_status(self, seeded, server):
        summary, datasets = harvest(server, self.CATALOGUE, {"attribution": "own"})

        assert (summary.added, summary.skipped, summary.errors) == (2, 1, 0)
        assert set(datasets) == {"city", "unsigned"}
        source = tk.get_action("harvest_source_show")(site_context(), {"id": "aggregator"})
        stats = source["status"]["last_job"]["stats"]
        # Skipped, not failed: ckanext-harvest's job statistics count no error.
        assert (stats["added"], stats["skipped"], stats["errored"]) == (2, 1, 0)
        assert "bruxelles-environnement" not in tk.get_action("organization_list")({}, {})

    def test_switching_to_own_withdraws_what_other_publishers_published(self, seeded, server):
        harvest(server, self.CATALOGUE)

        # Unchanged records keep their attribution until they change, or a forced harvest.
        summary, _datasets = harvest(server, self.CATALOGUE, {"attribution": "own"})
        assert (summary.unchanged, summary.withdrawn) == (3, 0)
        summary, datasets = harvest(server, self.CATALOGUE, {"attribution": "own"}, force=True)

        assert (summary.updated, summary.withdrawn, summary.skipped) == (2, 1, 1)
        assert set(datasets) == {"city", "unsigned"}

    def test_an_unknown_policy_is_refused_when_the_source_is_saved(self, seeded, server):
        with pytest.raises(tk.ValidationError) as error:
            make_source(
                server, organization("ixelles"), "bad", "/dcat.ttl", config={"attribution": "all"}
            )
        assert "publishers, owner, own" in str(error.value.error_dict)


def test_a_harvested_dataset_gets_no_territory_it_does_not_state(seeded, server):
    """The authority's territory is added to what it describes itself, never to what
    its source said nothing of."""
    _summary, datasets = harvest(server, page(dataset("a", f"<{BRUXELLES}>")))
    harvested = tk.get_action("package_show")({}, {"id": datasets["a"]["id"]})
    own = tk.get_action("package_create")(
        site_context(),
        {**copy.deepcopy(TREES), "name": "bruxelles-arbres", "owner_org": "bruxelles"},
    )

    assert not list(dataset_graph(harvested).objects(None, DCTERMS.spatial))
    assert list(dataset_graph(own).objects(None, DCTERMS.spatial)) == [
        URIRef("http://vocab.belgif.be/auth/refnis2019/21004")
    ]


def test_seeding_again_keeps_the_identifiers_harvests_recorded(seeded, brussels_authorities):
    tk.get_action("organization_patch")(
        site_context(), {"id": "bruxelles", "identifiers": [BRUXELLES, "https://example.be/bxl"]}
    )

    list(authorities.seed([a for a in brussels_authorities if a.nis_code in MET]))

    assert organization("bruxelles")["identifiers"] == [BRUXELLES, "https://example.be/bxl"]
    assert organization("ixelles")["identifiers"] == [CBE + "0207401341"]
    assert organization("etterbeek")["identifiers"] == []


def test_creators_given_by_iri_alone_are_named_after_who_they_are(seeded, server):
    """A creator is an agent like a publisher: by the organization its IRI identifies,
    else, known only by an enterprise number, as the CBE writes it; an IRI that says
    nothing stays in the dataset and out of the export (DCAT-AP wants agents named)."""
    unknown_number = CBE + "0212345668"
    record = dataset("a", f"<{BRUXELLES}>").replace(
        "  dcat:distribution",
        f"  dct:creator <{BRUXELLES}>, <{unknown_number}>, "
        "<https://www.odwb.be/explore/?refine.dcat.creator=Service> ;\n  dcat:distribution",
    )
    _summary, datasets = harvest(server, page(record))
    shown = tk.get_action("package_show")({}, {"id": datasets["a"]["id"]})
    creators = {c["uri"]: c for c in shown["creator"]}

    names = organization("bruxelles")["title_translated"]
    assert creators[BRUXELLES]["name_translated"] == {k: v for k, v in names.items() if v}
    assert creators[unknown_number]["name_translated"]["fr"] == "Entreprise n° 0212.345.668"
    anonymous = "https://www.odwb.be/explore/?refine.dcat.creator=Service"
    assert not creators[anonymous].get("name")
    graph = dataset_graph(shown)
    exported = {str(c) for c in graph.objects(None, DCTERMS.creator)}
    assert exported == {BRUXELLES, unknown_number}
    conforms, findings = validate_graph(graph)
    assert conforms, [f for f in findings if f.severity == "Violation"]


def test_a_record_titled_only_in_machine_translation_is_kept(seeded, server):
    record = dataset("a").replace('dct:title "Jeu a"@fr', 'dct:title "Spel a"@nl-t-fr')
    summary, datasets = harvest(server, page(record))

    assert (summary.added, summary.errors) == (1, 0)
    shown = tk.get_action("package_show")({}, {"id": datasets["a"]["id"]})
    assert shown["title_machine_translated"] == {"nl": {"text": "Spel a", "from": "fr"}}
    assert not any(shown["title_translated"].values())
    assert shown["name"] == "spel-a"
