"""The link checker against real loopback servers whose answer is chosen by path, and its
per-host budget against the suite's Redis."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from ckanext.wepulse.quality.links import (
    DEFAULT_COOL_OFF,
    MAX_COOL_OFF,
    WINDOW,
    BudgetExhausted,
    HostBudget,
    Link,
    LinkResult,
    Throttled,
    check_link,
    check_round,
    next_check,
)
from harvesters.http import Http, HttpError, Probe, Refused, Timeout

GB = 1024**3
MB = 1024**2


def reply(handler, status=200, headers=None, body=b""):
    """An answer with a body for GET and none for HEAD, as a server should."""
    handler.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command == "GET":
        handler.wfile.write(body)


def not_found(handler):
    reply(handler, 404, {"Content-Type": "text/plain"}, b"not here")


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.serve()

    def do_GET(self):
        self.serve()

    def serve(self):
        server, path = self.server, self.path.split("?")[0]
        with server.lock:
            server.seen.append((self.command, path))
            server.times.append(server.clock())
            server.journal.append((server.name, self.command, path))
        server.routes.get(path, not_found)(self)

    def log_message(self, *args):
        pass


class Site(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping for a timeout test must not hold us up

    def handle_error(self, request, client_address):
        pass  # the client hanging up early is what several tests are about


@pytest.fixture
def sites():
    """Starts loopback servers: ``sites(name, clock=...)``; ``sites.journal`` lists every
    request any of them saw, in order, as (name, method, path)."""
    started, journal = [], []

    def start(name="site", clock=time.monotonic):
        site = Site(("127.0.0.1", 0), Handler)
        site.name, site.routes, site.seen, site.times = name, {}, [], []
        site.journal, site.clock, site.lock = journal, clock, threading.Lock()
        site.port = site.server_address[1]
        site.key = f"127.0.0.1:{site.port}"
        site.base = f"http://{site.key}"
        threading.Thread(target=site.serve_forever, args=(0.05,), daemon=True).start()
        started.append(site)
        return site

    start.journal = journal
    yield start
    for site in started:
        site.shutdown()
        site.server_close()


@pytest.fixture
def site(sites):
    return sites()


def http_for(*sites, timeout=2.0):
    return Http(allow_private=[s.key for s in sites], timeout=timeout, retries=0)


@pytest.fixture
def redis_client():
    from ckan.lib.redis import connect_to_redis  # the module under test imports no CKAN

    return connect_to_redis()


@pytest.fixture
def prefix(redis_client):
    """A key prefix of this test's own; its keys are deleted after."""
    prefix = f"wepulse:test:links:{uuid.uuid4().hex}:"
    yield prefix
    for key in redis_client.scan_iter(match=f"{prefix}*"):
        redis_client.delete(key)


class FakeClock:
    """Time that passes only when someone sleeps (one thread at a time)."""

    def __init__(self, start=None):
        self.now = time.time() if start is None else start
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def ok_route(handler):
    reply(handler, 200, {"Content-Type": "text/csv; charset=utf-8"}, b"a,b\n1,2\n")


# ---------------------------------------------------------------------------- check_link


def test_a_working_link_is_ok_with_what_the_server_says(site):
    site.routes["/data.csv"] = ok_route

    result = check_link(http_for(site), f"{site.base}/data.csv")

    assert result == LinkResult(
        "ok",
        http_status=200,
        final_url=f"{site.base}/data.csv",
        content_type="text/csv; charset=utf-8",
        content_length=8,
        message="HTTP 200 OK",
    )
    assert result.works
    assert site.seen == [("HEAD", "/data.csv")]  # HEAD was enough: no GET


def test_redirects_are_followed_and_where_they_end_is_kept(site):
    site.routes["/old"] = lambda h: reply(h, 301, {"Location": "/moved"})
    site.routes["/moved"] = lambda h: reply(h, 302, {"Location": f"{site.base}/data.csv"})
    site.routes["/data.csv"] = ok_route

    result = check_link(http_for(site), f"{site.base}/old")

    assert result.status == "redirect" and result.works
    assert result.http_status == 200
    assert result.final_url == f"{site.base}/data.csv"
    assert "after 2 redirects" in result.message
    assert site.seen == [("HEAD", "/old"), ("HEAD", "/moved"), ("HEAD", "/data.csv")]


def test_a_missing_file_is_broken(site):
    result = check_link(http_for(site), f"{site.base}/gone.csv")

    assert result.status == "broken" and not result.works
    assert result.http_status == 404
    assert result.message == "HTTP 404 Not Found"
    assert site.seen == [("HEAD", "/gone.csv")]  # a 404 to HEAD is believed


