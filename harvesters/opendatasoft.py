"""Opendatasoft portals through the Explore API v2.1 (opendata.bruxelles.be and others).

``records()`` pages ``/api/explore/v2.1/catalog/datasets`` (100 a page); the API pages
no further than 10,000, so a larger catalogue is read in one go from
``/catalog/exports/json`` (a JSON array of the same dataset objects). ``map()`` reads
``metas.default`` (ODS's own template) and ``metas.dcat`` where the portal fills it; a
dataset's files are its record exports (if it has records), its alternative exports
and its attachments, each at its API URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from ckanext.wepulse import vocabularies
from ckanext.wepulse.vocabularies import fold
from harvesters.base import Adapter, Record, RecordError, SourceError, json_hash
from harvesters.language import CONTENT_LANGUAGES, translations
from harvesters.mapping import (
    concept_uris,
    file_type,
    html_to_markdown,
    iso_date,
    licence_id,
    split_list,
)

__all__ = ["OpendatasoftAdapter", "has_content"]

API = "/api/explore/v2.1/catalog"
PAGE_SIZE = 100
#: The spec's ``limit``: "offset+limit should be less than 10000"; a catalogue whose last
#: page would reach that is exported instead (one more page would be refused).
MAX_PAGED = 10_000

# Record exports every dataset with records offers (of the spec's enum-format-datasets-v2.1),
# by the name its resource gets; GeoJSON only for datasets with the "geo" feature.
EXPORTS = {"csv": "CSV", "json": "JSON", "geojson": "GeoJSON", "xlsx": "XLSX", "parquet": "Parquet"}
EXPORT_NAME = {"fr": "Export {}", "nl": "{}-export", "de": "{}-Export", "en": "{} export"}

# What changes without any metadata change, left out of the content hash: records_count
# moves with every data update, data_processed and metadata_processed with every
# (scheduled, often daily) reprocessing. ``modified`` stays: it is mapped, and ODS moves
# it on data change only where the portal says so (modified_updates_on_data_change).
VOLATILE_METAS = ("records_count", "data_processed", "metadata_processed")

# The parts of ODS's standard theme labels ("Administration, Gouvernement, Finances
# publiques, Citoyenneté", "Culture, Heritage"...) that are no EU theme's label, by
# folded text -> EU data-theme code. A part found neither here nor in the vocabulary
# becomes a keyword.
THEME_PARTS = {
    "administration": "GOVE", "government": "GOVE", "gouvernement": "GOVE",
    "public finances": "ECON", "finances publiques": "ECON",
    "economy": "ECON", "economie": "ECON", "business": "ECON", "employment": "ECON",
    "emploi": "ECON", "economic development": "ECON", "developpement economique": "ECON",
    "spatial planning": "REGI", "amenagement du territoire": "REGI",
    "town planning": "REGI", "urbanisme": "REGI",
    "culture": "EDUC", "heritage": "EDUC", "patrimoine": "EDUC", "education": "EDUC",
    "sports": "EDUC", "sport": "EDUC", "research": "TECH", "recherche": "TECH",
    "mobility": "TRAN", "mobilite": "TRAN", "deplacements": "TRAN",
    "justice": "JUST", "security": "JUST", "securite": "JUST", "police": "JUST",
    "social services": "SOCI", "services sociaux": "SOCI", "solidarite": "SOCI",
}  # fmt: skip


#: A dataset's ``translations()`` of one text (see OpendatasoftAdapter._texts).
Texts = Callable[[str | None], dict[str, str]]


def has_content(item: dict[str, Any]) -> bool:
    """Whether a dataset offers anything to download: records, attachments or
    alternative exports. One that offers nothing is not harvested at all."""
    return bool(_has_records(item) or item.get("attachments") or item.get("alternative_exports"))


def _has_records(item: dict[str, Any]) -> bool:
    return bool(item.get("has_records")) and item.get("data_visible") is not False


class OpendatasoftAdapter(Adapter):
    source_type = "opendatasoft"
    title = "Opendatasoft portal (Explore API v2.1)"

    @property
    def base(self) -> str:
        return self.url.rstrip("/")

    def _filters(self) -> dict[str, str]:
        """The configured ODSQL ``where`` and facet ``refine``, always in this order."""
        return {key: self.config[key] for key in ("where", "refine") if self.config.get(key)}

    # -- records ------------------------------------------------------------------

    def records(self) -> Iterator[Record | RecordError]:
        seen: set[str] = set()
        for where, item in self._items():
            if not isinstance(item, dict) or not item.get("dataset_id"):
                uid = item.get("dataset_uid") if isinstance(item, dict) else None
                yield RecordError(f"{where}: dataset {uid or '?'} has no dataset_id", guid=uid)
            elif has_content(item):
                record = self._record(item)
                if record.guid not in seen:  # the catalogue can shift while we page
                    seen.add(record.guid)
                    yield record

    def _items(self) -> Iterator[tuple[str, Any]]:
        """(URL it came from, dataset object) for the whole filtered catalogue."""
        if "/api/" in self.base:
            raise SourceError(_api_address(self.base))
        url = f"{self.base}{API}/datasets"
        offset = 0
        while True:
            params = {"limit": PAGE_SIZE, "offset": offset, **self._filters()}
            response = self.http.get(url, params=params)
            page = response.json()
            if isinstance(page, dict) and {"nhits", "datasets"} <= page.keys():
                raise SourceError(
                    f"{response.url}: this portal answers Explore API v1 (an api/datasets/1.0 "
                    "search), not the Explore API v2.1 this source type reads: check that "
                    f"{self.base} is the portal's own address (where its v2.1 catalogue, "
                    f"{url}, answers)"
                )
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise SourceError(f"{response.url}: not a dataset page (no 'results' list)")
            total = page.get("total_count")
            if offset == 0 and isinstance(total, int) and total > MAX_PAGED - PAGE_SIZE:
                yield from self._exported_items()
                return
            yield from ((response.url, item) for item in page["results"])
            offset += PAGE_SIZE
            done = isinstance(total, int) and offset >= total
            if len(page["results"]) < PAGE_SIZE or done:
                return

    def _exported_items(self) -> Iterator[tuple[str, Any]]:
        url = f"{self.base}{API}/exports/json"
        response = self.http.get(url, params=self._filters() or None)
        items = response.json()
        if not isinstance(items, list):
            raise SourceError(f"{response.url}: the catalogue export is not a JSON array")
        yield from ((response.url, item) for item in items)

    def _record(self, item: dict[str, Any]) -> Record:
        default = (item.get("metas") or {}).get("default") or {}
        modified = default.get("modified") or default.get("data_processed")
        return Record(
            guid=item.get("dataset_uid") or item["dataset_id"],
            payload={"portal": self.base, "dataset": item},
            content_hash=json_hash(_stable(item)),
            url=f"{self.base}/explore/dataset/{item['dataset_id']}/",
            modified=iso_date(modified or default.get("metadata_processed")),
        )

    # -- mapping ------------------------------------------------------------------

    def map(self, record: Record) -> dict[str, Any]:
        base, item = record.payload["portal"], record.payload["dataset"]
        metas = item.get("metas") or {}
        default, dcat = metas.get("default") or {}, metas.get("dcat") or {}
        texts = self._texts(default.get("language"))
        title = texts(default.get("title"))
        if not title:
            raise RecordError(f"dataset {item.get('dataset_id')} has no title", record.guid)
        themes, unknown_themes = _themes(default.get("theme"), dcat.get("theme"))
        keywords = split_list(default.get("keyword")) + unknown_themes
        page = f"{base}/explore/dataset/{item['dataset_id']}/"
        licence = licence_id(default.get("license_url")) or licence_id(default.get("license"))
        frequencies = concept_uris("frequencies", [dcat.get("accrualperiodicity")])[0]
        dataset = {
            "title_translated": title,
            "notes_translated": texts(html_to_markdown(default.get("description"))),
            "tags_translated": _keywords(keywords, texts),
            "theme": themes,
            "license_id": licence,
            "language": concept_uris("languages", [(default.get("language") or "")[:2]])[0],
            "modified": iso_date(default.get("modified")),
            "issued": iso_date(dcat.get("issued") or dcat.get("created")),
            "frequency": frequencies[0] if frequencies else None,
            "temporal_coverage": _temporal(dcat),
            "spatial_coverage": _spatial(dcat.get("spatial")),
            "contact": _contact(dcat),
            "publisher": _publisher(default),
            "url": page,
            "uri": page,
            "identifier": item["dataset_id"],
            "resources": _resources(base, item, texts),
        }
        return {key: value for key, value in dataset.items() if value not in (None, "", [], {})}

    def _texts(self, tag: str | None) -> Texts:
        """``translations()`` of one text tagged with the dataset's language; untagged
        or undetectable text goes to the configured language, else the dataset's."""
        fallback = self.config.get("default_language") or (
            tag if tag in CONTENT_LANGUAGES else CONTENT_LANGUAGES[0]
        )

        def texts(text: str | None) -> dict[str, str]:
            return translations([(text or "", tag)], default=fallback)

        return texts


