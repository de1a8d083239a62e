"""The services behind the portal refuse whoever lacks their credentials.

Defence in depth for a request that reaches an internal port anyway (an SSRF
the harvest guard missed, another local user): Solr wants Basic authentication
on every path, Redis a password, PostgreSQL a password over TCP and its own OS
user on its socket; all three listen on loopback only. Tried against the real
services scripts/portal started for the tests, with the credentials it made.
"""

from __future__ import annotations

import ipaddress
import shutil
import stat
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import redis
import requests
from ckan.common import config

ROOT = Path(__file__).resolve().parents[2]


def solr_base() -> str:
    """http://127.0.0.1:PORT/solr, from the test core's solr_url."""
    return config["solr_url"].rsplit("/", 1)[0]


def test_solr_refuses_every_request_without_its_credentials():
    core = config["solr_url"].rsplit("/", 1)[1]
    user, password = config["solr_user"], config["solr_password"]
    requests_to_refuse = [  # (method, path, JSON body)
        ("GET", f"/{core}/select?q=*:*", None),
        ("GET", f"/{core}/select?q=*:*&wt=csv", None),
        ("GET", f"/{core}/get?id=x", None),
        ("POST", f"/{core}/update?commit=true", {"delete": {"id": "no-such-dataset"}}),
        ("GET", f"/{core}/schema?wt=schema.xml", None),
        ("GET", f"/{core}/admin/file?file=solrconfig.xml", None),
        ("GET", f"/{core}/config", None),
        ("GET", "/admin/cores?action=STATUS", None),
        ("GET", "/admin/info/system", None),
        ("GET", "/admin/authentication", None),
        ("GET", "/admin/authorization", None),
        ("GET", "/admin/metrics", None),
        ("GET", "/____v2/node/system", None),  # the v2 API
        ("GET", "/index.html", None),  # the admin UI
    ]
    wrong = [None, (user, "not-the-password"), ("solr", password), ("", "")]
    answers = {
        (method, path, auth and auth[0]): requests.request(
            method, solr_base() + path, json=body, auth=auth, timeout=10
        ).status_code
        for method, path, body in requests_to_refuse
        for auth in wrong
    }
    assert {key: code for key, code in answers.items() if code != 401} == {}

    # The same requests with the credentials CKAN has are served: the stored
    # hash is the one Solr computes from the password.
    for method, path, body in requests_to_refuse[:8]:
        response = requests.request(
            method, solr_base() + path, json=body, auth=(user, password), timeout=10
        )
        assert response.status_code == 200, (path, response.text[:300])


def test_redis_refuses_commands_without_its_password():
    url = urlsplit(config["ckan.redis.url"])
    assert url.password, "ckan.redis.url carries no password"
    without = [
        f"redis://{url.hostname}:{url.port}{url.path}",
        f"redis://:not-the-password@{url.hostname}:{url.port}{url.path}",
        f"redis://default:not-the-password@{url.hostname}:{url.port}{url.path}",
    ]
    for candidate in without:
        client = redis.Redis.from_url(candidate, socket_timeout=5)
        for command in (client.ping, lambda c=client: c.keys("*"), client.info):
            with pytest.raises(redis.AuthenticationError):
                command()
    assert redis.Redis.from_url(config["ckan.redis.url"], socket_timeout=5).ping()


