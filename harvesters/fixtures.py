"""A small HTTP server of recorded source payloads, for the demo, tests and benchmarks.

It answers like the real sources do, not from a dump of URLs: a CKAN
``package_search`` and an Opendatasoft ``catalog/datasets`` are paged from a
recorded list of datasets (so the adapters' paging really runs), other paths are
files. Routes can be replaced while it runs, so tests change what a source lists.

    python -m harvesters.fixtures --port 8770 DIRECTORY   # serves DIRECTORY's demo sources
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

__all__ = [
    "LDES_PAGE",
    "FixtureServer",
    "ckan_search",
    "csw_catalogue",
    "iso_records",
    "demo_routes",
    "file",
    "ldes_feed",
    "ldes_member",
    "ldes_page",
    "ods_catalogue",
]

#: A route answers a request's query parameters with (status, content type, body) or
#: (status, content type, body, headers) - headers such as Location, or a Content-Length
#: that lies, to play a truncated body.
Route = Callable[[dict[str, str]], tuple]

_TYPES = {
    ".json": "application/json",
    ".ttl": "text/turtle",
    ".trig": "application/trig",
    ".rdf": "application/rdf+xml",
    ".nt": "application/n-triples",
    ".csv": "text/csv; charset=windows-1252",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file(path: Path, content_type: str | None = None) -> Route:
    body = path.read_bytes()
    content_type = content_type or _TYPES.get(path.suffix, "application/octet-stream")
    return lambda _query: (200, content_type, body)


def ckan_search(datasets: list[dict[str, Any]]) -> Route:
    """CKAN's package_search over ``datasets``, honouring rows and start."""

    def route(query: dict[str, str]) -> tuple[int, str, bytes]:
        start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
        page = datasets[start : start + rows]
        result = {"count": len(datasets), "results": page, "sort": query.get("sort")}
        return 200, "application/json", json.dumps({"success": True, "result": result}).encode()

    return route


def ods_catalogue(datasets: list[dict[str, Any]]) -> Route:
    """Opendatasoft's Explore v2.1 catalog/datasets over ``datasets`` (limit, offset)."""

    def route(query: dict[str, str]) -> tuple[int, str, bytes]:
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
        body = {"total_count": len(datasets), "results": datasets[offset : offset + limit]}
        return 200, "application/json; charset=utf-8", json.dumps(body).encode()

    return route


_CSW = "http://www.opengis.net/cat/csw/2.0.2"
_CSW_CAPABILITIES = f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:Capabilities xmlns:csw="{_CSW}" xmlns:ows="http://www.opengis.net/ows" version="2.0.2">
  <ows:ServiceIdentification><ows:Title>{{title}}</ows:Title>
    <ows:ServiceType>CSW</ows:ServiceType><ows:ServiceTypeVersion>2.0.2</ows:ServiceTypeVersion>
  </ows:ServiceIdentification>
  <ows:OperationsMetadata>
    <ows:Operation name="GetCapabilities"/>
    <ows:Operation name="GetRecords">
      <ows:Parameter name="outputSchema">
        <ows:Value>http://www.opengis.net/cat/csw/2.0.2</ows:Value>
        <ows:Value>http://www.isotc211.org/2005/gmd</ows:Value>
      </ows:Parameter>
    </ows:Operation>
    <ows:Operation name="GetRecordById"/>
  </ows:OperationsMetadata>