def test_a_redirect_loop_is_broken(site):
    site.routes["/loop"] = lambda h: reply(h, 302, {"Location": "/loop"})

    result = check_link(http_for(site), f"{site.base}/loop")

    assert result.status == "broken"
    assert "too many redirects" in result.message
    assert site.seen == [("HEAD", "/loop")] * 6  # max_redirects 5, then it stops: no GET


def test_a_redirect_without_location_is_broken(site):
    site.routes["/nowhere"] = lambda h: reply(h, 302)

    result = check_link(http_for(site), f"{site.base}/nowhere")

    assert (result.status, result.http_status) == ("broken", 302)
    assert "without Location" in result.message


def test_a_redirect_to_an_invalid_location_is_broken(site):
    site.routes["/bad"] = lambda h: reply(h, 301, {"Location": "http://[oops/x"})

    result = check_link(http_for(site), f"{site.base}/bad")

    assert result.status == "broken"
    assert result.message == "redirect to an invalid Location (Invalid IPv6 URL)"


def test_too_many_requests_is_throttled_with_its_retry_after(site):
    site.routes["/busy"] = lambda h: reply(h, 429, {"Retry-After": "120"})

    result = check_link(http_for(site), f"{site.base}/busy")

    assert result == Throttled(120.0, 429, f"{site.base}/busy")
    assert site.seen == [("HEAD", "/busy")]  # not retried, no GET


def test_unavailable_with_an_http_date_is_throttled_until_then(site):
    later = formatdate(time.time() + 600, usegmt=True)
    site.routes["/down"] = lambda h: reply(h, 503, {"Retry-After": later})

    result = check_link(http_for(site), f"{site.base}/down")

    assert isinstance(result, Throttled)
    assert result.http_status == 503
    assert 590 <= result.retry_after <= 601


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(None, DEFAULT_COOL_OFF), ("soon", DEFAULT_COOL_OFF), ("99999999999", MAX_COOL_OFF)],
)
def test_a_missing_or_unbelievable_retry_after_is_replaced(site, retry_after, expected):
    headers = {"Retry-After": retry_after} if retry_after else {}
    site.routes["/busy"] = lambda h: reply(h, 429, headers)

    assert check_link(http_for(site), f"{site.base}/busy") == Throttled(
        expected, 429, f"{site.base}/busy"
    )


def test_a_slow_server_times_out(site):
    def slow(handler):
        time.sleep(1.5)
        reply(handler, 200)

    site.routes["/slow"] = slow

    result = check_link(http_for(site, timeout=0.5), f"{site.base}/slow")

    assert result.status == "timeout"
    assert result.message == "timed out (limit 0.5 s)"
    assert site.seen == [("HEAD", "/slow")]  # a timeout is not tried again with GET


def test_a_server_without_head_is_asked_with_get(site):
    def get_only(handler):
        if handler.command == "HEAD":
            reply(handler, 405, {"Allow": "GET"})
        else:
            ok_route(handler)

    site.routes["/get-only"] = get_only

    result = check_link(http_for(site), f"{site.base}/get-only")

    assert (result.status, result.http_status, result.content_length) == ("ok", 200, 8)
    assert result.message == "HTTP 200 OK (to GET; HEAD answered 405)"
    assert site.seen == [("HEAD", "/get-only"), ("GET", "/get-only")]


def test_a_declared_10_gb_file_costs_one_head(site):
    site.routes["/huge.zip"] = lambda h: reply(h, 200, {"Content-Length": str(10 * GB)})

    result = check_link(http_for(site), f"{site.base}/huge.zip")

    assert (result.status, result.content_length) == ("ok", 10 * GB)
    assert site.seen == [("HEAD", "/huge.zip")]


def test_an_endless_body_is_not_downloaded(site):
    site.hung_up, site.sent = threading.Event(), None

    def endless(handler):
        if handler.command == "HEAD":
            reply(handler, 501)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(10 * GB))
        handler.end_headers()
        chunk, sent = b"\0" * (64 * 1024), 0
        try:
            while sent < GB:  # a client that read it all would stop it here
                handler.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up: what we want
        finally:
            site.sent = sent
            site.hung_up.set()

    site.routes["/stream"] = endless

    result = check_link(http_for(site), f"{site.base}/stream")

    assert (result.status, result.content_length) == ("ok", 10 * GB)
    assert site.seen == [("HEAD", "/stream"), ("GET", "/stream")]
    assert site.hung_up.wait(10), "the client kept the connection open"
    assert site.sent < 64 * MB  # what socket buffers hold, not the file


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://10.0.0.1/x", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("/relative/path.csv", "only http and https"),
        ("http://user:secret@example.org/", "user names and passwords"),
        ("http://example.org/a b", "spaces"),
        ("", "no URL"),
        (None, "not a URL but NoneType"),
        (42, "not a URL but int"),
    ],
)
def test_what_the_guard_refuses_is_never_requested(url, why):
    announced = []

    result = check_link(Http(timeout=0.5, retries=0), url, announced.append)

    assert result.status == "refused" and not result.works
    assert why in result.message
    assert announced == []  # no request was even announced to the budget


