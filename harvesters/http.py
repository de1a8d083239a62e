"""Safe HTTP for harvesting other people's servers.

``Http.get`` fetches one URL and returns a complete ``Response`` or raises ``HttpError``
(a ``SourceError``), never a raw requests/urllib3 exception. Municipal portals can be
slow, broken or hostile, so every request has connect and read timeouts, a cap on the
decompressed body (a gzip bomb stops at the cap), bounded retries with back-off on 429,
5xx and connection failures (honouring ``Retry-After``), and redirects followed one hop
at a time. With a ``validators`` store, ``conditional=True`` sends
``If-None-Match``/``If-Modified-Since`` and a 304 comes back as a ``Response`` whose
``not_modified`` is true.

The SSRF guard (``Http.check``, for every hop) reads the URL as requests will send it
(urllib3's parser, on the URL requests prepared), refuses what parsers read in different
ways (backslashes, spaces and control characters, user names and passwords, IPv4
addresses written in other ways than a.b.c.d, IPv6 zone ids) and every scheme but http
and https, resolves the host once and refuses it unless every address is public, or is
one of the exact ``host:port`` the ``allow_private`` setting lists. The ``deny``
``host:port`` (the portal's own services) are refused even then. The connection is then
pinned to the address that was checked (``_PinnedAdapter``): the host name is not
resolved again, so a DNS answer that changes in between (rebinding) cannot redirect it,
while the Host header, TLS SNI and the certificate check keep the host name.

``Http.probe`` is for link checking: one request per hop, no retries (the caller decides
what a 429 or 503 means for it) and no body read, so a 10 GB download costs one header.
Every hop passes the guard and is announced to ``before_request`` by its ``host:port``
key (``host_key``), so a caller can hold each host to a budget. A timeout raises
``Timeout`` and a failed exchange ``ConnectionFailed`` (both ``HttpError``), because a
link checker words and schedules them differently.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO
from urllib.parse import urljoin

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from harvesters.base import SourceError

__all__ = [
    "ConnectionFailed",
    "NameNotResolved",
    "Http",
    "HttpError",
    "Probe",
    "Refused",
    "Response",
    "Target",
    "Timeout",
    "host_key",
]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
#: A host name as DNS has them (after IDNA): anything else is not looked up.
HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
#: A last label that makes a host an IPv4 address to browsers and to inet_aton (WHATWG).
NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+")


class HttpError(SourceError):
    """A request failed for good (after retries): the message says why, with the URL."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class Refused(HttpError):
    """The guard refused a URL before any connection.

    ``reason`` names the rule, for callers that word it for a person: ``type`` (not
    text), ``syntax``, ``scheme``, ``credentials``, ``address`` (a non-public address
    that is not allowed) or ``service`` (one of the portal's own services).
    """

    def __init__(self, message: str, url: str, reason: str, address: str | None = None):
        super().__init__(f"{url}: refused: {message}", url)
        self.reason = reason
        self.address = address


class Timeout(HttpError):
    """The connect or read timeout elapsed: the server may be slow rather than gone."""


class ConnectionFailed(HttpError):
    """The exchange itself failed (refused, reset, truncated, TLS), not the URL."""


class NameNotResolved(HttpError):
    """The host name does not resolve: every URL on that host fails alike."""


@dataclass(frozen=True)
class Target:
    """A URL the guard accepted, and the one address its connection may dial."""

    url: str  # as requests prepared it
    scheme: str
    host: str  # lower case; an IPv6 address without brackets
    port: int
    address: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def key(self) -> str:
        """``host:port`` with the port always written: one key per server, for budgets."""
        return _host_key(self.host, self.port)


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


