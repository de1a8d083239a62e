"""Do a dataset's links work? A polite checker for distributions' access and download URLs.

Other people's servers owe us nothing, so the checker is careful with them: HEAD first and
a GET only when HEAD is not supported (and never its body), each host's links one after
another, each request counted against a per-host budget that every worker process shares
in Redis, a 429 or 503 honoured by leaving the host alone for as long as it asks, and a
host that times out twice in a row left for the next round. Hosts are checked in
parallel, so one slow host costs one thread, not the round. Every URL passes the
harvesters' SSRF guard (``harvesters.http.Http``), so a link to the portal's own network
is ``refused``, never requested. Results change the schedule: ``next_check`` checks a
link that just changed again soon and a stable one monthly (udata's rule).

Plain Python, no CKAN imports: the CKAN glue (table, jobs, pages) is built on top.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from harvesters.http import (
    ConnectionFailed,
    Http,
    HttpError,
    NameNotResolved,
    Probe,
    Refused,
    Timeout,
    host_key,
)

__all__ = [
    "CHECK_INTERVALS",
    "DEFAULT_COOL_OFF",
    "HEAD_UNSUPPORTED",
    "MAX_COOL_OFF",
    "MIN_COOL_OFF",
    "STABLE_INTERVAL",
    "WINDOW",
    "BudgetExhausted",
    "MAX_URL",
    "HostBudget",
    "Link",
    "LinkResult",
    "Throttled",
    "check_link",
    "check_round",
    "next_check",
]

OK, REDIRECT, BROKEN, TIMEOUT, REFUSED = "ok", "redirect", "broken", "timeout", "refused"

#: Statuses a HEAD gets from servers that only implement GET: worth one GET to be sure.
#: (A 404 is not among them: a server that has the file says so to HEAD too.)
HEAD_UNSUPPORTED = frozenset({400, 403, 405, 406, 500, 501})
#: "Slow down": the link keeps its previous result and its host cools off.
THROTTLE_STATUSES = frozenset({429, 503})
#: Seconds a host cools off when it throttles without a usable Retry-After.
DEFAULT_COOL_OFF = 3600.0
#: A Retry-After in the past or of 0 s still leaves the host alone for a minute...
MIN_COOL_OFF = 60.0
#: ...and one far in the future is not believed beyond a week.
MAX_COOL_OFF = 7 * 24 * 3600.0
#: A host that times out this many times in a row is left for the next round.
TIMEOUTS_BEFORE_GIVING_UP = 2

#: udata's adaptive schedule: (a result that changed less than this long ago, is checked
#: again after this long); older or never changed: ``STABLE_INTERVAL``.
CHECK_INTERVALS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=1), timedelta(hours=12)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=30), timedelta(days=7)),
)
STABLE_INTERVAL = timedelta(days=30)

#: Longer URLs are refused unsent: servers answer 414 long before, and only a hostile
#: source writes one.
MAX_URL = 8192
#: The budget's window: a minute, and two seconds more, since a request reaches the server
#: a little after its slot was taken (connecting): as the server counts, a minute holds
#: no more than the budget either.
WINDOW = 62.0
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")  # fits a BIGINT column
MAX_HEADER_TEXT = 200  # a Content-Type is short; a hostile one is cut


@dataclass(frozen=True)
class LinkResult:
    """What one check found at a URL.

    ``status``: ``ok`` (2xx at once), ``redirect`` (2xx after redirects; ``final_url``
    says where), ``broken`` (an error status, a name that does not resolve, a refused
    connection, a redirect loop...), ``timeout`` or ``refused`` (the SSRF guard refused
    it: never connected). ``content_type`` and ``content_length`` are what the final
    answer's headers say (None when absent, or a length that is not a number).
    """

    status: str
    http_status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    message: str = ""

    @property
    def works(self) -> bool:
        return self.status in (OK, REDIRECT)


@dataclass(frozen=True)
class Throttled:
    """The server said 429 or 503: not a result. The link keeps its previous one and the
    host (of ``final_url``, the URL that answered) cools off for ``retry_after`` s."""

    retry_after: float
    http_status: int
    final_url: str | None = None


@dataclass(frozen=True)
class Link:
    """A URL to check; ``key`` is the caller's opaque id (e.g. "resource_id:download")."""

    key: str
    url: str


