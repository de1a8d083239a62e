"""Authorities from Statbel's REFNIS list: reading it, and seeding organizations."""

from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk

from ckanext.wepulse import authorities
from ckanext.wepulse.seeding import site_context

REFNIS = authorities.REFNIS_FILE


@pytest.fixture(scope="module")
def everyone() -> list[authorities.Authority]:
    with open(REFNIS, "rb") as f:
        return list(authorities.read_refnis(f.read()))


def by_name(found, name):
    return next(a for a in found if a.name == name)


class TestReadRefnis:
    def test_brussels_and_wallonia_municipalities_each_with_their_cpas(self, everyone):
        counts = {}
        for authority in everyone:
            key = (authority.region, authority.authority_type)
            counts[key] = counts.get(key, 0) + 1
        assert counts == {
            ("brussels", "municipality"): 19,
            ("brussels", "cpas"): 19,
            ("wallonia", "municipality"): 262,
            ("wallonia", "cpas"): 262,
        }

    def test_names_are_unique(self, everyone):
        assert len({a.name for a in everyone}) == len(everyone)

    def test_brussels_is_bilingual(self, everyone):
        ixelles = by_name(everyone, "ixelles")
        assert ixelles.nis_code == "21009"
        assert ixelles.names == {"fr": "Ixelles", "nl": "Elsene"}
        assert ixelles.title == "Ixelles / Elsene"
        assert by_name(everyone, "cpas-ixelles").title == "CPAS d'Ixelles / OCMW Elsene"

    def test_wallonia_keeps_its_french_name_with_dutch_exonyms_as_translations(self, everyone):
        liege = by_name(everyone, "liege")
        assert liege.title == "Liège"
        assert liege.names["nl"] == "Luik"

    def test_german_speaking_municipalities_are_named_in_german(self, everyone):
        eupen = by_name(everyone, "eupen")
        assert eupen.region == "wallonia"
        assert eupen.names["de"] == "Eupen"
        cpas = by_name(everyone, "cpas-eupen")
        assert cpas.title == "ÖSHZ Eupen"
        assert cpas.names["fr"] == "CPAS d'Eupen"

    def test_provinces_and_arrondissements_are_not_authorities(self, everyone):
        codes = {a.nis_code for a in everyone}
        assert "21000" not in codes  # arrondissement of Brussels-Capital
        assert "50000" not in codes  # province of Hainaut

    def test_a_non_refnis_file_yields_nothing(self):
        assert list(authorities.read_refnis("name;other\nfoo;bar\n".encode("cp1252"))) == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestSeed:
    @pytest.fixture
    def brussels(self, everyone):
        return [a for a in everyone if a.region == "brussels"]

    def test_seeding_creates_one_organization_per_authority(self, brussels):
        outcomes = dict(authorities.seed(brussels))
        assert set(outcomes.values()) == {"created"} and len(outcomes) == 38
        ixelles = tk.get_action("organization_show")({}, {"id": "ixelles"})
        assert ixelles["title"] == "Ixelles / Elsene"
        assert ixelles["title_translated"] == {"fr": "Ixelles", "nl": "Elsene"}
        assert (ixelles["nis_code"], ixelles["authority_type"], ixelles["region"]) == (
            "21009",
            "municipality",
            "brussels",
        )
        assert ixelles["publisher_uri"].endswith("/organization/ixelles")

    def test_seeding_again_updates_and_never_duplicates(self, brussels):
        list(authorities.seed(brussels))
        tk.get_action("organization_patch")(site_context(), {"id": "ixelles", "title": "Renamed"})
        outcomes = dict(authorities.seed(brussels))
        assert outcomes["ixelles"] == "updated"
        assert {o for name, o in outcomes.items() if name != "ixelles"} == {"unchanged"}
        assert len(tk.get_action("organization_list")({}, {})) == 38
        ixelles = tk.get_action("organization_show")({}, {"id": "ixelles"})
        assert ixelles["title"] == "Ixelles / Elsene"

    def test_an_invalid_nis_code_is_refused_clearly(self):
        with pytest.raises(tk.ValidationError) as error:
            tk.get_action("organization_create")(
                site_context(), {"name": "nowhere", "nis_code": "2100"}
            )
        assert "five digits" in str(error.value.error_dict["nis_code"])
