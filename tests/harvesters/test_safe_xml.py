"""Hostile XML and XLSX are refused before any parser reads them, fast and in bounded
memory; valid files still parse.

Each document is parsed by the real code path (``parse_rdf``: pyoxigraph's RDF/XML;
``read_table``: openpyxl's XLSX) in a forked child whose address space is capped at
1 GB more than it started with, so that a regression aborts the child instead of the
machine, and whose peak resident memory is measured.
"""

from __future__ import annotations

import io
import multiprocessing
import resource
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from harvesters.dcat import parse_rdf
from harvesters.safe_xml import UnsafeDocument, looks_like_xml, refuse_dtd
from harvesters.spreadsheet import read_table

URL = "https://example.be/catalogue.rdf"
RDF_XML = "application/rdf+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BILLION_LAUGHS = Path(__file__).resolve().parents[1] / "fixtures/hostile/billion-laughs.rdf"
PEAK_MB = 200  # a refused document costs next to nothing; the test process is not counted

RDF = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">'
    '<dcat:Dataset rdf:about="https://example.be/ds/1"><dct:title>{title}</dct:title>'
    "</dcat:Dataset></rdf:RDF>"
)
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def rdf(prolog: str = "", title: str = "Arbres", declaration: str = DECLARATION) -> bytes:
    return (declaration + prolog + RDF.format(title=title)).encode("utf-8")


def quadratic() -> bytes:
    """One 50 KB entity used 20,000 times: 110 KB that expand to 1 GB."""
    return rdf(f'<!DOCTYPE rdf:RDF [<!ENTITY a "{"a" * 50_000}">]>', title="&a;" * 20_000)


HOSTILE_RDF = {
    "billion laughs": BILLION_LAUGHS.read_bytes(),
    "quadratic blow-up": quadratic(),
    "external entity": rdf(
        '<!DOCTYPE rdf:RDF [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>', title="&passwd;"
    ),
    "external DTD": rdf('<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/evil.dtd">'),
    "parameter entities": rdf(
        "<!DOCTYPE rdf:RDF [<!ENTITY % p \"<!ENTITY t 'x'>\"> %p;]>", title="&t;"
    ),
    "UTF-16 with a byte order mark": (
        "\ufeff"
        + DECLARATION.replace("UTF-8", "UTF-16")
        + '<!DOCTYPE rdf:RDF [<!ENTITY t "x">]>'
        + RDF.format(title="&t;")
    ).encode("utf-16-le"),
    "UTF-16 big-endian without a byte order mark": (
        DECLARATION.replace("UTF-8", "UTF-16") + "<!DOCTYPE rdf:RDF>" + RDF.format(title="x")
    ).encode("utf-16-be"),
    "after spaces, comments and processing instructions": rdf(
        '\n  <!-- a catalogue -->\n<?xml-stylesheet href="x.xsl"?>\n'
        '<!DOCTYPE rdf:RDF [<!ENTITY t "x">]>',
        title="&t;",
    ),
    "without an XML declaration, in lower case": rdf("<!doctype rdf:RDF>", declaration="  "),
    # Not well-formed XML, but pyoxigraph reads the entity there all the same.
    "after the root element's start": rdf()
    .replace(b"<dcat:Dataset", b'<!DOCTYPE rdf:RDF [<!ENTITY t "x">]><dcat:Dataset')
    .replace(b"Arbres", b"&t;"),
}


