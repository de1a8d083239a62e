"""Benchmark: the link checker over 10,000 URLs on 50 loopback hosts, each within its budget.

Serves, in a child process, 50 HTTP servers on loopback (127.0.0.2 … 127.0.0.51, one
port), each answering HEAD and GET as a municipality's file server might: most links
200, one in ten 404, one in ten a redirect on the same host, one in twenty a redirect
to another of the 50 hosts, one in ten refusing HEAD (405) but answering GET; each
server logs the time of every request it receives. Then, for each run, one round of
``quality.links.check_round`` (the checker the CKAN job runs) over 200 URLs per host,
with a real ``HostBudget`` on the test Redis (a prefix of its own, so nothing else's
budget is shared) and ``Http(allow_private=[the 50 hosts], timeout=5, retries=0)``:
  1. budget 600 requests/min/host, 16 then 50 hosts in parallel: what the checker
     achieves when the budget is not what holds it back;
  2. budget 100/min, 50 hosts in parallel: a budget that binds (~2 minutes);
  3. budget 30/min, 50 URLs per host (the portal's default budget; ~2 minutes).
For each: URLs/s and the wall time, then what the servers saw: requests per host and
the most any host received in any sliding 60 s, beside the budget.

    .venv/bin/python benchmarks/link_checker.py                     # all the runs above
    .venv/bin/python benchmarks/link_checker.py --runs 600:16:200   # budget:parallel:URLs a host
(after `scripts/portal test` or `up` has started Redis; it touches no database.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEST_INI = ROOT / "var" / "test.ini"
HOSTS = 50
PORT = 8791
WINDOW = 60.0  # seconds: the budget is requests per minute, in any sliding minute
RUNS = ["600:16:200", "600:50:200", "100:50:200", "30:50:50"]
#: What the n-th URL of a host is, n % 20 (a realistic mix of a municipality's links).
KINDS = ["missing"] * 2 + ["moved"] * 2 + ["away"] + ["get-only"] * 2 + ["ok"] * 13
#: Requests each kind costs: (to its own host, to another host).
REQUESTS = {"ok": (1, 0), "missing": (1, 0), "moved": (2, 0), "away": (1, 1), "get-only": (2, 0)}


# -- the loopback hosts -------------------------------------------------------------


def addresses(hosts: int = HOSTS, port: int = PORT) -> list[tuple[str, int]]:
    return [(f"127.0.0.{2 + i}", port) for i in range(hosts)]


def host_keys(found: list[tuple[str, int]]) -> list[str]:
    """The ``host:port`` entries ``Http(allow_private=...)`` and the budget know them by."""
    return [f"{host}:{port}" for host, port in found]


def url(found: list[tuple[str, int]], index: int) -> str:
    """The ``index``-th link over the hosts: host ``index % hosts``, its kind by the
    host's own sequence number (each host from another place in the mix), so every host
    gets the whole mix, and a few links over many hosts do too."""
    host, n = index % len(found), index // len(found)
    kind = KINDS[(n + host) % len(KINDS)]
    address, port = found[host]
    if kind == "away":
        return f"http://{address}:{port}/away/{(host + 1) % len(found)}/{index}"
    return f"http://{address}:{port}/{kind}/{index}"


def expected_requests(urls: list[str]) -> int:
    return sum(sum(REQUESTS[link.split("/")[3]]) for link in urls)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log: list[tuple[float, str]]  # set per server: (time received, method)
    received: Any  # a shared counter, for the parent's progress bar
    hosts: list[tuple[str, int]]

    def do_HEAD(self) -> None:  # noqa: N802 - the name http.server calls
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def _answer(self, method: str) -> None:
        self.log.append((time.time(), method))
        with self.received.get_lock():
            self.received.value += 1
        kind, _, rest = self.path.strip("/").partition("/")
        headers = {}
        if kind == "ok" or (kind == "get-only" and method == "GET"):
            status = 200
        elif kind == "get-only":
            status, headers["Allow"] = 405, "GET"
        elif kind == "moved":
            status, headers["Location"] = 301, f"/ok/{rest}"
        elif kind == "away":
            other, _, n = rest.partition("/")
            address, port = self.hosts[int(other)]
            status, headers["Location"] = 302, f"http://{address}:{port}/ok/{n}"
        else:
            status = 404
        body = b"annee;montant\n2024;1250000\n" if status == 200 else b""
        self.send_response(status)
        self.send_header("Content-Type", "text/csv" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method == "GET":
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The checker drops each connection once it has the headers: not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _serve(found: list[tuple[str, int]], conn: Any, received: Any) -> None:
    """The servers' process: one threaded server per address; answers the parent's
    "stats", "reset" and "stop" on ``conn``."""
    logs: list[list[tuple[float, str]]] = [[] for _ in found]
    try:
        for log, address in zip(logs, found, strict=True):
            handler = type(
                "Handler", (_Handler,), {"log": log, "received": received, "hosts": found}
            )
            server = _Server(address, handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
    except OSError as error:
        conn.send(f"cannot listen on {address[0]}:{address[1]}: {error}")
        return
    conn.send("ready")
    while True:
        command = conn.recv()
        if command == "stats":
            conn.send([list(log) for log in logs])
        elif command == "reset":
            for log in logs:
                log.clear()
            received.value = 0
            conn.send("done")
        else:
            return


class LoopbackHosts:
    """50 loopback HTTP servers in a child process (they do not share the checker's
    interpreter), each logging the requests it receives."""

    def __init__(self, hosts: int = HOSTS, port: int = PORT) -> None:
        self.addresses = addresses(hosts, port)
        context = multiprocessing.get_context("spawn")
        self.received = context.Value("q", 0)
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(self.addresses, child, self.received), daemon=True
        )

    def __enter__(self) -> LoopbackHosts:
        self._process.start()
        if not self._conn.poll(60):
            sys.exit("the loopback servers did not start")
        answer = self._conn.recv()
        if answer != "ready":
            self._process.join(5)
            sys.exit(answer)
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self._conn.send("stop")
        except OSError:
            pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()

    @property
    def keys(self) -> list[str]:
        return host_keys(self.addresses)

    def stats(self) -> list[list[tuple[float, str]]]:
        """Each host's requests received: (time, method)."""
        self._conn.send("stats")
        return self._conn.recv()

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def progress(self, work: Any, total: int | None, desc: str) -> Any:
        """Run ``work()`` in a thread, with a bar of the requests the servers receive."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = work()
            except BaseException as error:  # re-raised below, in the caller's thread
                outcome["error"] = error

        thread = threading.Thread(target=run, daemon=True)
        with tqdm(total=total, desc=desc, unit=" requests", file=sys.stderr) as bar:
            thread.start()
            while thread.is_alive():
                thread.join(0.5)
                bar.update(self.received.value - bar.n)
            bar.update(self.received.value - bar.n)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


def max_in_window(times: list[float], window: float = WINDOW) -> int:
    """The most requests of ``times`` in any interval shorter than ``window`` seconds."""
    ordered, best, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def server_figures(logs: list[list[tuple[float, str]]]) -> dict[str, Any]:
    """What the servers saw, per host: requests, and the most in any 60 s."""
    per_host = [len(log) for log in logs]
    windows = [max_in_window([t for t, _method in log]) for log in logs]
    methods = Counter(method for log in logs for _t, method in log)
    return {
        "requests": sum(per_host),
        "heads": methods["HEAD"],
        "gets": methods["GET"],
        "per_host_min": min(per_host),
        "per_host_median": statistics.median(per_host),
        "per_host_max": max(per_host),
        "max_window": max(windows),
    }


# -- a round ------------------------------------------------------------------------


def redis_client(ini: str):
    """The test Redis, as ``ckan.lib.redis.connect_to_redis`` would give it."""
    import redis
    from ckan.cli import CKANConfigLoader

    return redis.Redis.from_url(CKANConfigLoader(ini).get_config()["ckan.redis.url"])


def counting_budget(redis: Any, per_minute: int) -> Any:
    """The checker's ``HostBudget`` (a prefix of its own on Redis), noting the moment of
    each request it grants, as its Lua script counts them: ``granted[host:port]``."""
    from ckanext.wepulse.quality import links

    budget = links.HostBudget(
        redis, per_minute=per_minute, prefix=f"wepulse:bench:{uuid.uuid4().hex[:8]}:"
    )
    budget.granted = {}
    script = budget._take  # the registered Lua script: wrapped, not changed

    def take(keys: list[str], args: list[Any]) -> Any:
        answer = script(keys=keys, args=args)
        if answer[0] in (b"taken", "taken"):
            host = keys[0].removeprefix(f"{budget.prefix}requests:")
            budget.granted.setdefault(host, []).append(float(args[0]))
        return answer

    budget._take = take
    return budget


def check(
    hosts: LoopbackHosts, redis: Any, budget: int, parallel: int, per_host: int
) -> dict[str, Any]:
    """One ``check_round`` over ``per_host`` URLs of every host; its figures."""
    from ckanext.wepulse.quality import links
    from harvesters.http import Http

    urls = [url(hosts.addresses, i) for i in range(per_host * len(hosts.addresses))]
    allowed = hosts.keys
    host_budget = counting_budget(redis, budget)
    hosts.reset()
    started = time.perf_counter()
    results = hosts.progress(
        lambda: links.check_round(
            [links.Link(str(i), link) for i, link in enumerate(urls)],
            lambda: Http(allow_private=allowed, timeout=5, retries=0),
            host_budget,
            deadline=time.time() + 3600,
            max_parallel_hosts=parallel,
        ),
        expected_requests(urls),
        f"budget {budget}/min, {parallel} hosts at a time",
    )
    seconds = time.perf_counter() - started
    outcomes = Counter(
        "not checked"
        if result is None
        else ("throttled" if isinstance(result, links.Throttled) else result.status)
        for result in results.values()
    )
    return {
        "budget": budget,
        "parallel": parallel,
        "urls": len(urls),
        "hosts": len(hosts.addresses),
        "seconds": seconds,
        "outcomes": dict(outcomes),
        "max_granted": max(max_in_window(times) for times in host_budget.granted.values()),
        **server_figures(hosts.stats()),
    }


def print_figures(rows: list[dict[str, Any]]) -> None:
    print(
        f"\n{'budget/min/host':>16}{'parallel hosts':>15}{'URLs':>8}{'seconds':>9}"
        f"{'URLs/s':>8}{'requests':>10}{'HEAD':>7}{'GET':>7}"
    )
    for r in rows:
        print(
            f"{r['budget']:>16}{r['parallel']:>15}{r['urls']:>8}{r['seconds']:>9.1f}"
            f"{r['urls'] / r['seconds']:>8.0f}{r['requests']:>10}{r['heads']:>7}{r['gets']:>7}"
        )
    print(
        "\nPer host: requests the servers received in the round, and the most in any sliding"
        "\n60 s, as the budget granted them (its clock) and as the servers received them:"
    )
    print(
        f"{'budget/min/host':>16}{'parallel hosts':>15}{'min':>6}{'median':>8}{'max':>6}"
        f"{'granted in 60 s':>17}{'received in 60 s':>18}"
    )
    for r in rows:
        print(
            f"{r['budget']:>16}{r['parallel']:>15}{r['per_host_min']:>6}"
            f"{r['per_host_median']:>8.0f}{r['per_host_max']:>6}"
            f"{_within(r['max_granted'], r['budget']):>17}"
            f"{_within(r['max_window'], r['budget']):>18}"
        )
    print("\nVerdicts:")
    for r in rows:
        found = ", ".join(f"{kind} {count}" for kind, count in sorted(r["outcomes"].items()))
        print(f"  budget {r['budget']}, {r['parallel']} hosts at a time: {found}")


def _within(found: int, budget: int) -> str:
    return f"{found} {'≤' if found <= budget else '>'} {budget}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        default=RUNS,
        help="budget:parallel:URLs-per-host of each round (default: %(default)s)",
    )
    parser.add_argument("--hosts", type=int, default=HOSTS)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument(
        "--ini", default=str(TEST_INI), help="CKAN config whose Redis holds the budgets"
    )
    args = parser.parse_args()
    os.environ["CKAN_INI"] = args.ini
    redis = redis_client(args.ini)
    runs = [tuple(int(part) for part in run.split(":")) for run in args.runs]
    rows = []
    with LoopbackHosts(args.hosts, args.port) as hosts:
        print(
            f"{len(hosts.addresses)} hosts on 127.0.0.2…127.0.0.{1 + len(hosts.addresses)}, "
            f"port {args.port}",
            file=sys.stderr,
        )
        for budget, parallel, per_host in runs:
            rows.append(check(hosts, redis, budget, parallel, per_host))
    print_figures(rows)


if __name__ == "__main__":
    main()
