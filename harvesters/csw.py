"""Geoportals: OGC CSW 2.0.2 catalogues (GeoNetwork, pycsw) of ISO 19139 records.

``records()`` asks the catalogue for its capabilities (is it a CSW 2.0.2, does it
offer the output schema), then pages GetRecords (``ElementSetName=full``, 50 a page,
sorted by identifier so that pages do not shift) and stops by GeoNetwork's own rules:
``nextRecord`` 0, past ``numberOfRecordsMatched``, an empty page, ``nextRecord`` not
moving forward, or a page of records already read (a server that ignores
``startPosition``). A stop before every matched record was read leaves the listing
incomplete (``SourceError``): nothing is withdrawn on its account.

Records are ISO 19139 (``outputSchema`` gmd, the default) or, from a catalogue that
offers it, GeoDCAT-AP (``"output_schema": "dcat"``); the CSW envelope is unwrapped
either way. An ISO record's guid is its ``gmd:fileIdentifier`` and its content hash
the hash of its canonical XML. Services (``srv:SV_ServiceIdentification``) are
records of their own, and each dataset also carries the services that say they
operate on it (``srv:operatesOn``), which its mapping makes distributions of it:
so the datasets are yielded once the whole listing is read (kept in a temporary
file meanwhile, not in memory).

Requests are CSW's key-value GET requests, through the harvest's ``Http`` (timeouts,
size cap, SSRF guard), and responses are parsed with lxml after ``safe_xml`` refused
any DTD. OWSLib's CSW client was not used: it makes its own requests with
``requests`` (no size cap, no address guard), and its ISO parser is superseded by the
SEMIC mapping (``iso19139``). A page that is not well-formed XML is asked for again
record by record, so that only the broken records fail.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from lxml import etree

from harvesters.base import Adapter, Record, RecordError, SourceError
from harvesters.dcat import DcatAdapter, parse_rdf
from harvesters.safe_xml import refuse_dtd

__all__ = ["CswAdapter", "MalformedXml", "NS", "parse_xml", "service_summary"]

NS = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
}
OWS_NAMESPACES = ("http://www.opengis.net/ows", "http://www.opengis.net/ows/1.1")
#: ``output_schema`` option -> (CSW outputSchema, typeNames, its namespace declaration).
OUTPUT_SCHEMAS = {
    "iso19139": (NS["gmd"], "gmd:MD_Metadata", f"xmlns(gmd={NS['gmd']})"),
    "dcat": (NS["dcat"], "csw:Record", f"xmlns(csw={NS['csw']})"),
}
#: The namespaces of ISO 19139 records: gmd, and ISO 19115-2's gmi which extends it.
ISO_19139 = (NS["gmd"], "http://www.isotc211.org/2005/gmi")
PAGE_SIZE = 50  # GeoNetwork answers 25-50 records a page quickly; more gets slow
MAX_PAGES = 1000
#: The most bytes one record may take (a record with hundreds of online resources is
#: ~150 KB); a larger one fails alone.
MAX_RECORD_BYTES = 5 * 2**20
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class MalformedXml(SourceError):
    """A document that is not well-formed XML."""


def parse_xml(content: bytes, name: str) -> etree._Element:
    """A document's root, refusing DTDs (``safe_xml``) and reading nothing else."""
    refuse_dtd(content, name)
    try:
        return etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as error:
        raise MalformedXml(f"{name}: not well-formed XML ({error})") from None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _exception_text(root: etree._Element) -> str | None:
    """The message of an ``ows:ExceptionReport``, or None for any other document."""
    if _local(root) != "ExceptionReport" or etree.QName(root).namespace not in OWS_NAMESPACES:
        return None
    parts = []
    for exception in root:
        code = exception.get("exceptionCode") or ""
        texts = " ".join(" ".join(t.itertext()).strip() for t in exception)
        parts.append(f"{code}: {texts}".strip(": "))
    return "; ".join(parts) or "an exception report without a message"


def _text(element: etree._Element, path: str) -> str | None:
    found = element.xpath(f"string({path})", namespaces=NS)
    return found.strip() or None


@dataclass
class _Page:
    start: int
    elements: list[etree._Element]
    matched: int | None
    next_record: int