class BudgetExhausted(Exception):
    """No request to ``host_key`` before the deadline (or the host is cooling off)."""

    def __init__(self, host_key: str, message: str) -> None:
        super().__init__(message)
        self.host_key = host_key


# KEYS: the host's request log (sorted set, score = time), its cool-off key.
# ARGV: now, window, per_minute, a unique member. Returns {kind, seconds as text}:
# Lua numbers come back truncated to integers, text keeps the fraction.
_TAKE = """
local now = tonumber(ARGV[1])
local cooling = tonumber(redis.call('GET', KEYS[2]) or '0')
if cooling > now then
    return {'cooling', tostring(cooling - now)}
end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], now, ARGV[4])
    redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
    return {'taken', '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {'wait', tostring(tonumber(oldest[2]) + window - now)}
"""

# KEYS: the cool-off key. ARGV: until (time), TTL in ms. A longer cool-off is kept.
_COOL_OFF = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 0
"""


class HostBudget:
    """At most ``per_minute`` requests to each host in any 60 s, across every worker.

    The log of each host's recent requests is a Redis sorted set that one Lua script
    trims, counts and appends to, so two processes cannot both take the last slot. A host
    that throttled has a cool-off key (with a TTL) holding the time it ends. Times come
    from ``clock`` (epoch seconds), so every worker's clock should be set right (NTP).
    """

    def __init__(
        self,
        redis: Any,
        per_minute: int,
        prefix: str = "wepulse:links:",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Any] = time.sleep,
        unlimited: Iterable[str] = (),
    ) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be at least 1, not {per_minute!r}")
        self.redis = redis
        self.per_minute = per_minute
        # Hosts politeness does not apply to: the portal's own site checking its files.
        self.unlimited = frozenset(unlimited)
        self.prefix = prefix
        self.clock = clock
        self.sleep = sleep
        self._take = redis.register_script(_TAKE)
        self._cool_off = redis.register_script(_COOL_OFF)

    def take(self, host_key: str, deadline: float) -> None:
        """Wait for a free slot for ``host_key`` and use it; ``BudgetExhausted`` if there is
        none before ``deadline`` (epoch seconds) or the host is cooling off."""
        if host_key in self.unlimited:
            return
        keys = [self._requests(host_key), self._cooling(host_key)]
        while True:
            now = self.clock()
            member = f"{now!r}:{uuid.uuid4().hex}"
            kind, seconds = self._take(keys=keys, args=[repr(now), WINDOW, self.per_minute, member])
            kind, seconds = _text(kind), float(seconds)
            if kind == "taken":
                return
            if kind == "cooling":
                raise BudgetExhausted(host_key, f"{host_key} is cooling off ({seconds:.0f} s left)")
            if now + seconds > deadline:
                raise BudgetExhausted(
                    host_key, f"{host_key}: {self.per_minute} requests a minute used up"
                )
            # Another worker may take the slot meanwhile: then the loop waits again.
            self.sleep(max(seconds, 0.001))

    def cool_off(self, host_key: str, seconds: float) -> None:
        """Leave ``host_key`` alone for ``seconds`` (a longer cool-off already set stays)."""
        if seconds <= 0:
            return
        until = self.clock() + seconds
        ttl_ms = math.ceil(seconds * 1000) + 1000
        self._cool_off(keys=[self._cooling(host_key)], args=[repr(until), ttl_ms])

    def cooling(self, host_key: str) -> float:
        """Seconds ``host_key`` still cools off (0 when it does not)."""
        until = self.redis.get(self._cooling(host_key))
        return max(float(until) - self.clock(), 0.0) if until else 0.0

    def _requests(self, host_key: str) -> str:
        return f"{self.prefix}requests:{host_key}"

    def _cooling(self, host_key: str) -> str:
        return f"{self.prefix}cooling:{host_key}"


def check_link(
    http: Http, url: Any, before_request: Callable[[str], None] | None = None
) -> LinkResult | Throttled:
    """Check one URL: HEAD, then GET (body unread) when HEAD seems unsupported.

    Never raises for the URL or the server: a bad URL is ``refused``, an unexpected error
    ``broken``. What ``before_request`` raises (a budget) propagates.
    """
    invalid = _invalid(url)
    if invalid is not None:
        return invalid
    outcome = _attempt(http, url, "HEAD", before_request)
    if isinstance(outcome, ConnectionFailed) or (
        isinstance(outcome, Probe) and outcome.status in HEAD_UNSUPPORTED
    ):
        head = outcome
        outcome = _attempt(http, url, "GET", before_request)
        if isinstance(outcome, Probe):
            said = head.status if isinstance(head, Probe) else "with a failed connection"
            return _judge(http, url, outcome, f" (to GET; HEAD answered {said})")
    return _judge(http, url, outcome, "")


def check_round(
    links: Iterable[Link],
    make_http: Callable[[], Http],
    budget: HostBudget,
    deadline: float,
    max_parallel_hosts: int = 8,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, LinkResult | Throttled | None]:
    """Check ``links`` host by host, hosts in parallel, until ``deadline`` (epoch s).
    ``progress(n)`` is told of each ``n`` links done, from the hosts' threads.

    Every link's key is in the answer: a result, a ``Throttled``, or None when it was not
    checked this round (its host throttled, used up its budget, timed out twice in a row,
    or the deadline came). ``make_http`` is called once per host, in that host's thread
    (an ``Http`` is for one thread). A failure of the budget itself (Redis) or of
    ``make_http`` stops the round and is raised: it says nothing about the links.
    """
    results: dict[str, LinkResult | Throttled | None] = {}
    hosts: dict[str, list[Link]] = {}
    for link in links:
        results[link.key] = _invalid(link.url)
        if results[link.key] is None:
            hosts.setdefault(host_key(link.url), []).append(link)
    if not hosts:
        return results
    stop = threading.Event()
    failure: BaseException | None = None
    workers = max(1, min(max_parallel_hosts, len(hosts)))
    with ThreadPoolExecutor(workers, thread_name_prefix="link-check") as pool:
        futures = [
            pool.submit(_check_host, host, host_links, make_http, budget, deadline, stop, progress)
            for host, host_links in hosts.items()
        ]
        for future in as_completed(futures):
            try:
                results.update(future.result())
            except BaseException as error:
                stop.set()  # the other hosts stop after their current link
                failure = failure or error
    if failure is not None:
        raise failure
    return results


def next_check(now: datetime, last_change: datetime | None) -> datetime:
    """When to check a link again: soon if its result just changed, monthly if stable."""
    if last_change is not None:
        age = now - last_change
        for younger_than, interval in CHECK_INTERVALS:
            if age < younger_than:
                return now + interval
    return now + STABLE_INTERVAL


class _BudgetFailed(Exception):
    """The budget itself failed (not ``BudgetExhausted``): carried out of ``check_link``."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _check_host(
    host: str,
    links: list[Link],
    make_http: Callable[[], Http],
    budget: HostBudget,
    deadline: float,
    stop: threading.Event,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, LinkResult | Throttled | None]:
    """One host's links, one after another, within its budget."""
    results: dict[str, LinkResult | Throttled | None] = {link.key: None for link in links}

    def take(key: str) -> None:
        try:
            budget.take(key, deadline)
        except BudgetExhausted:
            raise
        except Exception as error:
            raise _BudgetFailed(error) from error

    http = make_http()
    try:
        unresolved = _unresolved(http, links[0].url)
        if unresolved is not None:  # one lookup says it for all: no request, no wait
            if progress:
                progress(len(links))
            return {link.key: unresolved for link in links}
        timeouts = 0
        for link in links:
            if stop.is_set() or budget.clock() >= deadline:
                break
            try:
                result = check_link(http, link.url, take)
            except BudgetExhausted as exhausted:
                if exhausted.host_key == host:
                    break
                continue  # redirected to a host that is out of budget: next round
            except _BudgetFailed as failed:
                raise failed.error from None
            except Exception as error:  # a bug must not cost the round
                result = LinkResult(BROKEN, message=_unexpected(error))
            results[link.key] = result
            if progress:
                progress(1)
            if isinstance(result, Throttled):
                throttled = _host_or(result.final_url, host)
                budget.cool_off(throttled, result.retry_after)
                if throttled == host:
                    break
                continue
            timeouts = timeouts + 1 if result.status == TIMEOUT else 0
            if timeouts >= TIMEOUTS_BEFORE_GIVING_UP:
                break
    finally:
        http.close()
    return results