def _api_address(url: str) -> str:
    """What to say of a source address that is one of the portal's API's, not its own."""
    portal = url.split("/api/")[0]
    api = "Explore API v1" if "/1.0" in url else "Explore API"
    return (
        f"{url} is an address of the portal's {api}, not the portal's own: "
        f"give the portal's address, {portal}, whose Explore API v2.1 catalogue "
        f"({portal}{API}/datasets) this source type reads"
    )


def _stable(item: dict[str, Any]) -> dict[str, Any]:
    """The dataset object without its VOLATILE_METAS, for the content hash."""
    metas = dict(item.get("metas") or {})
    default = metas.get("default") or {}
    metas["default"] = {key: value for key, value in default.items() if key not in VOLATILE_METAS}
    return {**item, "metas": metas}


def _themes(ods_themes: Any, dcat_themes: Any) -> tuple[list[str], list[str]]:
    """EU theme IRIs for ODS theme labels and DCAT theme IRIs, and the themes that
    match nothing (to keep as keywords). A label no EU theme has is split at ", "."""
    values: list[str] = list(split_list(dcat_themes, separators=" "))
    unknown: list[str] = []
    for label in split_list(ods_themes, separators=";|"):
        if concept_uris("data_themes", [label])[0]:
            values.append(label)
            continue
        for part in [p.strip() for p in label.split(", ") if p.strip()]:
            if part in vocabularies.load("data_themes"):
                values.append(part)
            elif fold(part) in THEME_PARTS:
                values.append(THEME_PARTS[fold(part)])
            else:
                unknown.append(part)
    # A DCAT theme that is no EU theme IRI is dropped: an IRI makes a poor keyword.
    return concept_uris("data_themes", values)[0], unknown


