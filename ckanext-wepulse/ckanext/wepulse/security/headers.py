"""Security headers: every response, the portal's pages, and the files it serves.

Pages get the site's Content-Security-Policy. Files the portal serves (uploads,
resource downloads) come from anyone with an editor's account, so a browser must
never run them on our origin: they are attachments unless of a passive type, never
sniffed into something else, and sandboxed (a unique origin, no script) even when
shown inline.
"""

from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
from flask import Response, request

__all__ = ["INLINE_FILE_TYPES", "media_type", "secure_response"]

#: Served files a browser may show in the tab: they cannot hold script.
INLINE_FILE_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "application/json",
        "application/geo+json",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)

#: The policy of a served file: its own unique origin, nothing loaded, nothing run.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

# RFC 6838 media type, with optional parameters: what a Content-Type header may carry.
_TOKEN = r"[A-Za-z0-9!#$&^_.+-]+"
_MEDIA_TYPE = re.compile(rf"{_TOKEN}/{_TOKEN}(?:\s*;\s*{_TOKEN}=(?:{_TOKEN}|\"[^\"\\\r\n]*\"))*")


# DCAT-AP gives a media type as IANA's IRI for it.
_IANA = re.compile(r"^https?://www\.iana\.org/assignments/media-types/", re.IGNORECASE)


def media_type(value: object) -> str | None:
    """The value as a media type such as ``text/csv`` (lower case), or ``None``.

    IANA's IRI of a type (``https://www.iana.org/assignments/media-types/text/csv``)
    is that type."""
    if not isinstance(value, str) or len(value) > 255:
        return None
    value = _IANA.sub("", value.strip())
    return value.lower() if _MEDIA_TYPE.fullmatch(value) else None


def _is_served_file() -> bool:
    endpoint = request.endpoint or ""
    return endpoint.endswith("resource.download") or endpoint.startswith("uploads.")


def secure_response(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    # For browsers without CSP's frame-ancestors.
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if _is_served_file():
        headers["Content-Security-Policy"] = FILE_POLICY
        if response.mimetype not in INLINE_FILE_TYPES:
            disposition = headers.get("Content-Disposition", "")
            filename = disposition.partition(";")[2].strip()
            headers["Content-Disposition"] = "; ".join(filter(None, ["attachment", filename]))
    elif response.mimetype == "text/html":
        policy = " ".join(tk.config.get("ckanext.wepulse.security.content_security_policy").split())
        headers.setdefault("Content-Security-Policy", policy)
    return response