def _unresolved(http: Http, url: str) -> LinkResult | None:
    """``broken`` when the host's name does not resolve, else None (checked link by link)."""
    try:
        http.check(url)
    except NameNotResolved as error:
        return LinkResult(BROKEN, message=_reason(url, error))
    except HttpError:
        return None
    return None


def _invalid(url: Any) -> LinkResult | None:
    """``refused`` for what is not a URL the guard could accept, without any request."""
    if not isinstance(url, str):
        return LinkResult(REFUSED, message=f"not a URL but {type(url).__name__}")
    if not url.strip():
        return LinkResult(REFUSED, message="no URL")
    if len(url) > MAX_URL:
        return LinkResult(REFUSED, message=f"longer than {MAX_URL} characters: not a link")
    try:
        host_key(url)
    except Refused as error:
        return _refused(url, error)
    return None


def _attempt(
    http: Http, url: str, method: str, before_request: Callable[[str], None] | None
) -> Probe | Exception:
    """``http.probe``, with any failure returned, except what ``before_request`` raised."""
    announce = None
    if before_request is not None:

        def announce(key: str) -> None:
            try:
                before_request(key)
            except BaseException as error:
                raise _FromCaller(error) from error

    try:
        return http.probe(url, method, announce)
    except _FromCaller as caller:
        raise caller.error from None
    except Exception as error:
        return error


