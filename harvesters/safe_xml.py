"""XML from outside, checked before any parser reads it: no DTD, bounded archives.

A DTD is how entity expansion ("billion laughs": 1 KB that expands to gigabytes; a
quadratic blow-up) and external entities (XXE: ``file:///etc/passwd``, internal URLs)
get into a document, and no source the portal harvests needs one. So every XML
document is refused if it declares a DTD or an entity, before its parser sees it:
pyoxigraph's RDF/XML (which expands entities, and aborts the process when memory runs
out), rdflib's (ckanext-dcat's harvester), openpyxl's (the sheets of an XLSX file).

Expat, the standard library's XML parser, reads the document to find them: it knows
the encodings (UTF-16, byte order marks, the XML declaration's), comments and
processing instructions, and stops at the first declaration, expanding nothing. A
document expat finds malformed is searched as bytes instead, in UTF-8, UTF-16 and
UTF-32, since pyoxigraph still reads a DOCTYPE placed after the root element.
(defusedxml does the same with expat's handlers, but only for the parsers of the
standard library, which are not the ones used here.)

An XLSX file is a zip of XML files: its members are counted, and their sizes capped
as they are decompressed, whatever the zip's headers claim.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

from harvesters.base import SourceError

__all__ = ["MAX_MEMBERS", "MAX_UNZIPPED", "UnsafeDocument", "check_xlsx", "refuse_dtd"]

#: An XLSX file's most members, and its most bytes once decompressed (all members).
MAX_MEMBERS = 1000
MAX_UNZIPPED = 100 * 2**20
_CHUNK = 2**16
_DECLARATIONS = re.compile(
    b"|".join(
        re.escape(word.encode(encoding))
        for word in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
    ),
    re.IGNORECASE,
)
_LONGEST = 4 * len("<!DOCTYPE")  # in UTF-32


class UnsafeDocument(SourceError):
    """A document refused before parsing: it declares a DTD, or unpacks too large."""


def refuse_dtd(content: bytes | str, name: str) -> None:
    """Raise ``UnsafeDocument`` if the XML document declares a DTD or an entity;
    ``name`` (its URL, say) begins the message."""
    if isinstance(content, str):  # already decoded: whatever its declaration says
        scanner = _Scanner(name, encoding="UTF-8")
        scanner.feed(content.encode("utf-8"), final=True)
    else:
        _Scanner(name).feed(content, final=True)


def looks_like_xml(content: bytes | str) -> bool:
    """Whether the document begins like XML (``<`` after byte order marks and spaces)."""
    head = content[:64].encode("utf-8") if isinstance(content, str) else content[:64]
    return head.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n")[:1] == b"<"


def check_xlsx(
    content: bytes, name: str, max_members: int = MAX_MEMBERS, max_bytes: int = MAX_UNZIPPED
) -> None:
    """Raise ``UnsafeDocument`` unless the XLSX (zip) file has at most ``max_members``
    members, decompresses to at most ``max_bytes`` in all, and none of its XML members
    declares a DTD. A broken zip raises ``zipfile.BadZipFile``."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = archive.infolist()
    if len(members) > max_members:
        raise UnsafeDocument(
            f"{name}: refused, {len(members)} files in the archive (at most {max_members})"
        )
    total = 0
    for member in members:
        scanner = None
        with archive.open(member) as unpacked:
            while chunk := unpacked.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise UnsafeDocument(
                        f"{name}: refused, it unpacks to more than {max_bytes // 2**20} MB"
                    )
                if scanner is None and looks_like_xml(chunk):
                    scanner = _Scanner(f"{name} ({member.filename})")
                if scanner:
                    scanner.feed(chunk)
        if scanner:
            scanner.feed(b"", final=True)


class _Scanner:
    """Reads an XML document in chunks and refuses it at its first declaration."""

    def __init__(self, name: str, encoding: str | None = None) -> None:
        self.name = name
        self.parser = expat.ParserCreate(encoding)
        # The DOCTYPE comes before any entity: refused there, nothing is declared.
        self.parser.StartDoctypeDeclHandler = self._refuse
        self.parser.EntityDeclHandler = self._refuse
        self.malformed = False
        self.tail = b""  # the previous chunk's end, for a declaration across chunks

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.malformed:
            try:
                self.parser.Parse(chunk, final)
            except expat.ExpatError:
                self.malformed = True  # its parser will say why; declarations are searched
        if self.malformed and _DECLARATIONS.search(self.tail + chunk):
            self._refuse()
        self.tail = chunk[-_LONGEST:]

    def _refuse(self, *_args) -> None:
        raise UnsafeDocument(
            f"{self.name}: refused, an XML document that declares a DTD or entities "
            "(<!DOCTYPE>, <!ENTITY>), which could expand to gigabytes or read local files"
        )