def test_a_loopback_server_that_is_not_allowed_is_refused_without_connecting(site):
    site.routes["/data.csv"] = ok_route

    result = check_link(Http(timeout=0.5, retries=0), f"{site.base}/data.csv")

    assert result.status == "refused"
    assert "127.0.0.1 is a loopback address" in result.message
    assert site.seen == []


def test_a_redirect_to_a_private_address_is_refused(site):
    site.routes["/away"] = lambda h: reply(h, 302, {"Location": "http://10.0.0.1/admin"})

    result = check_link(http_for(site), f"{site.base}/away")

    assert result.status == "refused"
    assert result.message.startswith("redirected to http://10.0.0.1/admin, which is refused")
    assert site.seen == [("HEAD", "/away")]


def test_a_name_that_does_not_resolve_is_broken():
    result = check_link(Http(timeout=2, retries=0), "http://no-such-host.invalid/data.csv")

    assert result.status == "broken"
    assert "does not resolve" in result.message


def test_a_refused_connection_is_broken(site):
    url, http = f"{site.base}/data.csv", http_for(site)
    site.shutdown()
    site.server_close()  # nothing listens on that port any more

    result = check_link(http, url)

    assert result.status == "broken"
    assert "connection failed" in result.message


# ---------------------------------------------------------------------------- Http.probe


def test_probe_announces_every_hop_and_records_the_redirects(sites):
    first, second = sites("first"), sites("second")
    first.routes["/a"] = lambda h: reply(h, 308, {"Location": f"{second.base}/b"})
    second.routes["/b"] = ok_route
    announced = []

    probe = http_for(first, second).probe(f"{first.base}/a", before_request=announced.append)

    assert probe == Probe(
        url=f"{first.base}/a",
        final_url=f"{second.base}/b",
        status=200,
        headers=probe.headers,
        redirects=[(308, f"{first.base}/a")],
    )
    assert probe.headers["content-type"] == "text/csv; charset=utf-8"
    assert announced == [first.key, second.key]


def test_probe_lets_the_budget_stop_a_request(site):
    def no_budget(key):
        raise BudgetExhausted(key, "none left")

    with pytest.raises(BudgetExhausted):
        http_for(site).probe(f"{site.base}/data.csv", before_request=no_budget)
    assert site.seen == []


def test_probe_reports_an_error_status_instead_of_raising_or_retrying(site):
    site.routes["/error"] = lambda h: reply(h, 500)

    probe = Http(allow_private=[site.key], timeout=2).probe(f"{site.base}/error", "GET")

    assert probe.status == 500
    assert site.seen == [("GET", "/error")]  # retries=3, yet one request


def test_a_probe_timeout_is_a_timeout_error(site):
    site.routes["/slow"] = lambda h: (time.sleep(1.5), reply(h))

    with pytest.raises(Timeout) as caught:
        http_for(site, timeout=0.5).probe(f"{site.base}/slow")
    assert isinstance(caught.value, HttpError)
    assert not isinstance(caught.value, Refused)


# ---------------------------------------------------------------------------- HostBudget


def test_the_budget_waits_for_the_window_to_slide(redis_client, prefix):
    clock = FakeClock(start=1_000_000.0)
    budget = HostBudget(redis_client, 2, prefix, clock=clock, sleep=clock.sleep)

    for _ in range(5):
        budget.take("example.org:443", deadline=clock.now + 1000)

    # Two at once, two a minute (and the window's two seconds of slack) later, one more
    # a minute after that.
    assert clock.slept == [WINDOW, WINDOW] and 60 < WINDOW <= 62
    assert clock.now == 1_000_000.0 + 2 * WINDOW


def test_the_portals_own_site_takes_no_budget(redis_client, prefix):
    budget = HostBudget(redis_client, 1, prefix, unlimited=["portal.example:443"])
    for _ in range(5):  # a sixth request a minute would raise for any other host
        budget.take("portal.example:443", time.time())
    budget.take("other.example:443", time.time())
    with pytest.raises(BudgetExhausted):
        budget.take("other.example:443", time.time())


