"""ckanext-spatial's stock CSW harvester, run on a loopback CSW for comparison.

``run(csw_url, expected, ini)`` harvests the CSW 2.0.2 endpoint ``csw_url`` with
ckanext-spatial's ``csw`` harvester the way ckanext-harvest documents a synchronous run
(``ckan harvester run-test``, gather + fetch + import in one process), in a child
process, and returns its seconds, peak RSS, datasets created and errors.

ckanext-spatial is NOT a dependency of the portal: it is installed on demand, with
.venv's pip, into ``var/bench/ckanext-spatial`` (``pip install --no-deps --target``,
only the distributions .venv lacks: ckanext-spatial, OWSLib, geojson, pyproj, shapely)
and put on the PYTHONPATH of this benchmark's child processes only. Its empty
``ckanext/__init__.py`` is removed so that its ``ckanext`` folder merges, as a PEP 420
portion, with .venv's ``ckanext`` namespace (ckanext-harvest, ckanext-wepulse, ...);
CKAN finds its plugins through the ``ckan.plugins`` entry points of its dist-info there.

The run loads CKAN's default plugin (activity), ckanext-harvest and ckanext-spatial's
plugins only, from a derived ini (``var/bench/ckanext-spatial.ini``: the given ini, same
database, Solr and Redis, other plugins), as a site with the stock harvester would:
the stock harvester writes CKAN's default dataset schema, which our scheming schema
(wepulse, scheming_datasets) would reject.

OWSLib's CatalogueServiceWeb sends GetCapabilities and GetRecordById as GET (KVP) but
GetRecords always as a POSTed XML document. If ``csw_url`` does not answer POST,
``run`` puts a small loopback bridge in front of it that turns each POSTed request into
the equivalent GET; ``enable_post(fixture_server)`` teaches a ``FixtureServer`` the
same, so no bridge is needed.

What the stock harvester does with GeoNetwork's ISO 19139 records, as is (2.3.2):
  - it creates no dataset: ``run-test`` dies on the first record (see
    ``_FIX_DECLARATION``; ``fix_declaration=True`` works round that one bug only);
  - an empty ``gmd:PT_Locale/gmd:characterEncoding`` (GeoNetwork's multilingual
    records) makes OWSLib's parser fail the whole GetRecords page, so the gather;
  - records failing its ISO 19139 XSD (most of GeoNetwork's: GML 3.2) are rejected
    unless the source says ``continue_on_validation_errors``;
  - it looks up a record's previous harvest object by guid across ALL sources, so it
    flags another source's objects with the same guids as no longer current.

    .venv/bin/python benchmarks/ckanext_spatial.py --records 20   # a trial
    ... --fix-declaration --continue-on-validation-errors         # that creates them
(WIPES nothing but this module's own harvest source; needs the services running.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
TEST_INI = ROOT / "var" / "test.ini"
VERSION = "2.3.2"
TARGET = ROOT / "var" / "bench" / "ckanext-spatial"
DERIVED_INI = ROOT / "var" / "bench" / "ckanext-spatial.ini"
LOG = ROOT / "var" / "bench" / "ckanext-spatial.log"
PLUGINS = "activity harvest spatial_metadata spatial_harvest_metadata_api csw_harvester"
SOURCE = "bench-spatial-csw"
ORGANIZATION = "bench-spatial"
_CSW = "http://www.opengis.net/cat/csw/2.0.2"
_PLUGIN_NAMES = ("spatial_metadata", "spatial_harvest_metadata_api", "csw_harvester")

__all__ = ["enable_post", "install", "post_to_get", "run"]


# -- installing it beside the portal, not into it -----------------------------------


def _pip(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], check=True, **kwargs)


def child_env() -> dict[str, str]:
    """The environment of a process that sees ckanext-spatial besides .venv's packages."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TARGET), env.get("PYTHONPATH")]))
    env["CKAN_INI"] = str(DERIVED_INI)
    return env


