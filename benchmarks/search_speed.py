"""Benchmark: search speed, WePulse's multilingual search against stock CKAN search.

Fills the *test* database and Solr core (``ckan_test``) with N realistic multilingual
datasets, then, in one run:
  1. starts two CKAN web servers as scripts/lib/ckan.sh starts the portal's (gunicorn,
     2 gthread workers): "ours" on var/test.ini as is, and "stock" on var/bench-stock.ini,
     the same configuration without the ``wepulse_search`` plugin; both serve the same
     database and index;
  2. warms both up, then loads one at a time, in alternating rounds (ours, stock, ours,
     stock...), with 10 concurrent clients looping over the relevance set's queries
     (tests/search/relevance.json), on the Action API (``package_search?q=…&rows=10``)
     and on the search page (``/dataset/?q=…``);
  3. prints p50/p95/p99 latency measured by the clients, throughput and errors.
Targets (issue): search API p95 <= 50 ms, and ours no more than 10 % slower than stock
at p95.

The datasets: every dataset of the demo catalogue and a sample of the portal's own
(http://127.0.0.1:5000) are created through package_create; the rest are copies of
their database rows with other titles, years and authorities (the 562 of
``ckan wepulse authorities seed``), inserted in batches, checked against package_create
(one copy of each template is created again through it and compared, row by row and
through package_show), then indexed with ``ckan wepulse search reindex``'s code.
package_create would cost ~100 ms a dataset; this fill takes ~12 minutes for 20,000,
most of it indexing. A marker in the test database (the count, and a hash of
search/index.py and Solr's schema) lets the next run reuse them; ``--refill`` forces.

    .venv/bin/python benchmarks/search_speed.py --datasets 20000
(after `scripts/portal up` has started the services and filled the portal; it WIPES
the test database and the ckan_test core).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import requests
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
TEST_INI = ROOT / "var" / "test.ini"
DEMO_CATALOGUE = ROOT / "ckanext-wepulse" / "ckanext" / "wepulse" / "demo" / "demo_catalogue.json"
RELEVANCE = ROOT / "tests" / "search" / "relevance.json"
MARKER = "wepulse_bench_search_datasets"  # system_info key: what the last fill made
# What the index is made with: when one of these changes, the datasets are indexed anew.
INDEX_SOURCES = [
    ROOT / "ckanext-wepulse" / "ckanext" / "wepulse" / "search" / "index.py",
    ROOT / "config" / "solr" / "home" / "configsets" / "ckan" / "conf" / "schema.xml",
]
BATCH = 1000
YEAR = re.compile(r"\b20[0-3]\d\b")
TEST_LEFTOVER = re.compile(r"^m-[0-9a-f]{10}$")  # the tests' datasets, not a catalogue's
# Used when tests/search/relevance.json is missing: what visitors type, in four languages.
QUERIES = [
    "budget", "budget communal", "écoles", "crèches", "déchets", "parkings", "marchés publics",
    "subsides", "aide sociale", "population", "espaces verts", "qualité de l'air",
    "begroting", "scholen", "kinderopvang", "afvalinzameling", "fietsenstalling",
    "overheidsopdrachten", "speelpleinen", "bevolking", "OCMW", "gemeenteraad",
    "Haushalt", "Schulen", "Abfall", "Bevölkerung", "Kindergarten", "Finanzen",
    "Haushaltsplan", "Parkplätze", "municipal budget", "schools", "waste collection",
    "public procurement", "grants", "air quality", "car parks", "population", "Wi-Fi", "INSPIRE",
]  # fmt: skip


# -- the CKAN app, in this process ------------------------------------------------


def load_app():
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    return make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())


def solr_count() -> int:
    import ckan.plugins.toolkit as tk
    from ckan.lib.search.common import make_connection

    site = tk.config["ckan.site_id"]
    return make_connection().search(q="*:*", fq=f"+site_id:{site}", rows=0).hits


def db_count() -> int:
    from ckan import model

    return (
        model.Session.query(model.Package)
        .filter(model.Package.state == "active", model.Package.type == "dataset")
        .count()
    )


def random_names(count: int) -> list[str]:
    from ckan import model
    from sqlalchemy import func

    query = model.Session.query(model.Package.name).filter(model.Package.state == "active")
    return [name for (name,) in query.order_by(func.random()).limit(count)]


def marker(count: int) -> str:
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in INDEX_SOURCES))
    return f"{count} datasets, index {digest.hexdigest()[:12]}"


def already_filled(count: int) -> bool:
    """Whether the test database and core hold exactly this benchmark's datasets,
    indexed by today's code and Solr schema."""
    from ckan.model.system_info import get_system_info

    try:
        found = get_system_info(MARKER)
    except Exception:  # no tables yet
        return False
    return found == marker(count) and db_count() == count and solr_count() == count


