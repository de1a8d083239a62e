"""Belgian local authorities from the REFNIS (NIS) code list.

Statbel publishes REFNIS as a cp1252, ``;``-separated file with French and
Dutch names and each municipality's language regime. From it come the
municipalities of the Brussels-Capital Region and Wallonia and, beside each,
its CPAS/OCMW (public social welfare centre): one organization each, with the
enterprise numbers other catalogues know them by (``enterprise_numbers.csv``).
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import ckan.plugins.toolkit as tk

from ckanext.wepulse.authorities.identity import CBE_IRI
from ckanext.wepulse.seeding import upsert

__all__ = ["Authority", "enterprise_numbers", "read_refnis", "refnis_iri", "seed", "REFNIS_FILE"]

REFNIS_FILE = str(importlib.resources.files(__name__) / "REFNIS_2019.csv")
ENTERPRISE_NUMBERS_FILE = importlib.resources.files(__name__) / "enterprise_numbers.csv"

# NIS codes of municipalities start with their province's (or Brussels') digits.
REGION_OF_PROVINCE = {
    "21": "brussels",  # arrondissement of Brussels-Capital
    "25": "wallonia",  # Walloon Brabant
    "5": "wallonia",  # Hainaut
    "6": "wallonia",  # Liège
    "8": "wallonia",  # Luxembourg
    "9": "wallonia",  # Namur
}
# The welfare centre's name in each language.
CPAS_NAME = {"fr": "CPAS de {}", "nl": "OCMW {}", "de": "ÖSHZ {}"}


def refnis_iri(nis_code: str) -> str:
    """The territory's IRI in Belgif's REFNIS vocabulary (for dct:spatial)."""
    return f"http://vocab.belgif.be/auth/refnis2019/{nis_code}"


@dataclass(frozen=True)
class Authority:
    nis_code: str
    authority_type: str  # municipality | cpas
    region: str
    name: str  # the organization's URL name
    title: str  # the official name(s), as citizens know it
    names: dict[str, str] = field(default_factory=dict)  # by language, with exonyms


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _region(nis_code: str) -> str | None:
    for prefix, region in REGION_OF_PROVINCE.items():
        if nis_code.startswith(prefix):
            return region
    return None


def _official_languages(regime: str) -> list[str]:
    """REFNIS language regimes: F, N, D, FN (Brussels); the first letter rules."""
    return [{"F": "fr", "N": "nl", "D": "de"}[letter] for letter in regime if letter in "FND"]


def _cpas_name(lang: str, municipality: str) -> str:
    if lang == "fr" and unicodedata.normalize("NFD", municipality)[:1].upper() in "AEIOUYH":
        return f"CPAS d'{municipality}"
    return CPAS_NAME[lang].format(municipality)


def read_refnis(data: bytes) -> Iterator[Authority]:
    """Every Brussels and Walloon municipality in REFNIS, each followed by its CPAS."""
    rows = csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";")
    next(rows)  # header: Code INS;Entités administratives;Langue;Code NIS;…
    for row in rows:
        if len(row) < 6 or not re.fullmatch(r"\d{5}", row[0]):
            continue
        nis_code, name_fr, regime, name_nl = row[0], row[1].strip(), row[2].strip(), row[4].strip()
        region = _region(nis_code)
        # Provinces and arrondissements have no language regime.
        if region is None or not regime:
            continue
        official = _official_languages(regime)
        # The French column holds German-speaking municipalities' German names;
        # otherwise both columns are names in their language (exonyms included).
        names = {"fr": name_fr, "nl": name_nl} | ({"de": name_fr} if "de" in official else {})
        title = " / ".join(dict.fromkeys(names[lang] for lang in official))
        slug = slugify(name_fr)
        cpas = {lang: _cpas_name(lang, name) for lang, name in names.items()}
        cpas_title = " / ".join(dict.fromkeys(cpas[lang] for lang in official))
        yield Authority(nis_code, "municipality", region, slug, title, names)
        yield Authority(nis_code, "cpas", region, f"cpas-{slug}", cpas_title, cpas)


def organization_dict(authority: Authority, publisher_base_uri: str) -> dict[str, object]:
    return {
        "name": authority.name,
        "title": authority.title,
        "title_translated": authority.names,
        "nis_code": authority.nis_code,
        "authority_type": authority.authority_type,
        "region": authority.region,
        "publisher_uri": publisher_base_uri + authority.name,
    }


def enterprise_numbers() -> dict[tuple[str, str], str]:
    """(NIS code, authority type) -> the authority's CBE IRI, where it is known."""
    rows = csv.DictReader(io.StringIO(ENTERPRISE_NUMBERS_FILE.read_text(encoding="utf-8")))
    return {
        (row["nis_code"], row["authority_type"]): CBE_IRI.format(row["enterprise_number"])
        for row in rows
    }


def seed(authorities: list[Authority]) -> Iterator[tuple[str, str]]:
    """Create or update one organization per authority; yields (name, outcome).

    Identifiers harvests recorded on an authority since are kept.
    """
    base = tk.config.get("ckanext.wepulse.publisher_base_uri") or (
        tk.config.get("ckan.site_url").rstrip("/") + "/organization/"
    )
    numbers = enterprise_numbers()
    for authority in authorities:
        data = organization_dict(authority, base)
        number = numbers.get((authority.nis_code, authority.authority_type))
        data["identifiers"] = [number] if number else []
        yield authority.name, upsert("organization", data, added_to=("identifiers",))