_CHECK = f"""
import ckanext, ckanext.harvest, ckanext.wepulse, ckanext.spatial.harvesters
from importlib.metadata import entry_points, version
found = {{e.name for e in entry_points(group="ckan.plugins")}}
missing = set({_PLUGIN_NAMES!r}) - found
assert not missing, f"no entry points for {{missing}}"
assert ckanext.spatial.__file__.startswith({str(TARGET)!r}), ckanext.spatial.__file__
print(version("ckanext-spatial"), version("OWSLib"))
"""


def install() -> Path:
    """Installs ckanext-spatial (once) into TARGET and checks that it loads there."""
    done = TARGET / ".installed"
    if not done.exists() or done.read_text().strip() != VERSION:
        # Which distributions .venv lacks, at the versions pip would choose for it.
        report = _pip(
            "install",
            "--dry-run",
            "--quiet",
            "--report",
            "-",
            f"ckanext-spatial=={VERSION}",
            capture_output=True,
            text=True,
        )
        wanted = [
            f"{item['metadata']['name']}=={item['metadata']['version']}"
            for item in json.loads(report.stdout)["install"]
        ]
        shutil.rmtree(TARGET, ignore_errors=True)
        _pip("install", "--quiet", "--no-deps", "--target", str(TARGET), *wanted)
        # An empty regular package would hide .venv's ckanext namespace (and vice versa).
        (TARGET / "ckanext" / "__init__.py").unlink(missing_ok=True)
        shutil.rmtree(TARGET / "ckanext" / "__pycache__", ignore_errors=True)
    subprocess.run([sys.executable, "-c", _CHECK], env=child_env(), check=True, capture_output=True)
    done.write_text(VERSION)
    return TARGET