# -- the fill ---------------------------------------------------------------------


def reset() -> None:
    import ckan.lib.search as search
    from ckan.cli.db import _run_migrations
    from ckan.tests import helpers

    helpers.reset_db()
    search.clear_all()
    for plugin in ("activity", "harvest", "wepulse"):
        _run_migrations(plugin)


def seed_authorities(ini: str) -> None:
    """Through the CLI, as `scripts/portal up` does (it shows its own progress bar)."""
    subprocess.run(
        [str(VENV_BIN / "ckan"), "-c", ini, "wepulse", "authorities", "seed"],
        check=True,
        stdout=sys.stderr,  # stdout is for the figures
    )


def portal_sample(portal: str, size: int, exclude: set[str]) -> list[dict]:
    """A sample of the running portal's datasets, as package_create takes them."""
    try:
        response = requests.get(
            f"{portal}/api/3/action/package_search", params={"rows": 1000}, timeout=60
        )
        response.raise_for_status()
        found = response.json()["result"]["results"]
    except (requests.RequestException, ValueError, KeyError) as error:
        print(f"  warning: no sample from {portal} ({error}): demo datasets only", file=sys.stderr)
        return []
    found = [d for d in found if not TEST_LEFTOVER.match(d["name"]) and d["name"] not in exclude]
    found = random.Random(1).sample(found, min(size, len(found)))
    return [as_input(d) for d in found if d.get("organization")]


def as_input(shown: dict) -> dict:
    """A package_show dict of another portal, without what belongs to that portal."""
    dropped = {
        "id", "metadata_created", "metadata_modified", "creator_user_id", "organization",
        "owner_org", "num_resources", "num_tags", "isopen", "license_title", "license_url",
        "state", "tags", "groups", "relationships_as_subject", "relationships_as_object",
    }  # fmt: skip
    # Empty lists and dicts too: package_show gives an empty theme as {}, which
    # package_create refuses.
    dataset = {k: v for k, v in shown.items() if k not in dropped and v not in (None, [], {})}
    dataset["owner_org"] = shown["organization"]["name"]
    # ckanext-harvest adds these on show; they name the other portal's harvest objects.
    dataset["extras"] = [
        e
        for e in shown.get("extras", [])
        if e["key"] not in ("harvest_object_id", "harvest_source_id")
    ]
    dataset["resources"] = [
        {
            k: v
            for k, v in resource.items()
            if v is not None
            and k not in ("id", "package_id", "created", "metadata_modified", "position", "state")
        }
        for resource in shown.get("resources", [])
    ]
    return dataset


def create_templates(datasets: list[dict]) -> list[str]:
    """package_create each dataset; returns the ids of those created."""
    import ckan.plugins.toolkit as tk

    from ckanext.wepulse.seeding import site_context

    context = site_context()
    ids, failed = [], []
    for dataset in tqdm(datasets, desc="package_create (templates)", unit=" datasets"):
        try:
            ids.append(tk.get_action("package_create")(dict(context), dataset)["id"])
        except tk.ValidationError as error:
            failed.append(f"{dataset['name']}: {error.error_summary}")
    for reason in failed:
        print(f"  skipped {reason}", file=sys.stderr)
    return ids


