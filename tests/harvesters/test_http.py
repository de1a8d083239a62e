"""The safe HTTP client against a real local server whose behaviour is chosen per path."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harvesters.base import SourceError
from harvesters.http import Http, HttpError

MB = 1024 * 1024


def reply(handler, status=200, body=b"", headers=None, length=True):
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        self.server.seen.append((self.path, self.headers))
        route = self.server.routes.get(path)
        if route is None:
            reply(self, 404, b"not here")
        else:
            route(self)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    block_on_close = False  # a handler still sleeping for the timeout test must not hold us up

    def handle_error(self, request, client_address):
        pass  # the client hanging up early is what several tests are about


@pytest.fixture
def server():
    srv = Server(("127.0.0.1", 0), Handler)
    srv.routes, srv.hits, srv.seen = {}, Counter(), []
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def waits():
    return []


@pytest.fixture
def make_http(server, waits):
    def make(**options):
        options.setdefault("allow_private", [f"127.0.0.1:{server.server_address[1]}"])
        return Http(sleep=waits.append, **options)

    return make


@pytest.fixture
def http(make_http):
    return make_http()


def test_json_body(server, http):
    body = json.dumps({"result": [1, 2]}).encode()
    server.routes["/data"] = lambda h: reply(
        h, 200, body, {"Content-Type": "application/json; charset=utf-8"}
    )

    response = http.get(f"{server.base}/data", params={"page": 2})

    assert response.status == 200
    assert response.url == f"{server.base}/data?page=2"
    assert response.content == body
    assert response.media_type == "application/json"
    assert response.json() == {"result": [1, 2]}
    path, headers = server.seen[0]
    assert path == "/data?page=2"
    assert headers["User-Agent"].startswith("WePulse-Harvester/")
    assert headers["Accept-Encoding"] == "gzip, deflate"


def test_gzip_body_is_decoded(server, http):
    server.routes["/gz"] = lambda h: reply(
        h, 200, gzip.compress(b'{"ok": true}'), {"Content-Encoding": "gzip"}
    )

    assert http.get(f"{server.base}/gz").json() == {"ok": True}


def test_gzip_bomb_stops_at_decoded_size(server, make_http):
    bomb = gzip.compress(b"\0" * (20 * MB))
    assert len(bomb) < MB  # only the decoded size is over the cap
    server.routes["/bomb"] = lambda h: reply(h, 200, bomb, {"Content-Encoding": "gzip"})

    with pytest.raises(HttpError, match=f"larger than {MB} bytes") as caught:
        make_http(max_bytes=MB).get(f"{server.base}/bomb")
    assert isinstance(caught.value, SourceError)
    assert server.hits["/bomb"] == 1  # too large is not retried


def test_oversized_body_without_content_length(server, make_http):
    server.routes["/big"] = lambda h: reply(h, 200, b"x" * (2 * MB), length=False)

    with pytest.raises(HttpError, match=f"larger than {MB} bytes"):
        make_http(max_bytes=MB).get(f"{server.base}/big")


def test_content_length_over_cap_is_refused_before_reading(server, make_http):
    # Only 5 bytes follow: reading them would end in "truncated", not in "larger than".
    server.routes["/huge"] = lambda h: reply(
        h, 200, b"12345", {"Content-Length": str(10**9)}, length=False
    )

    with pytest.raises(HttpError, match=f"larger than {MB} bytes"):
        make_http(max_bytes=MB, retries=0).get(f"{server.base}/huge")


def test_503_twice_then_200_backs_off(server, make_http, waits):
    def flaky(h):
        if server.hits["/flaky"] <= 2:
            reply(h, 503, b"busy")
        else:
            reply(h, 200, b"done")

    server.routes["/flaky"] = flaky

    response = make_http(backoff=0.5).get(f"{server.base}/flaky")

    assert response.content == b"done"
    assert server.hits["/flaky"] == 3
    assert waits == [0.5, 1.0]


def test_backoff_is_capped_at_max_wait(server, make_http, waits):
    server.routes["/down"] = lambda h: reply(h, 502)

    with pytest.raises(HttpError, match="HTTP 502 after 4 attempts"):
        make_http(backoff=10.0, max_wait=15.0).get(f"{server.base}/down")
    assert waits == [10.0, 15.0, 15.0]


def test_retry_after_seconds_is_honoured(server, http, waits):
    def limited(h):
        if server.hits["/limited"] == 1:
            reply(h, 429, headers={"Retry-After": "7"})
        else:
            reply(h, 200, b"ok")

    server.routes["/limited"] = limited

    assert http.get(f"{server.base}/limited").content == b"ok"
    assert waits == [7.0]


def test_retry_after_date_is_honoured_and_capped(server, make_http, waits):
    def limited(h):
        if server.hits["/limited"] == 1:
            when = formatdate(time.time() + 30, usegmt=True)
            reply(h, 503, headers={"Retry-After": when})
        elif server.hits["/limited"] == 2:
            reply(h, 503, headers={"Retry-After": "3600"})
        else:
            reply(h, 200, b"ok")

    server.routes["/limited"] = limited

    assert make_http(max_wait=60.0).get(f"{server.base}/limited").content == b"ok"
    assert 25 <= waits[0] <= 30
    assert waits[1] == 60.0


def test_500_forever_gives_up_after_all_attempts(server, make_http, waits):
    server.routes["/broken"] = lambda h: reply(h, 500, b"oops")

    with pytest.raises(HttpError, match="HTTP 500 after 4 attempts") as caught:
        make_http(retries=3).get(f"{server.base}/broken")
    assert caught.value.status == 500
    assert caught.value.url == f"{server.base}/broken"
    assert server.hits["/broken"] == 4
    assert waits == [1.0, 2.0, 4.0]


def test_404_fails_at_once(server, http, waits):
    with pytest.raises(HttpError, match="HTTP 404") as caught:
        http.get(f"{server.base}/missing")
    assert caught.value.status == 404
    assert server.hits["/missing"] == 1
    assert waits == []


def test_read_timeout(server, make_http, waits):
    def slow(h):
        time.sleep(2)
        reply(h, 200, b"too late")

    server.routes["/slow"] = slow

    with pytest.raises(HttpError, match="timed out") as caught:
        make_http(timeout=0.5, retries=1).get(f"{server.base}/slow")
    assert "/slow" in str(caught.value)
    assert server.hits["/slow"] == 2
    assert waits == [1.0]


def test_truncated_body(server, make_http):
    server.routes["/cut"] = lambda h: reply(
        h, 200, b"0123456789", {"Content-Length": "1000"}, length=False
    )

    with pytest.raises(HttpError, match="truncated"):
        make_http(retries=1).get(f"{server.base}/cut")
    assert server.hits["/cut"] == 2  # retried like a connection error


def test_connection_refused_is_retried_then_an_http_error(make_http, waits):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request

    with pytest.raises(HttpError, match=r"connection failed \(.*refused\) after 3 attempts"):
        make_http(retries=2, allow_private=f"127.0.0.1:{port}").get(f"http://127.0.0.1:{port}/")
    assert waits == [1.0, 2.0]


def test_redirect_is_followed(server, http):
    server.routes["/old"] = lambda h: reply(h, 301, headers={"Location": "/middle"})
    server.routes["/middle"] = lambda h: reply(h, 302, headers={"Location": f"{server.base}/new"})
    server.routes["/new"] = lambda h: reply(h, 200, b"here")

    response = http.get(f"{server.base}/old")

    assert response.content == b"here"
    assert response.url == f"{server.base}/new"


def test_too_many_redirects(server, make_http):
    server.routes["/loop"] = lambda h: reply(h, 302, headers={"Location": "/loop"})

    with pytest.raises(HttpError, match="too many redirects"):
        make_http(max_redirects=3).get(f"{server.base}/loop")
    assert server.hits["/loop"] == 4


def test_the_host_header_names_the_host_not_the_address_dialled(server, make_http):
    port = server.server_address[1]
    server.routes["/ok"] = lambda h: reply(h, 200, b"fine")

    make_http(allow_private=f"localhost:{port}").get(f"http://LocalHost:{port}/ok")

    assert server.seen[0][1]["Host"] == f"localhost:{port}"


def test_name_that_does_not_resolve(monkeypatch, waits):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)

    with pytest.raises(HttpError, match="name nowhere.example does not resolve") as caught:
        Http(sleep=waits.append).get("https://nowhere.example/")
    assert caught.value.status is None
    assert waits == []


def test_conditional_get_with_etag(server, make_http):
    def tagged(h):
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, headers={"ETag": '"v1"'}, length=False)
        else:
            reply(h, 200, b"payload", {"ETag": '"v1"'})

    server.routes["/tagged"] = tagged
    validators = {}
    http = make_http(validators=validators)
    url = f"{server.base}/tagged"

    first = http.get(url)
    assert first.content == b"payload"
    assert validators[url] == {"etag": '"v1"', "last_modified": None}

    second = http.get(url, conditional=True)
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert server.seen[1][1]["If-None-Match"] == '"v1"'

    assert http.get(url).content == b"payload"  # not conditional: no validator sent
    assert "If-None-Match" not in server.seen[2][1]


def test_conditional_get_with_last_modified(server, make_http):
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def dated(h):
        if h.headers.get("If-Modified-Since") == stamp:
            reply(h, 304, length=False)
        else:
            reply(h, 200, b"payload", {"Last-Modified": stamp})

    server.routes["/dated"] = dated
    validators = {}
    http = make_http(validators=validators)
    url = f"{server.base}/dated"

    assert http.get(url).status == 200
    assert validators[url] == {"etag": None, "last_modified": stamp}

    assert http.get(url, conditional=True).not_modified
    assert server.seen[1][1]["If-Modified-Since"] == stamp