def write_ini(ini: Path) -> Path:
    """An ini with ``ini``'s database, Solr and Redis and only the stock harvester's
    plugins (logging sections are not inherited: warnings to stderr, as the tests')."""
    DERIVED_INI.parent.mkdir(parents=True, exist_ok=True)
    DERIVED_INI.write_text(
        f"""# Written by benchmarks/ckanext_spatial.py: {ini.name} with ckanext-spatial's
# stock CSW harvester and only the plugins it needs.
[app:main]
use = config:{ini.resolve()}
ckan.plugins = {PLUGINS}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""
    )
    return DERIVED_INI


# -- what OWSLib POSTs, as the GET a fixture route answers ---------------------------


def post_to_get(body: bytes) -> dict[str, str]:
    """A POSTed CSW request (GetRecords, GetRecordById, ...) as its KVP parameters."""
    from lxml import etree

    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    query = {"request": etree.QName(root).localname}
    for name, value in root.attrib.items():
        if not name.startswith("{"):  # not xsi:schemaLocation
            query[name] = value
    for element in root.iter(etree.Element):
        local = etree.QName(element).localname
        if local == "Query" and element.get("typeNames"):
            query["typeNames"] = element.get("typeNames")
        elif local == "ElementSetName":
            query["ElementSetName"] = (element.text or "").strip()
        elif local == "CqlText":
            query.update(constraint=element.text or "", constraintLanguage="CQL_TEXT")
        elif local == "Filter":
            query.update(constraint=etree.tostring(element).decode(), constraintLanguage="FILTER")
    ids = [(e.text or "").strip() for e in root if etree.QName(e).localname == "Id"]
    if ids:
        query["id"] = ",".join(ids)
    return query


def enable_post(server: Any) -> Any:
    """Makes a ``harvesters.fixtures.FixtureServer`` answer a POSTed CSW request as the
    equivalent GET (same routes, request log, ETags). Returns the server."""

    def do_post(handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        try:
            query = post_to_get(body)
        except Exception:  # noqa: BLE001 - not XML: as if nothing was asked
            query = {}
        server.posted = getattr(server, "posted", 0) + 1
        handler.path = f"{urlsplit(handler.path).path}?{urlencode(query)}"
        handler.do_GET()

    server.httpd.RequestHandlerClass.do_POST = do_post
    return server


def answers_post(csw_url: str) -> bool:
    """Whether ``csw_url`` answers a POSTed GetRecords with a GetRecordsResponse."""
    request = urllib.request.Request(
        csw_url,
        data=(
            f'<csw:GetRecords xmlns:csw="{_CSW}" service="CSW" version="2.0.2" '
            'resultType="results" maxRecords="1"><csw:Query typeNames="csw:Record">'
            "<csw:ElementSetName>brief</csw:ElementSetName></csw:Query></csw:GetRecords>"
        ).encode(),
        headers={"Content-Type": "application/xml"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return b"GetRecordsResponse" in response.read(4096)
    except (urllib.error.URLError, OSError):
        return False


class PostBridge:
    """A loopback server in front of a GET-only CSW: GETs are passed on as they are,
    POSTed requests as the equivalent GET (``post_to_get``)."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        origin = f"{parts.scheme}://{parts.netloc}"

        class Handler(BaseHTTPRequestHandler):
            def forward(self, path: str) -> None:
                try:
                    with urllib.request.urlopen(origin + path, timeout=120) as response:
                        status, headers, body = response.status, response.headers, response.read()
                except urllib.error.HTTPError as error:
                    status, headers, body = error.code, error.headers, error.read()
                self.send_response(status)
                self.send_header("Content-Type", headers.get("Content-Type", "application/xml"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                self.forward(self.path)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = urlencode(post_to_get(body))
                self.forward(f"{urlsplit(self.path).path}?{query}")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = self.httpd.server_address[1]
        self.url = parts._replace(netloc=f"127.0.0.1:{port}").geturl()

    def __enter__(self) -> PostBridge:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- the harvest ---------------------------------------------------------------------


#: ``fix_declaration=True``: in the ``run-test`` process only, GetRecordById's record
#: comes without the XML declaration csw_client puts before it. ckanext-spatial 2.3.2
#: meant to strip it (``re.sub('<xml(.*)>', ...)`` in CSWHarvester.fetch_stage and
#: SpatialHarvester._validate_document, formerly ``'<\?xml(.*)\?>'``) but no longer
#: matches it, so lxml refuses every record ("Unicode strings with encoding declaration
#: are not supported", a ValueError nothing catches) and ``run-test`` dies on the first.
_FIX_DECLARATION = """
import re, sys
from ckanext.spatial.lib.csw_client import CswService
_getrecordbyid = CswService.getrecordbyid
def getrecordbyid(self, *args, **kwargs):
    record = _getrecordbyid(self, *args, **kwargs)
    if record:
        record["xml"] = re.sub(r"^\\s*<\\?xml[^>]*\\?>", "", record["xml"])
    return record
CswService.getrecordbyid = getrecordbyid
from ckan.cli.cli import ckan
sys.exit(ckan())
"""


def run(
    csw_url: str,
    expected: int,
    ini: Path,
    *,
    fix_declaration: bool = False,
    continue_on_validation_errors: bool = False,
) -> dict:
    """Harvests ``csw_url`` with ckanext-spatial's stock ``csw`` harvester into ``ini``'s
    database (a harvest source ``bench-spatial-csw`` of organization ``bench-spatial``,
    replaced with its datasets if there from a previous run), in a child process.

    Returns {"seconds": the ``harvester run-test`` process's wall time, "peak_rss_mb":
    its peak RSS, "datasets": active datasets of the source after it, "expected",
    "errors": gather + object errors (+ 1 if run-test crashed), "error_messages": the
    first 3, "crashed": the last line of run-test's traceback or None, "post_bridge":
    whether a bridge turned OWSLib's POSTs into GETs, "records_with_errors": harvest
    objects with an error, "fixed_declaration", "continue_on_validation_errors", "log":
    the file of run-test's output}. With ``fix_declaration``, see ``_FIX_DECLARATION``;
    with ``continue_on_validation_errors``, the source's config says so (a documented
    ckanext-spatial option: a record failing its ISO 19139 XSD is still imported).
    """
    install()
    write_ini(Path(ini))
    bridge = None if answers_post(csw_url) else PostBridge(csw_url).__enter__()
    url = bridge.url if bridge else csw_url
    fix = ["--fix-declaration"] if fix_declaration else []
    fix += ["--continue-on-validation-errors"] if continue_on_validation_errors else []
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--child", url, *fix],
            env=child_env(),
            capture_output=True,
            text=True,
        )
    finally:
        if bridge:
            bridge.__exit__()
    if child.returncode != 0:
        raise RuntimeError(f"ckanext-spatial benchmark failed:\n{child.stderr[-3000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(expected=expected, post_bridge=bridge is not None)
    return result


def _child(csw_url: str, fix_declaration: bool, continue_on_errors: bool) -> None:
    """In the child (ckanext-spatial on its path, CKAN_INI the derived ini): prepares the
    source, times ``ckan harvester run-test``, prints the result as JSON."""
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
    with app._wsgi_app.test_request_context():
        source_id = _prepare(csw_url, continue_on_errors)
        ckan = [str(Path(sys.executable).with_name("ckan"))]
        if fix_declaration:
            ckan = [sys.executable, "-c", _FIX_DECLARATION]
        command = [*ckan, "-c", os.environ["CKAN_INI"], "harvester", "run-test", SOURCE]
        with LOG.open("w") as log:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
            _pid, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
        result = _outcome(source_id)
    crashed = None
    if os.waitstatus_to_exitcode(status) != 0:
        lines = LOG.read_text(errors="replace").strip().splitlines() or ["(no output)"]
        crashed = lines[-1]
        result["errors"] += 1
        result["error_messages"] = [f"run-test crashed: {crashed}", *result["error_messages"]][:3]
    result.update(
        seconds=elapsed,
        peak_rss_mb=usage.ru_maxrss / 1024,
        crashed=crashed,
        fixed_declaration=fix_declaration,
        continue_on_validation_errors=continue_on_errors,
        log=str(LOG),
    )
    print(json.dumps(result))


def _prepare(csw_url: str, continue_on_errors: bool) -> str:
    import ckan.plugins.toolkit as tk
    from ckan import model

    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = lambda: {"user": site["name"], "ignore_auth": True}  # noqa: E731
    old = model.Package.get(SOURCE)
    if old is not None:  # a previous run's: its datasets and objects go with it
        tk.get_action("harvest_source_clear")(context(), {"id": old.id})
        tk.get_action("dataset_purge")(context(), {"id": old.id})
    org = model.Group.get(ORGANIZATION)
    if org is None or org.state != "active":
        if org is not None:
            tk.get_action("group_purge")(context(), {"id": org.id})
        org = tk.get_action("organization_create")(
            context(), {"name": ORGANIZATION, "title": "Benchmark: ckanext-spatial"}
        )
    source = tk.get_action("harvest_source_create")(
        context(),
        {
            "name": SOURCE,
            "title": "Benchmark: ckanext-spatial CSW",
            "url": csw_url,
            "source_type": "csw",
            "owner_org": org["id"] if isinstance(org, dict) else org.id,
            "frequency": "MANUAL",
            "config": json.dumps({"continue_on_validation_errors": continue_on_errors}),
        },
    )
    model.Session.commit()
    return source["id"]


def _outcome(source_id: str) -> dict:
    from ckan import model
    from ckanext.harvest.model import (
        HarvestGatherError,
        HarvestJob,
        HarvestObject,
        HarvestObjectError,
    )

    model.Session.remove()  # what run-test committed
    datasets = (
        model.Session.query(model.Package.id)
        .join(HarvestObject, HarvestObject.package_id == model.Package.id)
        .filter(
            HarvestObject.harvest_source_id == source_id,
            HarvestObject.current.is_(True),
            model.Package.state == "active",
        )
        .distinct()
        .count()
    )
    gather = (
        model.Session.query(HarvestGatherError.message)
        .join(HarvestJob)
        .filter(HarvestJob.source_id == source_id)
        .order_by(HarvestGatherError.created)
        .all()
    )
    objects = (
        model.Session.query(HarvestObjectError.message, HarvestObjectError.harvest_object_id)
        .join(HarvestObject)
        .filter(HarvestObject.harvest_source_id == source_id)
        .order_by(HarvestObjectError.created)
        .all()
    )
    messages = [row.message for row in gather + objects]
    return {
        "datasets": datasets,
        "errors": len(messages),
        "error_messages": messages[:3],
        "records_with_errors": len({row.harvest_object_id for row in objects}),
    }


# -- a trial on its own ----------------------------------------------------------------


_GMD = "http://www.isotc211.org/2005/gmd"
_UTF8 = (
    f'<gmd:MD_CharacterSetCode xmlns:gmd="{_GMD}" codeListValue="utf8" codeList='
    '"http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#MD_CharacterSetCode"/>'
)


def trial_records(count: int, repair: bool = True) -> list[bytes]:
    """``count`` ISO 19139 records: the recorded GeoNetwork ones, each copy with a
    fileIdentifier of its own. With ``repair``, each empty ``gmd:PT_Locale/
    gmd:characterEncoding`` (as GeoNetwork writes its multilingual records) is given
    MD_CharacterSetCode utf8: OWSLib 0.32.1's MD_Metadata raises AttributeError on an
    empty one, which fails the stock harvester's whole GetRecords page, so its gather."""
    from lxml import etree

    sys.path.insert(0, str(ROOT))
    from harvesters.fixtures import iso_records

    corpus = ROOT.parent / "shared" / "corpus" / "geoportals" / "geonetwork-microservices"
    originals = [r for path in sorted(corpus.glob("*.xml")) for r in iso_records(path)]
    records = []
    for i in range(count):
        element = etree.fromstring(originals[i % len(originals)])
        found = element.xpath("*[local-name()='fileIdentifier']/*")
        found[0].text = f"{found[0].text.strip()}-copy-{i}"
        if repair:
            for empty in element.xpath(
                "//gmd:PT_Locale/gmd:characterEncoding[not(*)]", namespaces={"gmd": _GMD}
            ):
                empty.append(etree.fromstring(_UTF8))
        records.append(etree.tostring(element))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=20)
    parser.add_argument("--ini", type=Path, default=TEST_INI)
    parser.add_argument(
        "--bridge", action="store_true", help="serve GET only, so that run() bridges POSTs"
    )
    parser.add_argument(
        "--as-recorded",
        action="store_true",
        help="leave the records' empty PT_Locale characterEncoding (OWSLib fails on them)",
    )
    parser.add_argument(
        "--fix-declaration",
        action="store_true",
        help="strip the XML declaration ckanext-spatial 2.3.2 fails to (see _FIX_DECLARATION)",
    )
    parser.add_argument(
        "--continue-on-validation-errors",
        action="store_true",
        help="import records that fail ckanext-spatial's ISO 19139 XSD validation too",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.fix_declaration, args.continue_on_validation_errors)

    sys.path.insert(0, str(ROOT))
    from harvesters.fixtures import FixtureServer, csw_catalogue

    records = trial_records(args.records, repair=not args.as_recorded)
    route = csw_catalogue(records, title="Benchmark geoportal")
    with FixtureServer({"/geoportal/csw": route}) as server:
        if not args.bridge:
            enable_post(server)
        result = run(
            server.url + "/geoportal/csw",
            args.records,
            args.ini,
            fix_declaration=args.fix_declaration,
            continue_on_validation_errors=args.continue_on_validation_errors,
        )
        asked = [r.split("request=")[-1].split("&")[0] for r in server.requests]
        posted = getattr(server, "posted", 0)
    result["requests"] = {name: asked.count(name) for name in sorted(set(asked))}
    result["posted"] = posted
    result["seconds_per_record"] = (
        result["seconds"] / result["datasets"] if result["datasets"] else None
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
