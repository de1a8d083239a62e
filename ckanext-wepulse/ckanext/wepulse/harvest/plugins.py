"""ckanext-harvest's view of the adapters: one ``IHarvester`` plugin per source type.

ckanext-harvest's pipeline sends each record through a queue twice (fetch, then
import) and writes each dataset in its own transaction. A WePulse harvest does the
whole job in the gather stage instead (``sync.harvest``), which batches the writes
and skips unchanged records before mapping them; it still records one harvest object
per record, so ckanext-harvest's job reports, statistics and error lists work as
for any harvester.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
from ckan import model
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.harvest.attribution import attribution_policy
from ckanext.wepulse.harvest.sources import ADAPTERS, make_http
from harvesters.safe_xml import UnsafeDocument, looks_like_xml, refuse_dtd

__all__ = [
    "WepulseCkanHarvester",
    "WepulseCswHarvester",
    "WepulseDcatHarvester",
    "WepulseOpendatasoftHarvester",
    "WepulseSpreadsheetHarvester",
]


class _AdapterHarvester(p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(p.IConfigurable)

    source_type: str

    def configure(self, config: Any) -> None:
        # A wrong allow_private (a range, a host without its port) stops the start.
        make_http().close()

    def info(self) -> dict[str, str]:
        adapter = ADAPTERS[self.source_type]
        return {"name": self.source_type, "title": adapter.title, "description": adapter.title}

    def validate_config(self, config: str | None) -> str | None:
        """The source's configuration is a JSON object of adapter options, of
        ``attribution``, which authority its datasets go to, and of ``load_tables``,
        whether its tables (CSV, spreadsheets) are loaded into the DataStore."""
        if config and config.strip():
            try:
                options = json.loads(config)
            except ValueError as error:
                raise ValueError(f"The configuration is not JSON: {error}") from None
            if not isinstance(options, dict):
                raise ValueError('The configuration is a JSON object, like {"max_pages": 50}')
            attribution_policy(options)
            if not isinstance(options.get("load_tables", False), bool):
                raise ValueError('"load_tables" is true or false')
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        """Where the record is at the source: its dataset's ``harvest_url``, else its guid."""
        harvest_object = HarvestObject.get(harvest_object_id)
        if harvest_object is None:
            return None
        package = model.Package.get(harvest_object.package_id or "")
        url = package.extras.get("harvest_url") if package else None
        return url or harvest_object.guid

    def gather_stage(self, harvest_job: Any) -> list[str]:
        sync.harvest(harvest_job.source, harvest_job)
        return []  # every record is already done: nothing for the fetch queue

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True

    def import_stage(self, harvest_object: Any) -> bool:
        return True


class WepulseCkanHarvester(_AdapterHarvester):
    source_type = "wepulse_ckan"


class WepulseCswHarvester(_AdapterHarvester):
    source_type = "wepulse_csw"


class WepulseDcatHarvester(_AdapterHarvester):
    """Also guards ckanext-dcat's own harvester (``dcat_rdf``), which reads pages with
    rdflib: XML that declares a DTD is refused before rdflib parses it."""

    p.implements(IDCATRDFHarvester, inherit=True)

    source_type = "wepulse_dcat"

    def after_download(self, content: str | None, harvest_job: Any) -> tuple[Any, list[str]]:
        if content and looks_like_xml(content):
            try:
                refuse_dtd(content, harvest_job.source.url)
            except UnsafeDocument as error:
                return None, [sync.refusal_message(error)]  # no content: the gather stops
        return content, []


class WepulseOpendatasoftHarvester(_AdapterHarvester):
    source_type = "wepulse_opendatasoft"


class WepulseSpreadsheetHarvester(_AdapterHarvester):
    source_type = "wepulse_spreadsheet"
