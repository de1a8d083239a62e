"""Whether a stored value may become a link, and the address checks behind it.

Harvested values and what editors type end up in ``href``. One decision for all of
them: ``link_target`` gives the value to put in ``href`` (http, https or mailto only)
or ``None``, and then the template shows the value as text. Browsers clean a URL
before reading its scheme (they drop leading spaces and control characters, and tabs
and newlines anywhere, so ``" java\\tscript:"`` is ``javascript:``): we clean it the
same way before deciding, and link to the cleaned value.

The validators of ``logic/validators.py`` and the harvest's sanitiser use the same
functions, so what the API refuses and what a template would not link are one rule.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

__all__ = ["email_address", "iri", "link_target", "web_url"]

WEB_SCHEMES = frozenset({"http", "https"})

#: Schemes that run code or read local data in a browser: never an IRI we keep.
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "filesystem"})

# What the WHATWG URL parser strips: C0 controls and space at both ends, tab and
# newline anywhere.
_EDGES = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# Not allowed anywhere in an IRI (RFC 3987): spaces, controls, and <>"{}|\^`.
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]')
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _cleaned(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _TAB_OR_NEWLINE.sub("", value.strip(_EDGES)) or None


def _scheme(value: str) -> str | None:
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else None


def email_address(value: object) -> str | None:
    """The address, normalised, or ``None`` if it is not one address.

    Syntax only (RFC 5322 and internationalised addresses): no DNS lookup, since
    harvests and tests must not depend on the network. Sources often give an address
    as a ``mailto:`` URL: that is the address.
    """
    if not isinstance(value, str) or len(value) > 320:
        return None
    value = value.strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized


def web_url(value: object) -> str | None:
    """The value as an absolute http(s) URL with a host, or ``None``."""
    url = _cleaned(value)
    if url is None or _NOT_IN_IRI.search(url) or _scheme(url) not in WEB_SCHEMES:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return f"{parts.scheme.lower()}{url[len(parts.scheme) :]}"


def iri(value: object) -> str | None:
    """The value as an absolute IRI of a passive scheme (http, urn, …), or ``None``."""
    if not isinstance(value, str) or value != value.strip() or _NOT_IN_IRI.search(value):
        return None
    scheme = _scheme(value)
    if scheme is None or scheme in ACTIVE_SCHEMES or value == f"{scheme}:":
        return None
    return value


def link_target(value: object) -> str | None:
    """What to put in ``href`` for a stored value: an http(s) or mailto URL, or ``None``."""
    url = _cleaned(value)
    if url is None:
        return None
    if _scheme(url) == "mailto":
        address = email_address(url[len("mailto:") :])
        return f"mailto:{address}" if address else None
    return web_url(url)