class Authority:
    """An organization as the copies need it: id, names by language, NIS code."""

    def __init__(self, group) -> None:
        extras = dict(group.extras)
        self.id, self.name = group.id, group.name
        self.names = json.loads(extras.get("title_translated") or "{}") or {"fr": group.title}
        self.nis = extras.get("nis_code")

    def named(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("fr") or next(iter(self.names.values()))


class Template:
    """One created dataset's rows, which copies repeat with other words."""

    def __init__(self, package_id: str, authorities: dict[str, Authority]) -> None:
        from ckan import model

        conn = model.Session.connection()
        self.package = dict(
            conn.execute(model.package_table.select().where(model.package_table.c.id == package_id))
            .one()
            ._mapping
        )
        self.extras = {
            row.key: row.value
            for row in conn.execute(
                model.package_extra_table.select().where(
                    model.package_extra_table.c.package_id == package_id
                )
            )
        }
        self.resources = [
            dict(row._mapping)
            for row in conn.execute(
                model.resource_table.select().where(model.resource_table.c.package_id == package_id)
            )
        ]
        self.authority = authorities[self.package["owner_org"]]
        # The year the dataset is about: the title's first, else its temporal coverage's.
        years = YEAR.findall(self.extras["title_translated"]) or YEAR.findall(
            self.extras.get("temporal_coverage", "")
        )
        self.year = int(years[0]) if years else None
        self.has_year = bool(YEAR.search(self.extras["title_translated"]))

    def copy(self, index: int, authority: Authority, year: int, modified: datetime):
        """Rows (package, extras, resources, membership) of a copy published by
        ``authority`` about ``year``; stored as package_create stores them."""
        from ckanext.wepulse.multilingual import in_language

        new_id = str(uuid.uuid4())
        # Longest first, so "CPAS d'Ixelles" is replaced before "Ixelles".
        names = sorted(
            ((old, authority.named(lang)) for lang, old in self.authority.names.items()),
            key=lambda pair: -len(pair[0]),
        )
        nis = (self.authority.nis, authority.nis) if self.authority.nis and authority.nis else None

        # Every year moves by as much, so "2024-2030" becomes "2019-2025".
        shift = year - self.year if self.year else 0

        def vary(text: str) -> str:
            text = YEAR.sub(lambda m: str(int(m.group()) + shift), text)
            for old, new in names:
                if len(old) >= 4:  # not a name that is part of other words
                    text = text.replace(old, new)
            if nis:
                text = text.replace(f"refnis2019/{nis[0]}", f"refnis2019/{nis[1]}")
            return text

        def title(lang: str, text: str) -> str:
            mentioned = any(len(old) >= 4 and old in text for old, _new in names)
            varied = vary(text) + ("" if self.has_year else f" {year}")
            return varied if mentioned else f"{varied} – {authority.named(lang)}"

        name = f"{self.package['name'][:88]}-{index}"
        extras = {}
        for key, value in self.extras.items():
            if key == "title_translated":
                titles = {lang: title(lang, text) for lang, text in json.loads(value).items()}
                value = json.dumps(titles, ensure_ascii=False)
            elif key in ("notes_translated", "tags_translated"):
                value = json.dumps(_vary_json(json.loads(value), vary), ensure_ascii=False)
            elif key in ("temporal_coverage", "spatial_coverage"):
                value = json.dumps(_vary_json(json.loads(value), vary))  # as scheming does
            elif key in ("identifier", "uri", "harvest_guid"):
                value = f"{value}-{index}"  # each dataset its own
            extras[key] = value
        # package_create keeps the title and notes a client sent (the portal's copies sent
        # them, in the default language), else the name as title and no notes.
        titles = json.loads(extras["title_translated"])
        notes = json.loads(extras.get("notes_translated", "{}"))
        package = {
            **self.package,
            "id": new_id,
            "name": name,
            "owner_org": authority.id,
            "metadata_created": modified,
            "metadata_modified": modified,
            "title": name
            if self.package["title"] == self.package["name"]
            else in_language(titles)[0],
            "notes": in_language(notes)[0] if self.package["notes"] else None,
        }
        resources = []
        for resource in self.resources:
            resource_extras = dict(resource["extras"] or {})
            copied = {
                **resource,
                "id": str(uuid.uuid4()),
                "package_id": new_id,
                "created": modified,
                "metadata_modified": modified,
            }
            for core in ("name", "description"):  # as the package's title and notes
                translated = f"{core}_translated"
                if translated in resource_extras:
                    varied = _vary_json(json.loads(resource_extras[translated]), vary)
                    resource_extras[translated] = json.dumps(varied, ensure_ascii=False)
                    if resource[core]:
                        copied[core] = in_language(varied)[0]
            copied["extras"] = resource_extras if resource["extras"] is not None else None
            resources.append(copied)
        extra_rows = [
            {"id": str(uuid.uuid4()), "package_id": new_id, "key": k, "value": v, "state": "active"}
            for k, v in extras.items()
        ]
        member = {
            "id": str(uuid.uuid4()),
            "table_name": "package",
            "table_id": new_id,
            "capacity": "organization",
            "group_id": authority.id,
            "state": "active",
        }
        return package, extra_rows, resources, member


def _vary_json(value, vary):
    if isinstance(value, str):
        return vary(value)
    if isinstance(value, list):
        return [_vary_json(v, vary) for v in value]
    if isinstance(value, dict):
        return {k: _vary_json(v, vary) for k, v in value.items()}
    return value


def insert_copies(templates: list[Template], authorities: list[Authority], count: int):
    """Insert ``count`` copies in batches, one transaction each; returns their ids and,
    for each template, the id of its first copy."""
    from ckan import model

    rng = random.Random(42)
    now = datetime.utcnow()
    ids, first_copies = [], {}
    with tqdm(total=count, desc="Inserting copies", unit=" datasets") as bar:
        for start in range(0, count, BATCH):
            rows = {"package": [], "extra": [], "resource": [], "member": []}
            for index in range(start, min(start + BATCH, count)):
                template = rng.choice(templates)
                package, extras, resources, member = template.copy(
                    index,
                    rng.choice(authorities),
                    rng.randint(2015, 2026),
                    now - timedelta(days=rng.randint(0, 3 * 365), seconds=rng.randint(0, 86400)),
                )
                rows["package"].append(package)
                rows["extra"] += extras
                rows["resource"] += resources
                rows["member"].append(member)
                ids.append(package["id"])
                first_copies.setdefault(template.package["id"], package["id"])
            for table, key in (
                (model.package_table, "package"),
                (model.package_extra_table, "extra"),
                (model.resource_table, "resource"),
                (model.member_table, "member"),
            ):
                if rows[key]:
                    model.Session.execute(table.insert(), rows[key])
            model.Session.commit()
            bar.update(len(rows["package"]))
    return ids, list(first_copies.values())


def check_copies(copies: list[str]) -> None:
    """A copy must be what package_create stores: package_show each copy, create it again
    from that (as its template was created) and compare the stored rows and package_show."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.wepulse.seeding import site_context

    context = {**site_context(), "use_cache": False}
    volatile = {"id", "name", "metadata_created", "metadata_modified", "creator_user_id"}
    for package_id in tqdm(copies, desc="Checking copies", unit=" datasets"):
        shown = tk.get_action("package_show")(dict(context), {"id": package_id})
        again = tk.get_action("package_create")(
            dict(context), {**as_sent(shown, package_id), "name": "bench-check"}
        )
        try:
            twice = tk.get_action("package_show")(dict(context), {"id": again["id"]})
            for label, a, b in (
                ("package_show", _comparable(shown, volatile), _comparable(twice, volatile)),
                ("package row", _stored_package(package_id), _stored_package(again["id"])),
                ("extras", _stored_extras(package_id), _stored_extras(again["id"])),
                ("resource rows", _stored_resources(package_id), _stored_resources(again["id"])),
            ):
                if a != b:
                    sys.exit(
                        f"copy {shown['name']} differs from package_create's ({label}):\n{a}\n{b}"
                    )
        finally:
            tk.get_action("dataset_purge")(dict(context), {"id": again["id"]})
    model.Session.commit()


def as_sent(shown: dict, package_id: str) -> dict:
    """What a client sent to create this dataset: the demo catalogue sends no title, notes
    or resource name (only their translations), the portal's datasets do."""
    from ckan import model

    dataset = as_input(shown)
    package = model.Package.get(package_id)
    if package.title == package.name:
        del dataset["title"]
    if package.notes is None:
        del dataset["notes"]
    rows = sorted(package.resources, key=lambda r: r.position)
    for resource, row in zip(dataset["resources"], rows, strict=True):
        for core in ("name", "description"):
            if getattr(row, core) is None:
                resource.pop(core, None)
    return dataset


def _comparable(dataset: dict, volatile: set[str]) -> dict:
    resource_volatile = {"id", "package_id", "created", "metadata_modified"}
    out = {k: v for k, v in dataset.items() if k not in volatile}
    out["resources"] = [
        {k: v for k, v in r.items() if k not in resource_volatile} for r in dataset["resources"]
    ]
    return out


def _stored_package(package_id: str) -> dict:
    from ckan import model

    table = model.package_table
    row = model.Session.execute(table.select().where(table.c.id == package_id)).one()
    volatile = {"id", "name", "title", "metadata_created", "metadata_modified", "creator_user_id"}
    # The title is the name when none was sent: compare whether it is.
    return {
        **{k: v for k, v in row._mapping.items() if k not in volatile},
        "title is name": row.title == row.name,
    }


def _stored_extras(package_id: str) -> dict:
    from ckan import model

    rows = model.Session.query(model.PackageExtra).filter_by(package_id=package_id)
    return {row.key: (row.value, row.state) for row in rows}


def _stored_resources(package_id: str) -> list:
    from ckan import model

    table = model.resource_table
    skip = {"id", "package_id", "created", "metadata_modified"}
    rows = model.Session.execute(table.select().where(table.c.package_id == package_id))
    return sorted(
        ({k: v for k, v in row._mapping.items() if k not in skip} for row in rows),
        key=lambda r: r["position"],
    )


def fill(count: int, ini: str, portal: str, sample: int) -> None:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.model.system_info import set_system_info

    from ckanext.wepulse.search.reindex import reindex

    print(f"Wiping {ini}'s database and Solr core…", file=sys.stderr)
    reset()
    seed_authorities(ini)
    with open(DEMO_CATALOGUE, encoding="utf-8") as f:
        demo = json.load(f)["datasets"]
    datasets = demo + portal_sample(portal, sample, {d["name"] for d in demo})
    template_ids = create_templates(datasets[:count])
    print(
        f"  {len(template_ids)} of {len(datasets[:count])} datasets (demo catalogue and "
        f"{portal}'s) created through package_create",
        file=sys.stderr,
    )
    groups = model.Session.query(model.Group).filter_by(is_organization=True, state="active")
    authorities = {group.id: Authority(group) for group in groups}
    templates = {i: Template(i, authorities) for i in template_ids}
    copies, first_copies = insert_copies(
        list(templates.values()), list(authorities.values()), count - len(templates)
    )
    # One copy of each template: every shape of dataset the copies have.
    check_copies(first_copies)
    print(f"  {len(first_copies)} copies checked: as package_create stores them", file=sys.stderr)
    tk.get_action("job_clear")({"ignore_auth": True}, {})  # validation jobs no worker runs here

    ids = template_ids + copies
    with tqdm(total=len(ids), desc="Indexing", unit=" datasets") as bar:
        outcome = reindex(ids, progress=bar.update)
    if outcome.failed:
        sys.exit(f"indexing failed: {outcome}: {list(outcome.failed.items())[:3]}")
    set_system_info(MARKER, marker(count))


# -- the web servers --------------------------------------------------------------


def stock_ini(ini: Path) -> Path:
    """The same configuration without wepulse_search, beside ``ini``."""
    import ckan.plugins.toolkit as tk

    plugins = [p for p in tk.config["ckan.plugins"] if p != "wepulse_search"]
    text = ini.read_text()
    logging_sections = text[text.index("[loggers]") :]  # Python's logging reads only this file
    path = ini.with_name("bench-stock.ini")
    path.write_text(
        "# Written by benchmarks/search_speed.py: the tests' configuration with stock CKAN\n"
        "# search (no wepulse_search).\n\n"
        f"[app:main]\nuse = config:{ini.name}\nckan.plugins = {' '.join(plugins)}\n\n"
        + logging_sections
    )
    path.chmod(0o600)  # it names the database's password through test.ini
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebServer:
    """CKAN under gunicorn, started exactly as scripts/lib/ckan.sh's start_web does."""

    def __init__(self, label: str, ini: Path) -> None:
        self.label, self.port = label, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = os.environ.get("WEPULSE_WEB_WORKERS", "2")  # as scripts/lib/common.sh
        self.log = ROOT / "var" / "log" / f"bench-{label}.log"
        command = [
            str(VENV_BIN / "gunicorn"), "--chdir", str(ROOT / "config"), "wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", self.workers,
            "--worker-class", "gthread", "--threads", "4", "--timeout", "120",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            env={**os.environ, "CKAN_INI": str(ini)},
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, stopped as a whole
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"CKAN ({self.label}) did not start; see {self.log}")
            try:
                if requests.get(f"{self.url}/api/3/action/status_show", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        sys.exit(f"CKAN ({self.label}) did not answer within 120 s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# -- the load ---------------------------------------------------------------------

ENDPOINTS = {
    "API package_search": ("/api/3/action/package_search", {"rows": 10}),
    "page /dataset/": ("/dataset/", {}),
}


def load(server: WebServer, endpoint: str, queries: list[str], count: int, clients: int):
    """``count`` requests from ``clients`` threads, each looping over ``queries`` from
    its own place in the list. Returns each request's seconds, the errors, the wall time."""
    path, params = ENDPOINTS[endpoint]
    api = path.startswith("/api/")
    issued = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client(number: int) -> None:
        session = requests.Session()  # keep-alive, as a browser or an API client would
        position = number * len(queries) // clients
        while True:
            with lock:
                if next(issued) >= count:
                    return
            q = queries[position % len(queries)]
            position += 1
            started = time.perf_counter()
            try:
                response = session.get(server.url + path, params={"q": q, **params}, timeout=60)
                elapsed = time.perf_counter() - started  # the body has been read
                ok = response.status_code == 200 and (
                    not api or response.json().get("success") is True
                )
            except (requests.RequestException, ValueError):
                elapsed, ok = time.perf_counter() - started, False
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    # Daemons: Ctrl-C stops the run without waiting for the clients.
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - started


@dataclass
class Measured:
    """One server's requests to one endpoint, over every round."""

    latencies: list[float] = field(default_factory=list)  # seconds, as the client saw them
    errors: int = 0
    seconds: float = 0.0  # under load
    round_p95: list[float] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in ms."""
    ordered = sorted(values)
    return 1000 * ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def read_queries() -> list[str]:
    if RELEVANCE.exists():
        with open(RELEVANCE, encoding="utf-8") as f:
            return [query["q"] for query in json.load(f)["queries"]]
    return QUERIES


def machine() -> str:
    model_name = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model_name = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({model_name}), {mem_gib:.0f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=20000)
    parser.add_argument("--refill", action="store_true", help="fill again even if filled")
    parser.add_argument("--sample", type=int, default=200, help="the portal's datasets to copy")
    parser.add_argument("--portal", default="http://127.0.0.1:5000", help="where to sample them")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=500, help="per round, server and endpoint")
    parser.add_argument(
        "--ini",
        default=str(TEST_INI),
        help="CKAN config whose database and Solr core are WIPED (default: the tests')",
    )
    args = parser.parse_args()
    ini = Path(args.ini).resolve()
    os.environ["CKAN_INI"] = str(ini)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # so servers are stopped

    app = load_app()
    with app._wsgi_app.test_request_context():
        if args.refill or not already_filled(args.datasets):
            started = time.perf_counter()
            fill(args.datasets, str(ini), args.portal, args.sample)
            filled = f"{time.perf_counter() - started:.0f} s"
        else:
            filled = "reused, the datasets were there"
        print(f"Fill: {filled}", file=sys.stderr)
        datasets, indexed = db_count(), solr_count()
        stock = stock_ini(ini)
        some = random_names(5)

    queries = read_queries()
    servers: list[WebServer] = []
    load_started = time.perf_counter()
    results: dict[tuple[str, str], Measured] = {}
    try:
        servers += [WebServer("ours", ini), WebServer("stock", stock)]
        for server in servers:
            server.wait()
            for name in some:  # the copies' pages render, on either server
                status = requests.get(f"{server.url}/dataset/{name}", timeout=60).status_code
                if status != 200:
                    sys.exit(f"/dataset/{name} on {server.label}: HTTP {status}; see {server.log}")
        print(f"Servers: ours {servers[0].url}, stock {servers[1].url}", file=sys.stderr)
        # Warm-up: every worker's templates, caches and connections, every query once
        # through each server, before anything is measured.
        for server in servers:
            for endpoint in ENDPOINTS:
                load(server, endpoint, queries, 2 * len(queries), args.clients)
        total = args.rounds * len(ENDPOINTS) * len(servers)
        with tqdm(total=total * args.requests, desc="Load", unit=" requests") as bar:
            for _round in range(args.rounds):
                for endpoint in ENDPOINTS:
                    for server in servers:  # one server under load at a time, in turn
                        latencies, errors, seconds = load(
                            server, endpoint, queries, args.requests, args.clients
                        )
                        measured = results.setdefault((endpoint, server.label), Measured())
                        measured.latencies += latencies
                        measured.errors += errors
                        measured.seconds += seconds
                        measured.round_p95.append(percentile(latencies, 95))
                        bar.update(args.requests)
    finally:
        for server in servers:
            server.stop()
    load_seconds = time.perf_counter() - load_started

    print(f"\nMachine: {machine()}; {datasets} datasets in the database, {indexed} indexed")
    print(
        f"{args.clients} concurrent clients, {len(queries)} queries, {args.rounds} rounds of "
        f"{args.requests} requests per server and endpoint, one server at a time; each server "
        f"{servers[0].workers} gunicorn workers x 4 threads"
    )
    print(f"Fill: {filled}; load (with warm-up): {load_seconds:.0f} s\n")
    header = f"{'endpoint':<20}{'server':<7}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}"
    print(header + f"{'p99 ms':>9}{'req/s':>9}{'errors':>8}")
    p95 = {}
    for (endpoint, label), m in results.items():
        p95[endpoint, label] = percentile(m.latencies, 95)
        print(
            f"{endpoint:<20}{label:<7}{len(m.latencies):>9}{percentile(m.latencies, 50):>9.1f}"
            f"{p95[endpoint, label]:>9.1f}{percentile(m.latencies, 99):>9.1f}"
            f"{len(m.latencies) / m.seconds:>9.1f}{m.errors:>8}"
        )
    print("\np95 of each round (ms), to judge the noise:")
    for (endpoint, label), m in results.items():
        print(f"  {endpoint:<20}{label:<7}" + ", ".join(f"{p:.0f}" for p in m.round_p95))
    print()
    api = "API package_search"
    print(
        f"Target: search API p95 <= 50 ms (ours): {p95[api, 'ours']:.1f} ms — "
        + ("met" if p95[api, "ours"] <= 50 else f"NOT met (+{p95[api, 'ours'] - 50:.1f} ms)")
    )
    for endpoint in ENDPOINTS:
        ratio = p95[endpoint, "ours"] / p95[endpoint, "stock"]
        print(
            f"Target: ours p95 <= 1.10 x stock, {endpoint}: {ratio:.2f}x — "
            + ("met" if ratio <= 1.10 else "NOT met")
        )


if __name__ == "__main__":
    main()