class CswAdapter(Adapter):
    source_type = "csw"
    title = "Geoportal (OGC CSW 2.0.2: ISO 19139 or GeoDCAT-AP records)"

    def __init__(
        self,
        url: str,
        http: Any,
        config: dict[str, Any] | None = None,
        parse_dataset: Callable[..., dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(url, http, config)
        self.parse_dataset = parse_dataset
        schema = self.config.get("output_schema", "iso19139")
        if schema not in OUTPUT_SCHEMAS:
            known = ", ".join(OUTPUT_SCHEMAS)
            raise ValueError(f"output_schema is one of {known}, not {schema!r}")
        self.schema = schema
        self.page_size = int(self.config.get("page_size", PAGE_SIZE))
        if not 1 <= self.page_size <= 100:
            raise ValueError("page_size is between 1 and 100 (GeoNetwork: 25 to 50)")
        # GeoDCAT-AP output is read and mapped as a DCAT source's pages are.
        self.dcat = DcatAdapter(url, http, self.config, parse_dataset)

    @property
    def endpoint(self) -> str:
        return self.url.split("?", 1)[0]

    # -- requests -----------------------------------------------------------------

    def _request(self, params: dict[str, Any]) -> etree._Element:
        response = self.http.get(self.endpoint, params={"service": "CSW", **params})
        root = parse_xml(response.content, response.url)
        message = _exception_text(root)
        if message is not None:
            raise SourceError(f"{response.url}: the catalogue answered an exception: {message}")
        return root

    def capabilities(self) -> etree._Element:
        """The catalogue's GetCapabilities, checked: a CSW 2.0.2 with GetRecords, and
        the output schema asked for, if the catalogue lists its schemas."""
        root = self._request({"request": "GetCapabilities", "acceptVersions": "2.0.2"})
        if _local(root) != "Capabilities" or etree.QName(root).namespace != NS["csw"]:
            raise SourceError(
                f"{self.url}: not a CSW 2.0.2 catalogue (GetCapabilities answered "
                f"<{root.tag}>); give the catalogue's CSW address, e.g. "
                "https://geoportail.example/geonetwork/srv/fre/csw"
            )
        operations = root.xpath("//*[local-name()='Operation']/@name")
        if operations and "GetRecords" not in operations:
            raise SourceError(f"{self.url}: the catalogue offers no GetRecords")
        schemas = root.xpath(
            "//*[local-name()='Operation'][@name='GetRecords']"
            "/*[local-name()='Parameter'][@name='outputSchema']//*[local-name()='Value']/text()"
        )
        wanted = OUTPUT_SCHEMAS[self.schema][0]
        offered = {schema.strip().rstrip("#/") for schema in schemas}
        if offered and wanted.rstrip("#/") not in offered:
            raise SourceError(
                f"{self.url}: the catalogue does not offer outputSchema {wanted} "
                f"(it offers {', '.join(sorted(offered))})"
            )
        return root

    def _get_records(self, start: int, size: int | None = None) -> Any:
        schema, type_names, namespace = OUTPUT_SCHEMAS[self.schema]
        params: dict[str, Any] = {
            "version": "2.0.2",
            "request": "GetRecords",
            "typeNames": type_names,
            "namespace": namespace,
            "outputSchema": schema,
            "elementSetName": "full",
            "resultType": "results",
            "startPosition": start,
            "maxRecords": size or self.page_size,
        }
        sort_by = self.config.get("sort_by", "Identifier:A")
        if sort_by:
            params["sortBy"] = sort_by
        if self.config.get("constraint"):  # CQL, e.g. OrganisationName = 'Ville de Namur'
            params.update(
                constraintLanguage="CQL_TEXT",
                constraint_language_version="1.1.0",
                constraint=self.config["constraint"],
            )
        elif self.config.get("filter"):  # an OGC Filter Encoding 1.1 document
            params.update(
                constraintLanguage="FILTER",
                constraint_language_version="1.1.0",
                constraint=self.config["filter"],
            )
        return self.http.get(self.endpoint, params={"service": "CSW", **params})

    def _page(self, start: int) -> _Page | list[RecordError | etree._Element]:
        """The page from ``start``; a page that is not well-formed XML is read again
        one record at a time, and its records come back one by one (or as errors)."""
        response = self._get_records(start)
        try:
            root = parse_xml(response.content, response.url)
        except MalformedXml:
            return self._one_by_one(start)
        return self._results(root, response.url, start)

    def _results(self, root: etree._Element, url: str, start: int) -> _Page:
        message = _exception_text(root)
        if message is not None:
            raise SourceError(f"{url}: the catalogue answered an exception: {message}")
        results = root.find(f"{{{NS['csw']}}}SearchResults")
        if results is None:
            raise SourceError(f"{url}: not a CSW GetRecords response (no csw:SearchResults)")
        elements = [child for child in results if isinstance(child.tag, str)]
        return _Page(
            start,
            elements,
            _int(results.get("numberOfRecordsMatched")),
            _int(results.get("nextRecord")) or 0,
        )

    def _one_by_one(self, start: int) -> list[RecordError | etree._Element]:
        found: list[RecordError | etree._Element] = []
        for position in range(start, start + self.page_size):
            response = self._get_records(position, size=1)
            try:
                page = self._results(
                    parse_xml(response.content, response.url), response.url, position
                )
            except SourceError as error:
                found.append(RecordError(f"record {position} of the listing: {error}"))
                continue
            if not page.elements:
                break
            found.extend(page.elements)
            if page.next_record == 0:
                break
        return found

    # -- the listing --------------------------------------------------------------

    def pages(self) -> Iterator[list[RecordError | etree._Element]]:
        """The record elements of each page, until the catalogue's listing ends;
        ``SourceError`` at the end if it ended before every matched record."""
        max_pages = int(self.config.get("max_pages", MAX_PAGES))
        start, read, seen = 1, 0, set()
        matched: int | None = None
        for _ in range(max_pages):
            page = self._page(start)
            if isinstance(page, list):  # read record by record
                yield page
                start += self.page_size
                read += len(page)
                continue
            matched = page.matched if page.matched is not None else matched
            keys = [_identity(element) for element in page.elements]
            if not page.elements:
                stop = "an empty page"
            elif all(key in seen for key in keys):
                stop = f"the page from {start} repeats records already read"
            else:
                seen.update(keys)
                read += len(page.elements)
                yield page.elements
                stop = _stop(page, matched)
            if stop is not None:
                break
            start = page.next_record
        else:
            raise SourceError(f"{self.url}: stopped after {max_pages} pages (max_pages)")
        if stop != "the last page" and matched is not None and read < matched:
            raise SourceError(
                f"{self.url}: the listing ended at record {read} of {matched} "
                f"({stop}); nothing is withdrawn"
            )

    def records(self) -> Iterator[Record | RecordError]:
        self.capabilities()
        if self.schema == "dcat":
            yield from self._dcat_records()
            return
        with tempfile.TemporaryDirectory(prefix="wepulse-csw-") as directory:
            spool = _Spool(Path(directory) / "records.sqlite3")
            services: dict[str, list[dict[str, Any]]] = {}  # by the dataset they serve
            error = None
            try:
                for elements in self.pages():
                    for element in elements:
                        if isinstance(element, RecordError):
                            yield element
                            continue
                        read = self._iso_record(element, services)
                        if isinstance(read, RecordError):
                            yield read
                        else:
                            spool.add(*read)
            except SourceError as raised:
                error = raised
            for guid, xml, modified in spool.records():
                yield self._record(guid, xml, modified, services.get(guid, []))
            spool.close()
        if error is not None:
            raise error

    def _iso_record(
        self, element: etree._Element, services: dict[str, list[dict[str, Any]]]
    ) -> tuple[str, bytes, str | None] | RecordError:
        namespace = etree.QName(element).namespace
        if namespace not in ISO_19139 and not element.get(f"{{{NS['gco']}}}isoType"):
            guid = element.xpath(
                "string(.//*[local-name()='metadataIdentifier']//*[local-name()='code']/*)"
            )
            return RecordError(
                f"not an ISO 19139 record but <{etree.QName(element).localname}> of {namespace}"
                + (
                    " (ISO 19115-3): ask the catalogue for outputSchema "
                    "http://www.isotc211.org/2005/gmd, which GeoNetwork converts to"
                    if "19115/-3" in (namespace or "")
                    else ""
                ),
                guid.strip() or None,
            )
        guid = _text(element, "gmd:fileIdentifier/*")
        if not guid:
            title = _text(element, ".//gmd:citation/*/gmd:title/*")
            return RecordError(f"the record {title or ''!r} has no gmd:fileIdentifier")
        xml = etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
        if len(xml) > MAX_RECORD_BYTES:
            return RecordError(
                f"the record is {len(xml) // 2**20} MB, more than the "
                f"{MAX_RECORD_BYTES // 2**20} MB a record may take",
                guid,
            )
        service = service_summary(element, guid)
        if service is not None:
            for dataset in service.pop("operates_on"):
                services.setdefault(dataset, []).append(service)
        return guid, xml, _text(element, "gmd:dateStamp/*")

    def _record(
        self, guid: str, xml: bytes, modified: str | None, services: list[dict[str, Any]]
    ) -> Record:
        services = sorted(services, key=lambda s: s["guid"])
        digest = hashlib.sha256(xml)
        digest.update(json.dumps(services, sort_keys=True).encode("utf-8"))
        return Record(
            guid=guid,
            payload={"iso": xml.decode("utf-8"), "services": services},
            content_hash=digest.hexdigest(),
            url=self.record_url(guid),
            modified=modified,
        )

    def record_url(self, guid: str) -> str:
        """Where the record is at the source: its GetRecordById, in its own schema."""
        query = {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecordById",
            "id": guid,
            "outputSchema": OUTPUT_SCHEMAS[self.schema][0],
            "elementSetName": "full",
        }
        return f"{self.endpoint}?{urlencode(query)}"

    def _dcat_records(self) -> Iterator[Record | RecordError]:
        """GeoDCAT-AP output: each record is an rdf:RDF document of its own."""
        for elements in self.pages():
            for element in elements:
                if isinstance(element, RecordError):
                    yield element
                    continue
                try:
                    page = parse_rdf(etree.tostring(element), self.url, "application/rdf+xml")
                except SourceError as error:
                    yield RecordError(str(error))
                    continue
                yield from self.dcat.page_records(page)

    # -- mapping ------------------------------------------------------------------

    def map(self, record: Record) -> dict[str, Any]:
        if self.parse_dataset is None:
            raise RuntimeError("CswAdapter.map needs parse_dataset (the portal's DCAT-AP parser)")
        if isinstance(record.payload, str):  # GeoDCAT-AP output: N-Triples, as DCAT
            return self.dcat.map(record)
        from harvesters.iso19139 import map_record

        return map_record(
            record.payload["iso"].encode("utf-8"),
            record.payload["services"],
            self.parse_dataset,
            guid=record.guid,
            default_language=self.config.get("default_language"),
        )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _identity(element: etree._Element) -> str:
    """What tells records apart when looking for repeated pages."""
    guid = _text(element, "gmd:fileIdentifier/*") or _text(element, ".//dct:identifier")
    if guid:
        return guid
    return hashlib.sha256(etree.tostring(element)).hexdigest()


def _stop(page: _Page, matched: int | None) -> str | None:
    """Why the listing ends after this page (None: it goes on at ``nextRecord``)."""
    if page.next_record == 0:
        return "the last page"
    if matched is not None and page.next_record > matched:
        return "the last page"
    if page.next_record <= page.start:
        return f"nextRecord {page.next_record} does not move past {page.start}"
    return None


def service_summary(element: etree._Element, guid: str) -> dict[str, Any] | None:
    """What a service record contributes to the datasets it operates on, or None
    for a record that is no service."""
    identification = element.find("gmd:identificationInfo/srv:SV_ServiceIdentification", NS)
    if identification is None:
        return None
    operates_on = []
    for link in identification.findall("srv:operatesOn", NS):
        target = link.get("uuidref") or _uuid_in(link.get(f"{{{NS['xlink']}}}href"))
        if target:
            operates_on.append(target.strip())
    links = []  # its endpoints: not its documentation pages, which are no service
    for online in element.iterfind(".//gmd:transferOptions//gmd:CI_OnlineResource", NS):
        url, protocol = _text(online, "gmd:linkage/gmd:URL"), _text(online, "gmd:protocol/*")
        if url and _is_endpoint(url, protocol):
            links.append({"url": url, "protocol": protocol})
    for point in identification.iterfind("srv:containsOperations//srv:connectPoint/*", NS):
        url, protocol = _text(point, "gmd:linkage/gmd:URL"), _text(point, "gmd:protocol/*")
        if url and url not in {link["url"] for link in links}:
            links.append({"url": url, "protocol": protocol})
    # An endpoint without a protocol speaks the service's only one (if it has one).
    protocols = {link["protocol"] for link in links if link["protocol"]}
    for link in links:
        if not link["protocol"] and len(protocols) == 1:
            link["protocol"] = next(iter(protocols))
    return {
        "guid": guid,
        "title": _text(identification, "gmd:citation/*/gmd:title/*"),
        "type": _text(identification, "srv:serviceType/*"),
        "links": links,
        "operates_on": list(dict.fromkeys(operates_on)),
    }


def _is_endpoint(url: str, protocol: str | None) -> bool:
    folded = (protocol or "").lower()
    if folded.startswith(("ogc:", "esri", "atom", "inspire")):
        return True
    return not folded.startswith("www:") and "service=" in url.lower()


def _uuid_in(href: str | None) -> str | None:
    """The record id of an operatesOn link to a GetRecordById (``…&id=<uuid>``)."""
    if not href:
        return None
    query = {key.lower(): values for key, values in parse_qs(urlsplit(href).query).items()}
    found = query.get("id") or query.get("uuid")
    return found[0] if found else (href.rsplit("#", 1)[-1] if "#" in href else None)


class _Spool:
    """The listing's ISO records on disk until the services are all known."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE record (n INTEGER PRIMARY KEY, guid TEXT UNIQUE, xml BLOB, modified TEXT)"
        )

    def add(self, guid: str, xml: bytes, modified: str | None) -> None:
        # The first listing of a guid wins (a catalogue can shift while it is paged).
        self.db.execute(
            "INSERT OR IGNORE INTO record (guid, xml, modified) VALUES (?, ?, ?)",
            (guid, xml, modified),
        )

    def records(self) -> Iterator[tuple[str, bytes, str | None]]:
        yield from self.db.execute("SELECT guid, xml, modified FROM record ORDER BY n")

    def close(self) -> None:
        self.db.close()