def in_child(parse: Callable[[], object]) -> tuple[str, int | None]:
    """Run ``parse`` in a forked child under a 1 GB address-space cap: (what came of it,
    the MB its resident memory grew at its peak), or how the child died."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run() -> None:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (_status_kb("VmSize") * 1024 + 2**30, hard))
        Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again here
        start = _status_kb("VmRSS")
        try:
            parse()
            outcome = "parsed"
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"
        sender.send((outcome, (_status_kb("VmHWM") - start) // 1024))

    child = context.Process(target=run)
    child.start()
    child.join()
    return receiver.recv() if receiver.poll() else (f"died ({child.exitcode})", None)


def _status_kb(field: str) -> int:
    status = Path("/proc/self/status").read_text().splitlines()
    line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1])


@pytest.mark.parametrize("variant", list(HOSTILE_RDF))
def test_rdf_xml_with_a_dtd_is_refused_before_parsing(variant):
    outcome, peak_mb = in_child(lambda: parse_rdf(HOSTILE_RDF[variant], URL, RDF_XML))

    assert outcome.startswith(f"UnsafeDocument: {URL}: refused, an XML document that declares")
    assert peak_mb < PEAK_MB


def test_valid_rdf_xml_still_parses():
    page = parse_rdf(rdf(prolog="<!-- no <!DOCTYPE here, only in a comment -->"), URL, RDF_XML)
    assert len(page) == 2
    outcome, peak_mb = in_child(lambda: parse_rdf(rdf(), URL, RDF_XML))
    assert (outcome, peak_mb < PEAK_MB) == ("parsed", True)


def test_decoded_text_and_valid_utf_16_are_checked_alike():
    """ckanext-dcat's harvester hands over decoded text, whatever its declaration said."""
    with pytest.raises(UnsafeDocument):
        refuse_dtd(BILLION_LAUGHS.read_text().replace("UTF-8", "UTF-16"), URL)
    refuse_dtd(("\ufeff" + DECLARATION + RDF.format(title="x")).encode("utf-16-le"), URL)
    refuse_dtd(rdf().decode("utf-8"), URL)
    assert looks_like_xml(HOSTILE_RDF["UTF-16 with a byte order mark"])
    assert not looks_like_xml(b"@prefix dct: <http://purl.org/dc/terms/> .")


# -- XLSX: a zip of XML files ------------------------------------------------------------


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Titre", "Description", "URL"])
    book.active.append(["Arbres", "Les arbres de la commune", "https://example.be/arbres.csv"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(content: bytes, change: Callable[[str, bytes], bytes], extra: int = 0) -> bytes:
    """The workbook with each member changed by ``change(name, data)``, and ``extra``
    empty members added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)), zipfile.ZIP_DEFLATED)
        for n in range(extra):
            dst.writestr(f"customXml/item{n}.bin", b"")
    return out.getvalue()


def with_dtd(member: str, encoding: str = "utf-8"):
    def change(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        declaration = f'<?xml version="1.0" encoding="{encoding.upper()[:6]}"?>'
        bom = "" if encoding == "utf-8" else "\ufeff"
        dtd = '<!DOCTYPE x [<!ENTITY t "x">]>'
        return (bom + declaration + dtd + data.decode("utf-8")).encode(encoding)

    return change


def zip_bomb() -> bytes:
    """A 200 KB file whose one member unpacks to 200 MB of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(200):
                member.write(b" " * 2**20)
    return out.getvalue()


HOSTILE_XLSX = {
    "a sheet with a DTD": (with_dtd("xl/worksheets/sheet1.xml"), "declares a DTD"),
    "shared parts with a DTD": (with_dtd("[Content_Types].xml"), "declares a DTD"),
    "a sheet in UTF-16 with a DTD": (
        with_dtd("xl/worksheets/sheet1.xml", "utf-16-le"),
        "declares a DTD",
    ),
    "a zip bomb": (None, "unpacks to more than 100 MB"),
    "too many members": ("members", "files in the archive (at most 1000)"),
}


@pytest.mark.parametrize("variant", list(HOSTILE_XLSX))
def test_hostile_xlsx_is_refused_before_openpyxl_reads_it(variant):
    change, reason = HOSTILE_XLSX[variant]
    if change is None:
        content = zip_bomb()
    elif change == "members":
        content = rezipped(workbook(), lambda _name, data: data, extra=1000)
    else:
        content = rezipped(workbook(), change)

    outcome, peak_mb = in_child(lambda: read_table(content, XLSX, "inventaire.xlsx"))

    assert outcome.startswith("UnsafeDocument: the XLSX file") and reason in outcome, outcome
    assert peak_mb < PEAK_MB


def test_a_valid_xlsx_still_parses():
    table, details = read_table(rezipped(workbook(), lambda _name, data: data), XLSX)
    assert details.format == "xlsx"
    assert list(table["Titre"]) == ["Arbres"]
