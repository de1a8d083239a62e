"""The SSRF guard of harvesters.http against real loopback servers.

A canary server stands for what a harvest must never reach (Solr, Redis, the portal):
whatever URL, redirect or DNS answer is tried, it receives no request. The source
server stands for the one fixture server a setting allows, by its exact host:port.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harvesters.http import Http, HttpError, Refused


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.seen.append((self.path, self.headers))
        status, headers = self.server.routes.get(self.path.split("?")[0], (200, {}))
        self.send_response(status)
        for name, value in {"Content-Length": "2", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    """Answers each path with its route's (status, headers), else 200 "ok"; records
    every request it gets in ``seen``."""

    block_on_close = False

    def __init__(self, host="127.0.0.1", port=0, tls=None):
        super().__init__((host, port), Handler)
        if tls:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.routes, self.seen = {}, []
        self.port = self.server_address[1]
        self.address = f"{host}:{self.port}"
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self):
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        pass  # a refused TLS handshake is what one test is about


@pytest.fixture
def canary():
    server = Server()
    yield server
    assert server.seen == []  # every test: nothing ever reached it
    server.stop()


@pytest.fixture
def source():
    server = Server()
    yield server
    server.stop()


def http(*allowed, **options) -> Http:
    return Http(allow_private=list(allowed), retries=0, sleep=lambda _s: None, **options)


def test_urls_parsers_read_differently_never_reach_the_canary(canary, source):
    c = canary.port
    # Each is refused before any connection: none may reach the canary, nor 8.8.8.8.
    urls = {
        f"http://127.0.0.1:{c}\\@8.8.8.8/../x": "syntax",  # urlsplit read 8.8.8.8
        f"http://8.8.8.8\\@127.0.0.1:{c}/": "syntax",
        f"http://127.0.0.1:{c}\\\\8.8.8.8/": "syntax",
        f"http://8.8.8.8:80@127.0.0.1:{c}/": "credentials",
        f"http://127.0.0.1:{c}@8.8.8.8/": "credentials",
        f"http://user:pass@127.0.0.1:{c}/": "credentials",
        f"http://2130706433:{c}/": "syntax",  # decimal 127.0.0.1
        f"http://0x7f000001:{c}/": "syntax",
        f"http://0x7f.1:{c}/": "syntax",
        f"http://017700000001:{c}/": "syntax",  # octal
        f"http://0177.0.0.1:{c}/": "syntax",
        f"http://127.1:{c}/": "syntax",
        f"http://[fe80::1%25lo]:{c}/": "syntax",  # zone id
        f"http://127.0.0.1:{c}/\t": "syntax",
        f" http://127.0.0.1:{c}/": "syntax",
        f"http://127.0.0.1:{c}\u3000/": "syntax",  # ideographic space
        f"http://127.0.0.1:{c}/\u200b": "syntax",  # zero-width space
        f"http://127.0.0.1:{c}/\r\nX-Injected: 1": "syntax",
        f"http://127.0.0.1:{c}/": "address",
        f"HtTp://127.0.0.1:{c}/": "address",
        f"http://127%2e0%2e0%2e1:{c}/": "address",
        f"http://127.0.0.1:{c}/%2e%2e/%2e%2e/x": "address",
        f"http://127.0.0.1:{c}#@8.8.8.8/": "address",
        f"http://127.0.0.1.:{c}/": "address",
        f"http://127.0.0.2:{c}/": "address",
        f"http://0.0.0.0:{c}/": "address",  # Linux connects that to the local host
        f"http://[::1]:{c}/": "address",
        f"http://[::ffff:127.0.0.1]:{c}/": "address",
        f"http://[::ffff:7f00:1]:{c}/": "address",
        f"http://[0:0:0:0:0:ffff:127.0.0.1]:{c}/": "address",
        f"http://localhost:{c}/": "address",  # a name resolving to loopback
        f"http://LOCALHOST:{c}/": "address",
        f"file://127.0.0.1:{c}/etc/passwd": "scheme",
        f"gopher://127.0.0.1:{c}/_INFO": "scheme",
        f"ftp://127.0.0.1:{c}/": "scheme",
        f"dict://127.0.0.1:{c}/": "scheme",
        f"//127.0.0.1:{c}/": "scheme",
        "javascript:alert(document.domain)": "scheme",
        f"127.0.0.1:{c}": "scheme",
        "http://": "syntax",
        "http:/x": "syntax",
        5: "type",
        None: "type",
    }
    guard = http(source.address)  # another port of the same host is allowed
    for url, reason in urls.items():
        with pytest.raises(Refused) as caught:
            guard.get(url)
        assert caught.value.reason == reason, (url, str(caught.value))
        assert "refused" in str(caught.value)


def test_redirects_to_the_canary_are_refused_hop_by_hop(canary, source):
    c = canary.port
    locations = [
        f"http://127.0.0.1:{c}/",  # the same host, another port
        f"//127.0.0.1:{c}/",
        f"http://localhost:{c}/",
        f"http://[::ffff:127.0.0.1]:{c}/",
        f"http://2130706433:{c}/",
        f"http://127.0.0.1:{c}\\@example.org/",
        f"/\\127.0.0.1:{c}/",
        f"http://user@127.0.0.1:{c}/",
        f"gopher://127.0.0.1:{c}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
    ]
    guard = http(source.address)
    for number, location in enumerate(locations):
        source.routes[f"/jump{number}"] = (302, {"Location": location})
        source.routes[f"/twice{number}"] = (301, {"Location": f"/jump{number}"})
        for start in (f"/jump{number}", f"/twice{number}"):
            with pytest.raises(Refused, match="refused"):
                guard.get(f"http://{source.address}{start}")
    assert len(source.seen) == 3 * len(locations)  # each hop on the source, none further


def test_the_allowed_host_and_port_works_by_address_or_by_name(source):
    source.routes["/moved"] = (302, {"Location": "/data"})
    for allowed, url in [
        (source.address, f"http://{source.address}/data"),
        (source.address, f"http://localhost:{source.port}/moved"),  # resolves to it
        (f"localhost:{source.port}", f"http://localhost:{source.port}/data"),
    ]:
        response = http(allowed).get(url)
        assert (response.status, response.content) == (200, b"ok"), allowed
        assert response.url.endswith("/data")
    # An entry allows its host at its port, not the host at every port.
    with pytest.raises(Refused, match="loopback"):
        http(f"127.0.0.1:{source.port + 1}").get(f"http://{source.address}/data")


@pytest.mark.parametrize(
    "entry",
    ["127.0.0.0/8", "127.0.0.1", "localhost", "::1", "127.0.0.1:0", "*:80", "2130706433:80",
     "127.0.0.1:8770/path", "user@127.0.0.1:8770", "[fe80::1%25lo]:80", "0.0.0.0/0"],
)  # fmt: skip
def test_allow_private_entries_are_exact_host_and_port(entry):
    with pytest.raises(ValueError, match="is not an exact host:port such as 127.0.0.1:8770"):
        Http(allow_private=entry)


def test_the_portals_own_services_are_refused_even_when_allowed(source):
    # What sources.make_http passes: Solr, Redis, PostgreSQL and the portal itself.
    for denied, url in [
        (source.address, f"http://{source.address}/solr/ckan/select?q=*:*&wt=csv"),
        (f"localhost:{source.port}", f"http://{source.address}/"),
        (f"0.0.0.0:{source.port}", f"http://{source.address}/"),
        (source.address, f"http://localhost:{source.port}/"),
        (source.address, f"http://127.0.0.2:{source.port}/"),  # also the local host
        (source.address, f"http://[::ffff:127.0.0.1]:{source.port}/"),
    ]:
        guard = http(source.address, f"127.0.0.2:{source.port}", deny=[denied])
        with pytest.raises(Refused, match="one of the portal's own services") as caught:
            guard.get(url)
        assert caught.value.reason == "service"
    assert source.seen == []


def test_own_services_named_by_host_name(monkeypatch):
    # The portal behind a CDN shares its public address with other sites: a service's
    # name is denied, and its non-public addresses, not a public one.
    names = {"portal.example": "93.184.215.14", "solr.internal": "10.0.0.5"}
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    guard = Http(allow_private=["10.0.0.5:8983"], deny=["portal.example:443", "solr.internal:8983"])

    for url in ["https://portal.example/api/3/action/package_search", "http://10.0.0.5:8983/"]:
        with pytest.raises(Refused, match="own services"):
            guard.check(url)
    assert guard.check("https://93.184.215.14/").address == "93.184.215.14"


def free_port_on_both(*hosts):
    for _ in range(20):
        with socket.socket() as first:
            first.bind((hosts[0], 0))
            port = first.getsockname()[1]
            try:
                with socket.socket() as second:
                    second.bind((hosts[1], port))
            except OSError:
                continue
        return port
    raise RuntimeError("no port free on both addresses")


def test_dns_rebinding_cannot_move_the_connection(monkeypatch):
    """The host is resolved once, and the connection dials what was checked.

    A name first answers the allowed source's address, then the canary's (the
    rebinding): only the source is reached, and the name was looked up once.
    DNS is not a service of ours, so the resolver is the one part played here.
    """
    port = free_port_on_both("127.0.0.2", "127.0.0.1")
    source, canary = Server("127.0.0.2", port), Server("127.0.0.1", port)
    lookups = []
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.2" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    guard = http(source.address)
    try:
        assert guard.get(f"http://rebind.test:{port}/data").content == b"ok"
        assert len(lookups) == 1  # checked and dialled on one answer
        assert source.seen[0][1]["Host"] == f"rebind.test:{port}"
        # The next request sees the new answer, and the guard refuses it.
        with pytest.raises(Refused, match="127.0.0.1 is a loopback address"):
            guard.get(f"http://rebind.test:{port}/data")
        assert len(source.seen) == 1
        assert canary.seen == []
    finally:
        source.stop()
        canary.stop()


def test_an_environment_proxy_is_not_used(monkeypatch, canary, source):
    # A proxy resolves the host itself, past the pin: the guard's client ignores it.
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://{canary.address}")
    monkeypatch.setenv("NO_PROXY", "")

    assert http(source.address).get(f"http://{source.address}/data").content == b"ok"
    assert len(source.seen) == 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for the name localhost only (no IP address in it)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext",
         "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_keeps_sni_and_the_certificate_check_on_the_host_name(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = Server(tls=context)
    try:
        guard = http(server.address)
        guard.session.verify = str(cert)

        # Dialled at 127.0.0.1, verified as localhost: the name the URL has.
        assert guard.get(f"https://localhost:{server.port}/data").content == b"ok"
        assert names == ["localhost"]
        assert server.seen[0][1]["Host"] == f"localhost:{server.port}"
        # The check is on: the certificate does not name 127.0.0.1.
        with pytest.raises(HttpError, match="TLS error"):
            guard.get(f"https://{server.address}/data")
    finally:
        server.stop()


def test_a_name_that_does_not_resolve_is_an_error_not_a_refusal():
    with pytest.raises(HttpError, match="does not resolve") as caught:
        Http().check("https://nowhere.invalid/")
    assert not isinstance(caught.value, Refused)


def test_a_host_name_resolving_to_a_private_address_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    # Every address is checked, not only the first.
    with pytest.raises(Refused, match="refused: 10.0.0.7 is a private address"):
        Http().check("https://intranet.example.org/api")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fd00:ec2::254]/", "private"),
        ("http://10.1.2.3/", "private"),
        ("http://100.64.0.1/", "non-public"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
    ],
)
def test_non_public_addresses_are_refused(url, reason):
    with pytest.raises(Refused, match=f"refused: .* is a {reason} address") as caught:
        Http().check(url)
    assert "ckanext.wepulse.harvest.allow_private" in str(caught.value)