@dataclass(frozen=True)
class Probe:
    """Where a URL led and the headers of the final answer, without its body.

    ``redirects`` lists each redirect followed as (status, URL that answered it).
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    redirects: list[tuple[int, str]] = field(default_factory=list)


class Http:
    """A ``requests.Session`` wrapped so that a misbehaving server cannot hurt the harvest.

    ``allow_private`` and ``deny`` are exact ``host:port`` entries (``127.0.0.1:8770``,
    ``[::1]:8770``, ``fixtures.internal:8770``), as an iterable or a string separated by
    spaces or commas; a range or a host without its port is a ``ValueError``. An entry
    names an address the host resolves to, or the host name itself. ``validators`` maps
    each requested URL (with its query parameters) to ``{"etag": ..., "last_modified":
    ...}``; it is updated after a 200. One ``Http`` is used by one thread at a time.
    """

    def __init__(
        self,
        timeout: float = 30.0,
        max_bytes: int = 50 * 1024 * 1024,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        max_redirects: int = 5,
        allow_private: str | Iterable[str] = (),
        deny: str | Iterable[str] = (),
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
        self.allowed = _endpoints(allow_private, "ckanext.wepulse.harvest.allow_private")
        self.denied = _endpoints(deny, "deny")
        self._denied_cache: dict[str, list[ipaddress.IPv4Address | ipaddress.IPv6Address]] = {}
        self.session = requests.Session()
        # No proxy, .netrc or CA bundle from the environment: a proxy would resolve the
        # host itself, past the pin, and .netrc would hand our credentials to a source.
        self.session.trust_env = False
        self._adapter = _PinnedAdapter()
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)
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
        sink: BinaryIO | None = None,
    ) -> Response:
        """The answer to a GET, its body checked against ``max_bytes``; with ``sink``, the
        body is written there as it arrives (a file of any size in flat memory) and the
        response's ``content`` is empty."""
        target = self.check(url, params)
        key = target.url if params else url
        request_headers = dict(headers or {})
        known = (self.validators.get(key) if self.validators is not None else None) or {}
        if conditional and known.get("etag"):
            request_headers["If-None-Match"] = known["etag"]
        if conditional and known.get("last_modified"):
            request_headers["If-Modified-Since"] = known["last_modified"]

        # Redirects are followed here, not by requests, so each hop passes the guard.
        for _hop in range(self.max_redirects + 1):
            response = self._fetch(target, request_headers, sink)
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES:
                break
            if not location:
                raise HttpError(
                    f"{target.url}: HTTP {response.status} without Location", target.url
                )
            following = self.check(urljoin(target.url, location))
            if following.host != target.host:
                request_headers.pop("Authorization", None)  # credentials stay with their host
            target = following
        else:
            raise HttpError(f"{url}: too many redirects (more than {self.max_redirects})", url)

        if 300 <= response.status < 400 and not response.not_modified:
            raise HttpError(f"{target.url}: HTTP {response.status}", target.url, response.status)
        if response.status == 200 and self.validators is not None:
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            if etag or modified:
                self.validators[key] = {"etag": etag, "last_modified": modified}
            elif key in self.validators:
                del self.validators[key]  # a stale validator would only cost a wasted request
        return response

    def probe(
        self,
        url: str,
        method: str = "HEAD",
        before_request: Callable[[str], None] | None = None,
    ) -> Probe:
        """Where ``url`` leads, for a link check: one request per hop and no body.

        Nothing is retried: a 429 or 503 comes back as the final status for the caller to
        honour. ``before_request`` is called with each hop's ``host:port`` key before it is
        requested (a per-host budget); what it raises propagates. Raises ``Refused``
        (guard), ``Timeout``, ``ConnectionFailed`` or ``HttpError`` (name not resolved,
        too many redirects, a redirect without Location).
        """
        target = self.check(url)
        redirects: list[tuple[int, str]] = []
        for _hop in range(self.max_redirects + 1):
            if before_request is not None:
                before_request(target.key)
            status, headers = self._probe_hop(target, method)
            if status not in REDIRECT_STATUSES:
                return Probe(url, target.url, status, headers, redirects)
            location = headers.get("Location")
            if not location:
                raise HttpError(f"{target.url}: HTTP {status} without Location", target.url, status)
            redirects.append((status, target.url))
            target = self.check(urljoin(target.url, location))
        raise HttpError(f"{url}: too many redirects (more than {self.max_redirects})", url)

    def _probe_hop(self, target: Target, method: str) -> tuple[int, CaseInsensitiveDict]:
        """One request, pinned; the response is closed unread (the connection is dropped)."""
        url = target.url
        self._adapter.target = target
        try:
            with self.session.request(
                method,
                url,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                stream=True,
            ) as r:
                return r.status_code, CaseInsensitiveDict(r.headers)
        except HttpError:
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            problem, _retry = _describe(error, self.timeout)
            raise _failure(error)(f"{url}: {problem}", url) from None
        except ValueError as error:  # requests parses a redirect's Location even unfollowed
            raise HttpError(f"{url}: redirect to an invalid Location ({error})", url) from None
        finally:
            self._adapter.target = None

    def check(self, url: Any, params: Mapping[str, Any] | None = None) -> Target:
        """The guard: ``url`` as requests will send it, and the one address it may dial.

        Raises ``Refused`` for a URL or address the guard does not accept, and
        ``HttpError`` when the host name does not resolve.
        """
        prepared_url, scheme, host, port, literal = _parse(url, params)
        if (host.strip("[]").rstrip("."), port) in self.denied:
            raise Refused(f"{host} port {port} is one of the portal's own services", url, "service")
        if literal is not None:
            host = host.strip("[]")
            addresses = [literal]
        else:
            addresses = self._resolve(host, port, url)
        for address in addresses:
            self._check_address(url, host, port, address)
        return Target(prepared_url, scheme, host, port, str(addresses[0]))

    def _resolve(
        self, host: str, port: int, url: str
    ) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise NameNotResolved(f"{url}: name {host} does not resolve ({error})", url) from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise NameNotResolved(f"{url}: name {host} does not resolve", url)
        return list(dict.fromkeys(addresses))

    def _check_address(
        self, url: str, host: str, port: int, address: ipaddress.IPv4Address | ipaddress.IPv6Address
    ) -> None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if self._denies(port, address):
            raise Refused(
                f"{address} port {port} is one of the portal's own services",
                url,
                "service",
                str(address),
            )
        if (host.rstrip("."), port) in self.allowed or (str(address), port) in self.allowed:
            return
        reason = _non_public(address)
        if reason:
            raise Refused(
                f"{address} is a {reason} address "
                "(allow its host:port in ckanext.wepulse.harvest.allow_private)",
                url,
                "address",
                str(address),
            )

    def _denies(self, port: int, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        """Whether an address at ``port`` is one of ``deny``'s, or on loopback like one."""
        for denied_host, denied_port in self.denied:
            if denied_port != port:
                continue
            for denied in self._denied_addresses(denied_host):
                # A service on 127.0.0.1 or 0.0.0.0 answers on every loopback address.
                if denied == address or (_is_local(denied) and _is_local(address)):
                    return True
        return False

    def _denied_addresses(self, host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        if host not in self._denied_cache:
            try:
                addresses = [ipaddress.ip_address(host)]
            except ValueError:
                try:
                    addresses = self._resolve(host, 0, host)
                except HttpError:
                    addresses = []
                # A public address may be a proxy or CDN that other sites share too.
                addresses = [a for a in addresses if _non_public(a)]
            self._denied_cache[host] = addresses
        return self._denied_cache[host]

    def _fetch(
        self, target: Target, headers: dict[str, str], sink: BinaryIO | None = None
    ) -> Response:
        """One hop, pinned to the checked address: up to ``retries + 1`` attempts."""
        url = target.url
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            wait = None
            self._adapter.target = target
            try:
                with self.session.get(
                    url,
                    headers=headers,
                    timeout=(self.timeout, self.timeout),
                    allow_redirects=False,
                    stream=True,
                ) as r:
                    if r.status_code not in RETRY_STATUSES or attempt == attempts:
                        return self._complete(url, r, attempt, sink)
                    wait = self._retry_after(r.headers.get("Retry-After"))
            except HttpError:
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                problem, retry = _describe(error, self.timeout)
                if not retry or attempt == attempts:
                    raise _failure(error)(f"{url}: {problem}{_after(attempt)}", url) from None
            finally:
                self._adapter.target = None
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1)
            self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")

    def _complete(
        self, url: str, r: requests.Response, attempt: int, sink: BinaryIO | None = None
    ) -> Response:
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
        body, size = bytearray(), 0
        if sink is not None:
            sink.seek(0)
            sink.truncate()  # a retried attempt starts again
        # iter_content decodes gzip/deflate, so the cap counts decompressed bytes.
        for chunk in r.iter_content(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(url)
            if sink is not None:
                sink.write(chunk)
            else:
                body += chunk
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


class _PinnedAdapter(HTTPAdapter):
    """Sends each request to the address the guard checked (``target``), never to one
    looked up again: the connection pool dials that address, while TLS SNI, the
    certificate check and the Host header keep the URL's host name."""

    target: Target | None = None

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        target, scheme = self.target, host_params["scheme"]
        sent = (scheme, host_params["host"], host_params["port"] or DEFAULT_PORTS.get(scheme))
        if target is None or sent != (target.scheme, target.host, target.port):
            raise Refused("not the URL the guard checked", request.url, "syntax")
        if scheme == "https":
            pool_kwargs["server_hostname"] = target.host
        return {**host_params, "host": target.address, "port": target.port}, pool_kwargs

    def add_headers(self, request, **kwargs):
        request.headers["Host"] = self.target.host_header


def host_key(url: Any) -> str:
    """The ``host:port`` key ``probe`` announces for ``url`` (port always written), from
    the guard's reading of the URL without resolving it; ``Refused`` when the guard's
    syntax rules refuse it."""
    _url, _scheme, host, port, _literal = _parse(url, None)
    return _host_key(host, port)


def _host_key(host: str, port: int) -> str:
    host = host.strip("[]").rstrip(".")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _parse(
    url: Any, params: Mapping[str, Any] | None
) -> tuple[str, str, str, int, ipaddress.IPv4Address | ipaddress.IPv6Address | None]:
    """The guard's syntax rules: ``url`` as requests will send it, its scheme, host (lower
    case; an IPv6 address in brackets), port and the address the host is written as."""
    if not isinstance(url, str):
        raise Refused("a URL is text", repr(url), "type")
    if any(char == "\\" or char.isspace() or unicodedata.category(char)[0] == "C" for char in url):
        raise Refused("backslashes, spaces and control characters are not allowed", url, "syntax")
    if url.partition(":")[0].lower() not in DEFAULT_PORTS:
        raise Refused("only http and https URLs are fetched", url, "scheme")
    try:
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, params)
        parts = parse_url(prepared.url)
    except (requests.RequestException, LocationParseError, UnicodeError, ValueError) as error:
        raise Refused(f"not a valid URL ({error})", url, "syntax") from None
    if parts.auth is not None:
        raise Refused("user names and passwords are not allowed in a URL", url, "credentials")
    scheme, host = parts.scheme or "", (parts.host or "").lower()
    if scheme not in DEFAULT_PORTS:
        raise Refused("only http and https URLs are fetched", url, "scheme")
    port = DEFAULT_PORTS[scheme] if parts.port is None else parts.port
    if not 0 < port < 65536:
        raise Refused(f"port {port} is not a port", url, "syntax")
    return prepared.url, scheme, host, port, _literal_address(host, url)


def _endpoints(entries: str | Iterable[str], setting: str) -> frozenset[tuple[str, int]]:
    """``host:port`` entries as (host, port); anything else is a ``ValueError``."""
    if isinstance(entries, str):
        entries = entries.replace(",", " ").split()
    found = set()
    for entry in entries:
        try:
            parts = parse_url(f"//{entry.strip()}")
            host = (parts.host or "").lower()
            _literal_address(host, entry)
        except (LocationParseError, HttpError):
            parts = None
        if not parts or not host or not parts.port or parts.auth or parts.path or parts.query:
            raise ValueError(
                f"{setting}: {entry!r} is not an exact host:port such as 127.0.0.1:8770 "
                "(ranges and hosts without a port are not allowed)"
            )
        found.add((host.strip("[]").rstrip("."), parts.port))
    return frozenset(found)


def _literal_address(host: str, url: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``host`` is written as, if any; forms that parsers read differently
    (2130706433, 0x7f.1, 017700000001, 127.1, zone ids) are refused, not guessed."""
    if host.startswith("["):
        if "%" in host:
            raise Refused(f"{host}: IPv6 zone ids are not allowed", url, "syntax")
        try:
            return ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise Refused(f"{host} is not an IPv6 address", url, "syntax") from None
    name = host.rstrip(".")
    if NUMBER.fullmatch(name.rsplit(".", 1)[-1]):
        try:
            return ipaddress.IPv4Address(name)  # a.b.c.d in decimal, without leading zeros
        except ValueError:
            raise Refused(f"{host} is not an IPv4 address written a.b.c.d", url, "syntax") from None
    if not HOST_NAME.fullmatch(host):
        raise Refused(f"{host!r} is not a host name", url, "syntax")
    return None


def _is_local(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_loopback or address.is_unspecified


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    # Most specific first: 169.254.169.254 is also "private", but link-local says more.
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-public"


TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)


def _timed_out(error: Exception) -> bool:
    # Body reads wrap the timeout in a ConnectionError.
    return isinstance(error, TIMEOUTS) or any(isinstance(arg, TIMEOUTS) for arg in error.args)


def _failure(error: Exception) -> type[HttpError]:
    """The ``HttpError`` class for a failed request: ``Timeout``, ``ConnectionFailed``
    (the exchange broke) or plain ``HttpError``."""
    if isinstance(error, requests.exceptions.SSLError):
        return ConnectionFailed
    if _timed_out(error):
        return Timeout
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return HttpError
    broken = (
        requests.exceptions.ChunkedEncodingError,
        urllib3.exceptions.ProtocolError,
        requests.ConnectionError,
        OSError,
    )
    return ConnectionFailed if isinstance(error, broken) else HttpError


def _describe(error: Exception, timeout: float) -> tuple[str, bool]:
    """What went wrong in words, and whether another attempt may help."""
    cause = _innermost(error)
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS error ({cause})", False
    if _timed_out(error):
        return f"timed out (limit {timeout:g} s)", True
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