def _keywords(keywords: list[str], texts: Texts) -> dict[str, list[str]]:
    """``{language: [keyword]}``, each keyword's language checked on its own."""
    tags: dict[str, list[str]] = {}
    for keyword in keywords:
        for language, text in texts(keyword).items():
            if text not in tags.setdefault(language, []):
                tags[language].append(text)
    return tags


def _publisher(default: dict[str, Any]) -> list[dict[str, str]]:
    """The publisher ODS's own template names (a text: ODS gives no IRI)."""
    name = default.get("publisher")
    return [{"name": name.strip()}] if isinstance(name, str) and name.strip() else []


def _temporal(dcat: dict[str, Any]) -> list[dict[str, str]]:
    start = iso_date(dcat.get("temporal_coverage_start"))
    end = iso_date(dcat.get("temporal_coverage_end"))
    period = {key: value for key, value in (("start", start), ("end", end)) if value}
    return [period] if period else []


def _spatial(spatial: Any) -> list[dict[str, str]]:
    """ODS's dcat.spatial is free text, or now and then an IRI."""
    text = spatial.strip() if isinstance(spatial, str) else ""
    return [{"uri" if text.startswith(("http://", "https://")) else "text": text}] if text else []


def _contact(dcat: dict[str, Any]) -> list[dict[str, str]]:
    contact = {"name": dcat.get("contact_name"), "email": dcat.get("contact_email")}
    contact = {key: value.strip() for key, value in contact.items() if value and value.strip()}
    return [contact] if contact else []


def _resources(base: str, item: dict[str, Any], texts: Texts) -> list[dict[str, Any]]:
    """Record exports (if it has records), then alternative exports and attachments."""
    dataset_url = f"{base}{API}/datasets/{quote(item['dataset_id'], safe='@')}"
    resources = []
    if _has_records(item):
        geo = "geo" in (item.get("features") or [])
        for fmt in EXPORTS:
            if fmt != "geojson" or geo:
                resources.append(_export(f"{dataset_url}/exports/{fmt}", fmt))
    # Files at .../{kind}/{id}: the spec's attachments example links
    # "…/catalog/datasets/geonames-all-cities-with-a-population-1000/attachments/cities1000_zip".
    for kind in ("alternative_exports", "attachments"):
        for file in item.get(kind) or []:
            if isinstance(file, dict) and file.get("id"):
                resources.append(_file(f"{dataset_url}/{kind}/{quote(file['id'])}", file, texts))
    return resources


def _export(url: str, fmt: str) -> dict[str, Any]:
    names = {lang: template.format(EXPORTS[fmt]) for lang, template in EXPORT_NAME.items()}
    return {"url": url, "format": file_type(fmt), "name_translated": names}


def _file(url: str, file: dict[str, Any], texts: Texts) -> dict[str, Any]:
    """An attachment or alternative export: ``url`` is ``odsfile://<file name>``."""
    mimetype = file.get("mimetype")
    name = (file.get("url") or "").rpartition("/")[2]
    extension = name.rpartition(".")[2] if "." in name else ""
    known = [v for v in (mimetype, extension) if v and v in vocabularies.load("file_types")]
    resource = {
        "url": url,
        "format": file_type(known[0] if known else mimetype or extension),
        "mimetype": mimetype,
        "name_translated": texts(file.get("title") or file["id"]),
        "description_translated": texts(file.get("description")),
    }
    return {key: value for key, value in resource.items() if value}