def test_the_budget_gives_up_at_the_deadline(redis_client, prefix):
    clock = FakeClock()
    budget = HostBudget(redis_client, 2, prefix, clock=clock, sleep=clock.sleep)
    budget.take("example.org:443", clock.now + 10)
    budget.take("example.org:443", clock.now + 10)

    with pytest.raises(BudgetExhausted) as caught:
        budget.take("example.org:443", clock.now + 10)
    assert caught.value.host_key == "example.org:443"
    assert clock.slept == []  # it does not sleep for nothing
    budget.take("example.net:443", clock.now + 10)  # another host has its own budget


def test_the_budget_is_shared_atomically(redis_client, prefix):
    """Eight workers (each its own HostBudget and connection) race for five slots."""
    taken, refused, go = [], [], threading.Barrier(8)

    def worker():
        client = redis.Redis(connection_pool=redis_client.connection_pool)
        budget = HostBudget(client, 5, prefix)
        go.wait()
        try:
            budget.take("example.org:443", deadline=time.time() + 5)
            taken.append(1)
        except BudgetExhausted:
            refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert (len(taken), len(refused)) == (5, 3)


def test_a_host_cools_off(redis_client, prefix):
    clock = FakeClock()
    budget = HostBudget(redis_client, 100, prefix, clock=clock, sleep=clock.sleep)
    assert budget.cooling("example.org:443") == 0

    budget.cool_off("example.org:443", 120)
    budget.cool_off("example.org:443", 30)  # a shorter one does not shorten it

    assert budget.cooling("example.org:443") == pytest.approx(120)
    with pytest.raises(BudgetExhausted, match="cooling off"):
        budget.take("example.org:443", clock.now + 1000)
    assert redis_client.pttl(f"{prefix}cooling:example.org:443") > 100_000  # expires in Redis
    clock.now += 121
    assert budget.cooling("example.org:443") == 0
    budget.take("example.org:443", clock.now + 1000)


# ---------------------------------------------------------------------------- check_round


def links_to(site, count, path="/data.csv"):
    return [Link(f"{site.name}:{i}", f"{site.base}{path}?n={i}") for i in range(count)]


def test_no_host_gets_more_than_its_budget_in_any_minute(sites, redis_client, prefix):
    """Time is a fake clock the servers read too, so windows are exact: hosts one at a
    time (one worker), since a shared fake clock cannot tell threads' times apart."""
    clock = FakeClock()
    hosts = [sites(f"host{i}", clock=clock) for i in range(3)]
    links = []
    for host in hosts:
        host.routes["/data.csv"] = ok_route
        links += links_to(host, 20)
    budget = HostBudget(redis_client, 5, prefix, clock=clock, sleep=clock.sleep)

    results = check_round(
        links, lambda: http_for(*hosts), budget, clock.now + 3600, max_parallel_hosts=1
    )

    assert all(result.status == "ok" for result in results.values())
    for host in hosts:
        assert len(host.seen) == 20
        times = host.times
        # Any 6 consecutive requests span at least a minute: never 6 in a 60 s window.
        assert all(times[i + 5] - times[i] >= 60 for i in range(len(times) - 5))


def test_a_round_stops_at_each_hosts_budget(sites, redis_client, prefix):
    """Three hosts in parallel, 20 links each, 5 a minute, a deadline a few seconds away:
    each host sees 5 requests and its other links wait for the next round."""
    hosts = [sites(f"host{i}") for i in range(3)]
    links = []
    for host in hosts:
        host.routes["/data.csv"] = ok_route
        links += links_to(host, 20)
    budget = HostBudget(redis_client, 5, prefix)

    results = check_round(links, lambda: http_for(*hosts), budget, time.time() + 10)

    assert len(results) == 60
    for host in hosts:
        assert len(host.seen) == 5
        mine = [results[link.key] for link in links if link.key.startswith(f"{host.name}:")]
        assert [r.status for r in mine[:5]] == ["ok"] * 5
        assert mine[5:] == [None] * 15


def test_a_throttling_host_cools_off_and_is_left_alone(site, redis_client, prefix):
    site.routes["/busy"] = lambda h: reply(h, 429, {"Retry-After": "120"})
    site.routes["/data.csv"] = ok_route
    links = [Link("busy", f"{site.base}/busy"), *links_to(site, 3)]
    budget = HostBudget(redis_client, 100, prefix)

    results = check_round(links, lambda: http_for(site), budget, time.time() + 30)

    assert results["busy"] == Throttled(120.0, 429, f"{site.base}/busy")
    assert [results[f"site:{i}"] for i in range(3)] == [None] * 3
    assert site.seen == [("HEAD", "/busy")]
    assert 100 < budget.cooling(site.key) <= 120

    again = check_round(links, lambda: http_for(site), budget, time.time() + 30)

    assert set(again.values()) == {None}
    assert site.seen == [("HEAD", "/busy")]  # still cooling off: not one request