class _FromCaller(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _judge(http: Http, url: str, outcome: Probe | Exception, how: str) -> LinkResult | Throttled:
    if isinstance(outcome, Refused):
        return _refused(url, outcome)
    if isinstance(outcome, Timeout):
        return LinkResult(TIMEOUT, message=_reason(url, outcome))
    if isinstance(outcome, HttpError):
        return LinkResult(BROKEN, http_status=outcome.status, message=_reason(url, outcome))
    if isinstance(outcome, Exception):
        return LinkResult(BROKEN, message=_unexpected(outcome))
    status, headers = outcome.status, outcome.headers
    if status in THROTTLE_STATUSES:
        wait = _cool_off_seconds(http, headers.get("Retry-After"))
        return Throttled(wait, status, outcome.final_url)
    said = f"HTTP {status}{_phrase(status)}"
    if 200 <= status < 300 and outcome.redirects:
        hops = len(outcome.redirects)
        kind, message = REDIRECT, f"{said} after {hops} redirect{'s' if hops > 1 else ''}{how}"
    elif 200 <= status < 300:
        kind, message = OK, f"{said}{how}"
    else:
        kind, message = BROKEN, f"{said}{how}"
    return LinkResult(
        kind,
        http_status=status,
        final_url=outcome.final_url,
        content_type=_content_type(headers),
        content_length=_content_length(headers),
        message=message,
    )


def _refused(url: str, error: Refused) -> LinkResult:
    why = str(error).removeprefix(f"{error.url}: refused: ")
    if error.url != url:
        why = f"redirected to {error.url}, which is refused: {why}"
    return LinkResult(REFUSED, message=why)


def _reason(url: str, error: HttpError) -> str:
    """The error's words without the URL, unless it happened at another URL (a hop)."""
    return str(error).removeprefix(f"{url}: ")


def _unexpected(error: BaseException) -> str:
    return f"unexpected error: {type(error).__name__}: {error}"[:500]


def _phrase(status: int) -> str:
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _cool_off_seconds(http: Http, value: str | None) -> float:
    try:
        seconds = http._retry_after(value)  # seconds or an HTTP date, as Http.get reads it
    except (ArithmeticError, ValueError, TypeError):
        seconds = None
    if seconds is None or not math.isfinite(seconds):
        return DEFAULT_COOL_OFF
    return min(max(seconds, MIN_COOL_OFF), MAX_COOL_OFF)


def _content_type(headers: Mapping[str, str]) -> str | None:
    value = (headers.get("Content-Type") or "").strip()
    return value[:MAX_HEADER_TEXT] or None


def _content_length(headers: Mapping[str, str]) -> int | None:
    value = (headers.get("Content-Length") or "").strip()
    return int(value) if CONTENT_LENGTH.fullmatch(value) else None


def _host_or(url: str | None, default: str) -> str:
    try:
        return host_key(url) if url else default
    except Refused:
        return default


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
