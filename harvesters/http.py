"""Safe HTTP for harvesting other people's servers.

``Http.get`` fetches one URL and returns a complete ``Response`` or raises ``HttpError``
(a ``SourceError``), never a raw requests/urllib3 exception. Municipal portals can be
slow, broken or hostile, so every request has connect and read timeouts, a cap on the
decompressed body (a gzip bomb stops at the cap), bounded retries with back-off on 429,
5xx and connection failures (honouring ``Retry-After``), redirects followed one hop at a
time, and an SSRF guard: only http(s), and no host that resolves to a loopback, private,
link-local (cloud metadata), multicast, reserved or unspecified address unless the
``allow_private`` setting allows it. With a ``validators`` store, ``conditional=True``
sends ``If-None-Match``/``If-Modified-Since`` and a 304 comes back as a ``Response``
whose ``not_modified`` is true.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from harvesters.base import SourceError

__all__ = ["Http", "HttpError", "Response"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


class HttpError(SourceError):
    """A request failed for good (after retries): the message says why, with the URL."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Response:
    """A complete, size-checked response body (decompressed)."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ("" when absent)."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        charset = "utf-8"
        for param in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as error:
            raise HttpError(f"{self.url}: not JSON ({error})", self.url, self.status) from None


class Http:
    """A ``requests.Session`` wrapped so that a misbehaving server cannot hurt the harvest.

    ``allow_private`` is ``False`` (refuse every non-public address), ``True`` (allow
    all) or CIDR networks and host names that are allowed, as an iterable or a string
    separated by spaces or commas. ``validators`` maps each requested URL (with its query
    parameters) to ``{"etag": ..., "last_modified": ...}``; it is updated after a 200.
    """

    def __init__(
        self,
        timeout: float = 30.0,
        max_bytes: int = 50 * 1024 * 1024,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        max_redirects: int = 5,
        allow_private: bool | str | Iterable[str] | None = False,
        user_agent: str = "WePulse-Harvester/1.0 (+https://wepulse.example)",
        sleep: Callable[[float], Any] = time.sleep,
        validators: MutableMapping[str, dict[str, str | None]] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_redirects = max_redirects
        self.sleep = sleep
        self.validators = validators
        self.allow_all = allow_private is True
        self.allowed_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.allowed_hosts: set[str] = set()
        if isinstance(allow_private, str):
            allow_private = allow_private.replace(",", " ").split()
        if not isinstance(allow_private, bool | None):
            for entry in allow_private:
                try:
                    self.allowed_networks.append(ipaddress.ip_network(entry.strip(), strict=False))
                except ValueError:
                    self.allowed_hosts.add(entry.strip().rstrip(".").lower())
        self.session = requests.Session()
        # Only encodings urllib3 always decodes, so the size cap sees the real body.
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = False,
    ) -> Response:
        try:
            prepared = requests.PreparedRequest()
            prepared.prepare_url(url, params)
        except requests.RequestException as error:
            raise HttpError(f"{url}: invalid URL ({error})", url) from None
        current = key = prepared.url if params else url
        request_headers = dict(headers or {})
        known = (self.validators.get(key) if self.validators is not None else None) or {}
        if conditional and known.get("etag"):
            request_headers["If-None-Match"] = known["etag"]
        if conditional and known.get("last_modified"):
            request_headers["If-Modified-Since"] = known["last_modified"]

        # Redirects are followed here, not by requests, so each hop passes the guard.
        for _hop in range(self.max_redirects + 1):
            response = self._fetch(current, request_headers)
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES:
                break
            if not location:
                raise HttpError(f"{current}: HTTP {response.status} without Location", current)
            target = urljoin(current, location)
            if urlsplit(target).hostname != urlsplit(current).hostname:
                request_headers.pop("Authorization", None)  # credentials stay with their host
            current = target
        else:
            raise HttpError(f"{url}: too many redirects (more than {self.max_redirects})", url)

        if 300 <= response.status < 400 and not response.not_modified:
            raise HttpError(f"{current}: HTTP {response.status}", current, response.status)
        if response.status == 200 and self.validators is not None:
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            if etag or modified:
                self.validators[key] = {"etag": etag, "last_modified": modified}
            elif key in self.validators:
                del self.validators[key]  # a stale validator would only cost a wasted request
        return response

    def _fetch(self, url: str, headers: dict[str, str]) -> Response:
        """One hop: the guard, then up to ``retries + 1`` attempts."""
        self._check(url)
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            wait = None
            try:
                with self.session.get(
                    url,
                    headers=headers,
                    timeout=(self.timeout, self.timeout),
                    allow_redirects=False,
                    stream=True,
                ) as r:
                    if r.status_code not in RETRY_STATUSES or attempt == attempts:
                        return self._complete(url, r, attempt)
                    wait = self._retry_after(r.headers.get("Retry-After"))
            except HttpError:
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                problem, retry = _describe(error, self.timeout)
                if not retry or attempt == attempts:
                    raise HttpError(f"{url}: {problem}{_after(attempt)}", url) from None
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1)
            self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")

    def _complete(self, url: str, r: requests.Response, attempt: int) -> Response:
        """The final answer of one hop: an error, a body-less 3xx, or the size-checked body."""
        headers = CaseInsensitiveDict(r.headers)
        if r.status_code >= 400:
            after = _after(attempt) if r.status_code in RETRY_STATUSES else ""
            raise HttpError(f"{url}: HTTP {r.status_code}{after}", url, r.status_code)
        if 300 <= r.status_code < 400:
            return Response(url, r.status_code, b"", headers)
        length = headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large(url)
        body = bytearray()
        # iter_content decodes gzip/deflate, so the cap counts decompressed bytes.
        for chunk in r.iter_content(CHUNK):
            body += chunk
            if len(body) > self.max_bytes:
                raise self._too_large(url)
        return Response(url, r.status_code, bytes(body), headers)

    def _too_large(self, url: str) -> HttpError:
        return HttpError(f"{url}: response larger than {self.max_bytes} bytes", url)

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds to wait from a Retry-After header (seconds or HTTP-date), if usable."""
        value = (value or "").strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)

    def _check(self, url: str) -> None:
        """Refuse non-http(s) URLs and hosts that resolve to non-public addresses.

        Not covered: DNS rebinding, i.e. a name that resolves to a public address here
        and to a private one when requests resolves it again to connect.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise HttpError(f"{url}: refused: only http and https URLs are fetched", url)
        host = parts.hostname
        if not host:
            raise HttpError(f"{url}: refused: no host in the URL", url)
        if self.allow_all or host.rstrip(".").lower() in self.allowed_hosts:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except ValueError as error:
            raise HttpError(f"{url}: invalid URL ({error})", url) from None
        except (OSError, UnicodeError) as error:
            raise HttpError(f"{url}: name {host} does not resolve ({error})", url) from None
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
            if any(address in network for network in self.allowed_networks):
                continue
            reason = _non_public(address)
            if reason:
                raise HttpError(
                    f"{url}: refused: {address} is a {reason} address "
                    "(allow it in ckanext.wepulse.harvest.allow_private)",
                    url,
                )


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    # Most specific first: 169.254.169.254 is also "private", but link-local says more.
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-public"


def _describe(error: Exception, timeout: float) -> tuple[str, bool]:
    """What went wrong in words, and whether another attempt may help."""
    cause = _innermost(error)
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS error ({cause})", False
    timeouts = (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
    if isinstance(error, timeouts) or any(isinstance(arg, timeouts) for arg in error.args):
        return f"timed out (limit {timeout:g} s)", True  # body reads wrap it in ConnectionError
    # urllib3 raises ProtocolError(IncompleteRead) when the server closes before Content-Length.
    truncated = requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError
    if isinstance(error, truncated):
        return f"body was truncated ({cause})", True
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return f"body could not be decompressed ({cause})", False
    if isinstance(error, requests.ConnectionError | OSError):
        return f"connection failed ({cause})", True
    return f"request failed ({cause})", False


def _innermost(error: BaseException) -> BaseException:
    """The exception inside requests' and urllib3's wrappers, for a message a person reads."""
    for _ in range(10):
        inner = [getattr(error, "reason", None), error.__cause__, *error.args]
        found = next((e for e in inner if isinstance(e, BaseException)), None)
        if found is None:
            return error
        error = found
    return error


def _after(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""