</csw:Capabilities>"""


_EXCEPTION = (
    '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">'
    '<ows:Exception exceptionCode="{code}"><ows:ExceptionText>{text}</ows:ExceptionText>'
    "</ows:Exception></ows:ExceptionReport>"
)


def iso_records(path: Path) -> list[bytes]:
    """The ISO 19139 records of a recorded file (one record, or a CSW response), each as
    XML of its own (namespaces declared on it), in document order."""
    from lxml import etree

    root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))
    found = root.xpath(
        "//*[local-name()='MD_Metadata' or local-name()='MI_Metadata'"
        " or @*[local-name()='isoType']='gmd:MD_Metadata']"
    )
    return [
        etree.tostring(element)
        for element in found
        if not element.xpath("ancestor::*[local-name()='MD_Metadata']")
    ]


def csw_catalogue(
    records: list[bytes], title: str = "Geoportal", ignore_start: bool = False
) -> Route:
    """A CSW 2.0.2 endpoint as GeoNetwork answers: GetCapabilities, GetRecords paged by
    startPosition and maxRecords (``nextRecord`` 0 after the last page), GetRecordById.
    With ``ignore_start``, every GetRecords answers the first page (a broken server)."""

    def identifier(record: bytes) -> str:
        """Its file identifier, read as text: a broken record has one too."""
        found = re.search(rb"fileIdentifier>\s*<[^>]*CharacterString>\s*([^<\s]+)", record)
        return found.group(1).decode() if found else ""

    by_id = {identifier(record): record for record in records}

    def route(query: dict[str, str]) -> tuple[int, str, bytes]:
        request = {k.lower(): v for k, v in query.items()}
        kind = request.get("request", "")
        if kind == "GetCapabilities":
            return 200, "application/xml", _CSW_CAPABILITIES.format(title=title).encode()
        if kind == "GetRecordById":
            found = by_id.get(request.get("id", ""), b"")
            body = f'<csw:GetRecordByIdResponse xmlns:csw="{_CSW}">'.encode()
            return 200, "application/xml", body + found + b"</csw:GetRecordByIdResponse>"
        if kind != "GetRecords":
            report = _EXCEPTION.format(code="OperationNotSupported", text=escape(kind)).encode()
            return 400, "application/xml", report
        start = 1 if ignore_start else max(1, int(request.get("startposition", 1)))
        size = int(request.get("maxrecords", 10))
        page = records[start - 1 : start - 1 + size]
        following = start + len(page)
        next_record = following if following <= len(records) and page else 0
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<csw:GetRecordsResponse xmlns:csw="{_CSW}" version="2.0.2">'
            '<csw:SearchStatus timestamp="2026-01-01T00:00:00Z"/>'
            f'<csw:SearchResults numberOfRecordsMatched="{len(records)}" '
            f'numberOfRecordsReturned="{len(page)}" elementSet="full" nextRecord="{next_record}">'
        ).encode()
        return (
            200,
            "application/xml",
            body + b"".join(page) + b"</csw:SearchResults></csw:GetRecordsResponse>",
        )

    return route


#: Where data.gov.be's LDES feed has its page number ``n`` (under the site's root);
#: the recorded pages' relations point there ("../…_10/index.trig").
LDES_PAGE = "/dcat/root/2025-02-05T15%3A28%3A07.500Z_123187500_{n}/index.trig"
_TREE = "https://w3id.org/tree#"
_AS = "https://www.w3.org/ns/activitystreams#"


def ldes_feed(pages: dict[int, Path | bytes], path: str = LDES_PAGE) -> dict[str, Route]:
    """An LDES feed of numbered pages, each recorded (a file, or its TriG) or, between
    them, empty but for the relation to the next page, as data.gov.be chains its
    pages; the page after the last recorded one is the last (no relation)."""
    last = max(pages) + 1
    routes = {}
    for n in range(min(pages), last + 1):
        page = pages.get(n)
        if isinstance(page, Path):
            routes[path.format(n=n)] = file(page, "application/trig")
        else:
            body = page or ldes_page(next_page=n + 1 if n < last else None, path=path)
            routes[path.format(n=n)] = lambda _query, body=body: (200, "application/trig", body)
    return routes


def ldes_page(*members: str, next_page: int | None = None, path: str = LDES_PAGE) -> bytes:
    """A feed page in TriG holding ``members`` (``ldes_member``), with a relation to
    page ``next_page`` - relative, as data.gov.be writes it - unless it is the last."""
    body = f"<index.trig> a <{_TREE}Node> .\n" + "".join(members)
    if next_page is not None:
        folder = path.format(n=next_page).rstrip("/").split("/")[-2]
        body += f"<index.trig> <{_TREE}relation> [ <{_TREE}node> <../{folder}/index.trig> ] .\n"
    return body.encode()


def ldes_member(n: int, subject: str, published: str, body: str, kind: str = "Create") -> str:
    """Member ``n`` of a feed page: an activity (Create, Update, Delete) on ``subject``
    published at ``published``, with ``body`` (Turtle about the subject) as its graph."""
    graph = f"<#m{n}> {{ <{subject}> {body} }}\n" if body else ""
    return (
        f"<../../../index.trig> <{_TREE}member> <#m{n}> .\n"
        f"<#m{n}> a <{_AS}{kind}> ; <{_AS}object> <{subject}> ;"
        f' <{_AS}published> "{published}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n' + graph
    )


def demo_routes(directory: Path) -> dict[str, Route]:
    """The demo's five sources, from the recorded payloads in ``directory``."""
    ckan = json.loads((directory / "ckan_package_search.json").read_text("utf-8"))
    ods = json.loads((directory / "ods_catalog_datasets.json").read_text("utf-8"))
    feed = {int(p.stem.split("_")[1]): p for p in (directory / "data-gov-be").glob("page_*.trig")}
    return {
        "/ckan/api/3/action/package_search": ckan_search(ckan["result"]["results"]),
        "/ods/api/explore/v2.1/catalog/datasets": ods_catalogue(ods["results"]),
        **ldes_feed(feed),
        "/spreadsheet/inventaire.csv": file(directory / "cpas_inventaire.csv"),
        "/geoportal/csw": csw_catalogue(
            [
                r
                for path in sorted((directory / "geoportal").glob("*.xml"))
                for r in iso_records(path)
            ],
            title="Géoportail (démo)",
        ),
    }


class FixtureServer:
    """A threaded HTTP server on 127.0.0.1 answering from ``routes`` (path -> Route).

    With ``etags``, it tags each answer with an ETag of its body and answers 304 Not
    Modified to a request whose If-None-Match has it, as static file servers do.
    """

    def __init__(self, routes: dict[str, Route], port: int = 0, etags: bool = False) -> None:
        self.routes = dict(routes)
        self.etags = etags
        self.requests: list[str] = []
        self.statuses: list[int] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                route = server.routes.get(parts.path)
                if route is None:
                    answer: tuple = (404, "text/plain", b"not found")
                else:
                    answer = route({k: v[-1] for k, v in parse_qs(parts.query).items()})
                status, content_type, body = answer[:3]
                headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
                headers.update(answer[3] if len(answer) > 3 else {})
                if server.etags and status == 200:
                    headers["ETag"] = f'"{hashlib.sha1(body).hexdigest()[:20]}"'
                    if self.headers.get("If-None-Match") == headers["ETag"]:
                        status, body, headers["Content-Length"] = 304, b"", "0"
                server.statuses.append(status)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FixtureServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--port", type=int, default=8770)
    args = parser.parse_args()
    FixtureServer(demo_routes(args.directory), args.port).httpd.serve_forever()


if __name__ == "__main__":
    main()