def test_postgresql_wants_a_password_over_tcp_and_keeps_its_socket_private():
    url = urlsplit(config["sqlalchemy.url"])
    tcp = {"host": url.hostname, "port": url.port, "dbname": url.path.lstrip("/")}
    for user, password in [(url.username, None), (url.username, "wrong"), ("postgres", None)]:
        with pytest.raises(psycopg2.OperationalError, match="password"):
            psycopg2.connect(**tcp, user=user, password=password, connect_timeout=5).close()

    connection = psycopg2.connect(config["sqlalchemy.url"], connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('listen_addresses')")
            assert cursor.fetchone() == ("127.0.0.1",)
    finally:
        connection.close()
    # The socket trusts its peer (initdb --auth-local=trust): only the cluster's
    # own OS user may open it, who can read the data directory anyway.
    sockets = {
        line.split()[-1]
        for line in Path("/proc/net/unix").read_text().splitlines()[1:]
        if line.split()[-1].endswith(f"/.s.PGSQL.{url.port}")
    }
    assert sockets, "no PostgreSQL socket found"
    modes = {path: oct(stat.S_IMODE(Path(path).stat().st_mode)) for path in sockets}
    assert {path: mode for path, mode in modes.items() if int(mode, 8) & 0o077} == {}


def listening_addresses(port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The local addresses TCP sockets listen on for a port, from /proc/net/tcp{,6}."""
    addresses = set()
    for table, size in (("tcp", 4), ("tcp6", 16)):
        for line in Path("/proc/net", table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, local_port = local.split(":")
            if state != "0A" or int(local_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, size, 4))
            addresses.add(ipaddress.ip_address(words))
    return addresses


def is_loopback(address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def test_solr_redis_and_postgresql_listen_on_loopback_only():
    ports = {
        "solr": urlsplit(config["solr_url"]).port,
        "redis": urlsplit(config["ckan.redis.url"]).port,
        "postgresql": urlsplit(config["sqlalchemy.url"]).port,
    }
    listening = {name: listening_addresses(port) for name, port in ports.items()}
    assert all(listening.values()), listening  # each is found listening at all
    exposed = {
        name: [str(a) for a in addresses if not is_loopback(a)]
        for name, addresses in listening.items()
    }
    assert exposed == {name: [] for name in ports}


def test_secrets_and_generated_configs_are_private():
    var = Path(config["__file__"]).parent  # scripts/portal writes test.ini into $WEPULSE_VAR
    private = [var / "secrets", var / "ckan.ini", var / "test.ini", var / "solr" / "security.json"]
    private += sorted((var / "secrets").iterdir())
    private.append(var / "redis" / "redis.conf")
    modes = {str(p.relative_to(var)): oct(stat.S_IMODE(p.stat().st_mode)) for p in private}
    assert {p: m for p, m in modes.items() if int(m, 8) & 0o077} == {}
    assert config["solr_password"] not in (var / "solr" / "security.json").read_text()


@pytest.fixture(scope="module")
def solr_lib() -> str:
    """Where scripts/portal keeps Solr's jars (it fetched them before the tests ran)."""
    lib = subprocess.run(
        [
            "bash",
            "-c",
            "source scripts/lib/common.sh && source scripts/lib/setup.sh && echo $SOLR_LIB",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(lib, ".complete").exists(), lib
    return lib


def test_solr_launcher_refuses_to_run_without_authentication(solr_lib, tmp_path):
    """Fail closed: no security.json, or one that lets unknown users in, stops Solr."""
    solr_config = ROOT / "config" / "solr"
    template = (solr_config / "security.json.in").read_text()
    template = template.replace("${WEPULSE_SOLR_USER}", "ckan")
    template = template.replace("${WEPULSE_SOLR_CREDENTIAL}", "aGFzaA== c2FsdA==")
    open_security = template.replace('"blockUnknown": true', '"blockUnknown": false')
    assert open_security != template
    variants = {"missing": None, "blockUnknown false": open_security}
    for name, security in variants.items():
        home = tmp_path / name.replace(" ", "-")
        home.mkdir()
        shutil.copy(ROOT / "config" / "solr" / "home" / "solr.xml", home)
        if security is not None:
            (home / "security.json").write_text(security)
        java = ["java", "-Djetty.testMode=true", f"-Dsolr.log.dir={tmp_path}"]
        java += [f"-Dlog4j2.configurationFile={solr_config / 'log4j2.xml'}", "-cp", f"{solr_lib}/*"]
        launcher = [str(solr_config / "SolrLauncher.java"), str(home), "0"]  # 0: any free port
        launch = subprocess.run(java + launcher, capture_output=True, text=True, timeout=120)
        assert launch.returncode == 3, (name, launch.stdout, launch.stderr[-2000:])
        assert "SOLR FAILED" in launch.stderr and "security.json" in launch.stderr, name