def test_a_slow_host_does_not_hold_up_a_fast_one(sites, redis_client, prefix):
    slow, fast = sites("slow"), sites("fast")

    def sleepy(handler):
        time.sleep(3)
        reply(handler, 200)

    slow.routes["/data.csv"] = sleepy
    fast.routes["/data.csv"] = ok_route
    links = links_to(slow, 5) + links_to(fast, 10)  # the slow host first
    budget = HostBudget(redis_client, 100, prefix)

    results = check_round(
        links, lambda: http_for(slow, fast, timeout=1.0), budget, time.time() + 60, 2
    )

    assert [results[f"fast:{i}"].status for i in range(10)] == ["ok"] * 10
    assert [results[f"slow:{i}"].status for i in range(2)] == ["timeout"] * 2
    assert [results[f"slow:{i}"] for i in range(2, 5)] == [None] * 3  # given up after two
    assert len(slow.seen) == 2
    # The fast host was done while the slow one still waited for its first answer.
    slow_at = [i for i, (name, _method, _path) in enumerate(sites.journal) if name == "slow"]
    fast_at = [i for i, (name, _method, _path) in enumerate(sites.journal) if name == "fast"]
    assert len(fast_at) == 10 and max(fast_at) < slow_at[1]


def test_a_host_whose_name_does_not_resolve_is_looked_up_once_for_all_its_links(
    redis_client, prefix, monkeypatch
):
    lookups = []
    real = socket.getaddrinfo

    def counted(host, *args, **kwargs):  # the real resolver, counted
        lookups.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counted)
    links = [Link(f"gone:{i}", f"http://no-such-host.invalid/{i}.csv") for i in range(20)]
    budget = HostBudget(redis_client, 100, prefix)

    results = check_round(links, lambda: Http(timeout=2, retries=0), budget, time.time() + 60)

    assert {results[f"gone:{i}"].status for i in range(20)} == {"broken"}
    assert all("does not resolve" in results[f"gone:{i}"].message for i in range(20))
    assert lookups.count("no-such-host.invalid") == 1


def test_links_that_are_not_urls_are_refused_without_a_request(redis_client, prefix):
    links = [Link("js", "javascript:alert(1)"), Link("empty", ""), Link("ftp", "ftp://x/y")]

    def no_http():
        raise AssertionError("no host to check, so no Http")

    results = check_round(links, no_http, HostBudget(redis_client, 5, prefix), time.time() + 5)

    assert {key: r.status for key, r in results.items()} == dict.fromkeys(
        ("js", "empty", "ftp"), "refused"
    )


def test_an_unexpected_error_is_that_links_result_only(site, redis_client, prefix):
    site.routes["/data.csv"] = ok_route

    class Flaky(Http):
        def probe(self, url, method="HEAD", before_request=None):
            if "n=0" in url:
                raise RuntimeError("boom")
            return super().probe(url, method, before_request)

    links = links_to(site, 3)
    results = check_round(
        links,
        lambda: Flaky(allow_private=[site.key], timeout=2, retries=0),
        HostBudget(redis_client, 100, prefix),
        time.time() + 30,
    )

    assert results["site:0"].status == "broken"
    assert results["site:0"].message == "unexpected error: RuntimeError: boom"
    assert [results[f"site:{i}"].status for i in (1, 2)] == ["ok", "ok"]


def test_a_failing_budget_stops_the_round(site):
    site.routes["/data.csv"] = ok_route

    class DownBudget:
        clock = staticmethod(time.time)

        def take(self, host_key, deadline):
            raise redis.ConnectionError("Redis is down")

    with pytest.raises(redis.ConnectionError):
        check_round(links_to(site, 3), lambda: http_for(site), DownBudget(), time.time() + 30)
    assert site.seen == []  # and no link was marked broken for it


# ---------------------------------------------------------------------------- next_check

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changed_ago", "again_after"),
    [
        (timedelta(hours=3), timedelta(hours=12)),
        (timedelta(days=3), timedelta(days=1)),
        (timedelta(days=20), timedelta(days=7)),
        (timedelta(days=90), timedelta(days=30)),
        (None, timedelta(days=30)),
    ],
)
def test_the_schedule_adapts_to_how_recently_a_result_changed(changed_ago, again_after):
    last_change = None if changed_ago is None else NOW - changed_ago

    assert next_check(NOW, last_change) == NOW + again_after
