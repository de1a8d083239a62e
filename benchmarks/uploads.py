"""Benchmark: validating and loading a municipal table (issue 16), beside ckanext-xloader.

Generates (seeded, streamed to disk) a Belgian-style CSV of N rows x 12 columns as a
municipality's spreadsheet exports it: cp1252, ``;``, CRLF, decimal commas with
no-break-space thousands ("1 063 850,00"), dates dd/mm/yyyy, codes with leading zeros
("049"), NIS codes, postal codes, oui/non, accents in the header and the text. Its
first data row is a fixed probe whose values the report follows through every tool.
Then, in one run, each step in a child process of its own, so that each peak RSS is
that step's process's (CKAN imported included, where the step needs it):

  1. ours, ``ckanext.wepulse.uploads``: ``reading.read(path)``, the one streaming
     validation pass; then ``loading.load(resource_id, path, reading)``, the typed COPY
     into the DataStore with its atomic swap (the table is published), and
     ``loading.index``, its full-text and column indexes, as the job does;
  2. ckanext-xloader 2.6.0, called as its job calls it (``jobs.xloader_data_into_datastore_``):
     its fast path ``loader.load_csv`` (text-only COPY), then ``calculate_record_count``
     and ``create_column_indexes`` as ``direct_load`` does; and its typed path
     ``loader.load_table`` (tabulator + messytables-style type guessing, rows sent
     through ``datastore_create`` 250 at a time) + ``calculate_record_count``, on all
     the rows (or ``--typed-rows``), or on 25,000 if all take over 10 minutes (its
     rows/s then extrapolated);
  3. frictionless 5.21 ``validate`` on the same file; and ``describe`` + ``validate``
     on the three real municipal files of /work/shared/corpus/csv-municipal/, beside
     our ``reading.read`` of them;
  4. every row of each typed table against the file's text (xloader's load_csv table):
     codes that lost their zeros, amounts, dates read month-first.
Ours and load_csv run alternately ``--repeat`` times (the median run is reported: the
machine's load varies). The report gives each step's rows, seconds, rows/s, peak RSS
and its process's CPU seconds, the column types each tool ends with, and what each made
of the probe row; the figures are kept in var/bench-uploads/results-<rows>.json.
Goal (issue 16): the typed load at least as fast as xloader's text-only COPY, and
<= 300 MB peak RSS.

Neither ckanext-xloader nor frictionless is a dependency of the portal, and their pins
(requests>=2.34.2, urllib3>=2.8, chardet==7.6.0, six>=1.17 ...) are not CKAN 2.11.6's.
On first run the benchmark installs, with .venv's pip:
  - into ``var/bench-xloader/`` (``pip install --no-deps --target``) only the
    distributions .venv lacks (ckanext-xloader, tabulator, chardet, Unidecode, ...),
    put on the PYTHONPATH of xloader's child processes only, over .venv's CKAN and
    its pinned requests/urllib3/six;
  - frictionless into a venv of its own, ``var/bench-xloader/frictionless-venv``.

It uses its own database, DataStore, Solr core and Redis database (wepulse_bench16,
wepulse_bench16_datastore, ckan_bench16, Redis db 6), made on first run with
scripts/lib, and ``var/bench-uploads.ini``, written at every run from var/test.ini.

    .venv/bin/python benchmarks/uploads.py --repeat 3       # 250,000 rows, ~12 min
    .venv/bin/python benchmarks/uploads.py --rows 20000     # a trial
    .venv/bin/python benchmarks/uploads.py --report         # the last run's figures again
(after `scripts/portal up` or `test` has started the services.)
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
TEST_INI = VAR / "test.ini"
INI = VAR / "bench-uploads.ini"
WORK = VAR / "bench-uploads"
XLOADER_TARGET = VAR / "bench-xloader"
FRICTIONLESS_VENV = XLOADER_TARGET / "frictionless-venv"
XLOADER_VERSION = "2.6.0"
FRICTIONLESS_VERSION = "5.21.0"
DATABASE, DATASTORE, CORE, REDIS_DB = (
    "wepulse_bench16",
    "wepulse_bench16_datastore",
    "ckan_bench16",
    6,
)
CORPUS = ROOT.parent / "shared" / "corpus" / "csv-municipal"
REAL_FILES = [
    CORPUS / "VilleMTP_MTP_BudgetPri_2014.csv",
    CORPUS / "more" / "VilleMTP_MTP_EffectifSco_2014.csv",
    CORPUS / "more" / "VilleMTP_MTP_FinancesLocal_2011.csv",
]
ORGANIZATION, DATASET = "bench-uploads", "bench-uploads"
TYPED_TIMEOUT = 600  # xloader's load_table, seconds
FALLBACK_TYPED_ROWS = 25_000  # ... and its rows when all of them take longer

# -- the generated file ------------------------------------------------------------

HEADER = [
    "Exercice",
    "Code INS",
    "Fonction",
    "Libellé",
    "Montant",
    "Date d'engagement",
    "Code postal",
    "Subside",
    "Bénéficiaires",
    "Taux",
    "Commentaire",
    "Modifié le",
]
#: The first data row, always: what each tool makes of these values is reported.
PROBE = [
    "2024",
    "21004",
    "049",
    "Impôts et redevances — taxe additionnelle à l'IPP",
    "1\u00a0063\u00a0850,00",
    "03/04/2024",
    "1000",
    "oui",
    "12",
    "0,25",
    "Prévu au budget; voir la délibération du 03/04/2024",
    "03/04/2024 14:05:00",
]
#: NIS code (REFNIS) and postal code of the 19 Brussels municipalities and some Walloon ones.
COMMUNES = [
    ("21001", "1070"),
    ("21002", "1160"),
    ("21003", "1082"),
    ("21004", "1000"),
    ("21005", "1040"),
    ("21006", "1140"),
    ("21007", "1190"),
    ("21008", "1083"),
    ("21009", "1050"),
    ("21010", "1090"),
    ("21011", "1081"),
    ("21012", "1080"),
    ("21013", "1060"),
    ("21014", "1210"),
    ("21015", "1030"),
    ("21016", "1180"),
    ("21017", "1170"),
    ("21018", "1200"),
    ("21019", "1150"),
    ("62063", "4000"),
    ("52011", "6000"),
    ("92094", "5000"),
    ("53053", "7000"),
    ("57081", "7500"),
    ("81001", "6700"),
    ("25121", "1340"),
]
#: Functional codes of the Belgian municipal budget (three digits, leading zeros kept).
FUNCTIONS = [
    ("000", "Recettes et dépenses générales"),
    ("049", "Impôts et redevances — taxe additionnelle à l'IPP"),
    ("050", "Dette générale — emprunts à long terme"),
    ("104", "Administration générale — secrétariat communal"),
    ("121", "Patrimoine privé — bâtiments à louer"),
    ("330", "Police — sécurité et ordre public"),
    ("351", "Service d'incendie — zone de secours"),
    ("421", "Voirie communale — entretien et réparations"),
    ("425", "Éclairage public"),
    ("510", "Développement économique — marchés et foires"),
    ("722", "Enseignement fondamental — écoles communales"),
    ("762", "Culture — bibliothèque, achat de livres"),
    ("764", "Sport — piscine et salle omnisports"),
    ("767", "Fêtes et cérémonies"),
    ("835", "Crèches et garderies — accueil de la petite enfance"),
    ("844", "Aide sociale — dotation au CPAS"),
    ("875", "Propreté publique — collecte des déchets ménagers"),
    ("878", "Cimetières et funérailles"),
    ("930", "Aménagement du territoire — façades à rénover, œuvres d'art"),
]
COMMENTS = [
    "Voir la délibération du conseil communal; point 12",
    'Marché "fournitures scolaires" attribué',
    "Subside réduit à 50 %",
    "Reçu en retard — relance envoyée",
    "Crédit reporté de l'exercice précédent",
    "Adjudication publique; lot n° 3",
]


def _amount(value: float) -> str:
    """1063850.0 -> '1 063 850,00' (no-break spaces), as Excel exports it in fr-BE."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")


def generate(path: Path, rows: int, seed: int = 16) -> Path:
    """Writes ``rows`` data rows (the probe first) to ``path``, streaming; seeded, so
    the first k rows of any two files are the same."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="cp1252", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(HEADER)
        if rows:
            out.writerow(PROBE)
        for _ in range(rows - 1):
            year = rng.randrange(2015, 2025)
            nis, postal = rng.choice(COMMUNES)
            function, label = rng.choice(FUNCTIONS)
            amount = rng.lognormvariate(9, 2.2) * (-1 if rng.random() < 0.05 else 1)
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            changed = day + datetime.timedelta(days=rng.randrange(60))
            out.writerow(
                [
                    year,
                    nis,
                    function,
                    label,
                    _amount(min(amount, 9e9)),
                    f"{day.day:02d}/{day.month:02d}/{day.year}",
                    postal,
                    "oui" if rng.random() < 0.3 else "non",
                    rng.randrange(5000),
                    f"{rng.randrange(101) / 100:.2f}".replace(".", ","),
                    rng.choice(COMMENTS) if rng.random() < 0.6 else "",
                    f"{changed.day:02d}/{changed.month:02d}/{changed.year} "
                    f"{rng.randrange(7, 19):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
                ]
            )
    tmp.replace(path)
    return path


# -- the database, DataStore, Solr core and Redis database of this benchmark -------

_SERVICES = r"""
set -euo pipefail
source scripts/lib/common.sh
source scripts/lib/services.sh
"""


def _bash(script: str) -> None:
    subprocess.run(["bash", "-c", _SERVICES + script], cwd=ROOT, check=True)


def _replace_url(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


def write_ini() -> Path:
    """var/bench-uploads.ini: var/test.ini with this benchmark's database, DataStore,
    Solr core and Redis database (the credentials are test.ini's)."""
    text = TEST_INI.read_text()

    def value(key: str) -> str:
        found = re.search(rf"^{re.escape(key)}\s*=\s*(\S+)", text, re.M)
        if not found:
            raise SystemExit(f"{TEST_INI} has no {key}: run `scripts/portal up` first")
        return found.group(1)

    settings = {
        "ckan.site_id": "wepulse-bench16",
        "sqlalchemy.url": _replace_url(value("sqlalchemy.url"), f"/{DATABASE}"),
        "ckan.datastore.write_url": _replace_url(
            value("ckan.datastore.write_url"), f"/{DATASTORE}"
        ),
        "ckan.datastore.read_url": _replace_url(value("ckan.datastore.read_url"), f"/{DATASTORE}"),
        "solr_url": _replace_url(value("solr_url"), f"/solr/{CORE}"),
        "ckan.redis.url": _replace_url(value("ckan.redis.url"), f"/{REDIS_DB}"),
        "ckan.storage_path": str(WORK / "storage"),
    }
    for key, new in settings.items():
        text = re.sub(
            rf"^({re.escape(key)}\s*=\s*).*$",
            lambda m, new=new: m.group(1) + new,
            text,
            count=1,
            flags=re.M,
        )
    text = re.sub(
        r"\A(#.*\n)+",
        "# Written by benchmarks/uploads.py at every run: var/test.ini with a database,\n"
        "# DataStore, Solr core and Redis database of its own (issue 16's benchmark).\n",
        text,
    )
    (WORK / "storage").mkdir(parents=True, exist_ok=True)
    INI.write_text(text)
    INI.chmod(0o600)
    return INI


def prepare() -> Path:
    """Creates (once) the databases and the Solr core, writes the ini, brings the schema
    up to date (`ckan db init`, plugins' migrations included) and sets the DataStore's
    permissions, as scripts/portal does for its own databases."""
    _bash(
        f"""
for db in {DATABASE} {DATASTORE}; do
  [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] ||
    psql_admin "CREATE DATABASE $db OWNER wepulse ENCODING 'UTF8'" >/dev/null
done
solr_curl -fsS "$(solr_url)/admin/cores?action=STATUS&core={CORE}" | grep -q '"instanceDir"' ||
  solr_curl -fsS -o /dev/null "$(solr_url)/admin/cores?action=CREATE&name={CORE}&configSet=ckan"
"""
    )
    write_ini()
    _bash(
        f"""
mkdir -p "$LOG"
"$VENV/bin/ckan" -c {INI} db init >>"$LOG/ckan-cli.log" 2>&1 ||
  die "ckan db init failed; see $LOG/ckan-cli.log"
set_datastore_permissions {INI} {DATASTORE}
"""
    )
    return INI


# -- installing xloader and frictionless beside the portal, not into it -------------


def _pip(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], check=True, **kwargs)


def xloader_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(XLOADER_TARGET), env.get("PYTHONPATH")]))
    return env


_XLOADER_CHECK = f"""
import ckanext, ckanext.wepulse, ckanext.xloader.loader, tabulator, requests
from importlib.metadata import version
assert ckanext.xloader.__file__.startswith({str(XLOADER_TARGET)!r}), ckanext.xloader.__file__
assert requests.__file__.startswith({sys.prefix!r}), requests.__file__
print(version("ckanext-xloader"), version("tabulator"), version("requests"))
"""


def install_xloader() -> str:
    """ckanext-xloader (once) into var/bench-xloader: only what .venv lacks."""
    from importlib.metadata import PackageNotFoundError, distribution

    done = XLOADER_TARGET / ".installed-xloader"
    if not done.exists() or done.read_text().strip() != XLOADER_VERSION:
        print(
            f"Installing ckanext-xloader {XLOADER_VERSION} into {XLOADER_TARGET}…", file=sys.stderr
        )
        report = _pip(
            "install",
            "--dry-run",
            "--quiet",
            "--report",
            "-",
            f"ckanext-xloader=={XLOADER_VERSION}",
            capture_output=True,
            text=True,
        )
        wanted = []
        for item in json.loads(report.stdout)["install"]:
            name, version = item["metadata"]["name"], item["metadata"]["version"]
            try:
                distribution(name)  # .venv has it: keep CKAN's pin (requests, urllib3...)
            except PackageNotFoundError:
                wanted.append(f"{name}=={version}")
        for old in XLOADER_TARGET.glob("*"):
            if old != FRICTIONLESS_VENV:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        _pip("install", "--quiet", "--no-deps", "--target", str(XLOADER_TARGET), *wanted)
        # An empty regular package would hide .venv's ckanext namespace (and vice versa).
        (XLOADER_TARGET / "ckanext" / "__init__.py").unlink(missing_ok=True)
        shutil.rmtree(XLOADER_TARGET / "ckanext" / "__pycache__", ignore_errors=True)
    check = subprocess.run(
        [sys.executable, "-c", _XLOADER_CHECK],
        env=xloader_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    done.write_text(XLOADER_VERSION)
    return check.stdout.strip()


def install_frictionless() -> Path:
    """frictionless (once) into a venv of its own; returns its python."""
    python = FRICTIONLESS_VENV / "bin" / "python"
    done = FRICTIONLESS_VENV / ".installed"
    if not done.exists() or done.read_text().strip() != FRICTIONLESS_VERSION:
        print(
            f"Installing frictionless {FRICTIONLESS_VERSION} into {FRICTIONLESS_VENV}…",
            file=sys.stderr,
        )
        shutil.rmtree(FRICTIONLESS_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(FRICTIONLESS_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"frictionless=={FRICTIONLESS_VERSION}",
            ],
            check=True,
        )
        done.write_text(FRICTIONLESS_VERSION)
    return python


# -- the child processes -----------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """This process's CPU seconds so far (PostgreSQL's own work is not in them)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _with_app(func):
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
    with app._wsgi_app.test_request_context():
        return func()


def _context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site["name"], "ignore_auth": True}


RESOURCES = ("ours", "xloader_csv", "xloader_table")


def child_setup() -> dict[str, Any]:
    """A dataset with one resource per loader; their DataStore tables deleted, so that
    each load is a first load."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    context = _context
    org = model.Group.get(ORGANIZATION)
    if org is None or org.state != "active":
        if org is not None:
            tk.get_action("group_purge")(context(), {"id": org.id})
        tk.get_action("organization_create")(
            context(), {"name": ORGANIZATION, "title": "Benchmark: uploads"}
        )
    try:
        dataset = tk.get_action("package_show")(context(), {"id": DATASET})
    except tk.ObjectNotFound:
        dataset = None
    if dataset is None or [r.get("name") for r in dataset["resources"]] != list(RESOURCES):
        if dataset is not None:
            tk.get_action("dataset_purge")(context(), {"id": dataset["id"]})
        dataset = tk.get_action("package_create")(
            context(),
            {
                "name": DATASET,
                "owner_org": ORGANIZATION,
                "title_translated": {"fr": "Budget communal (benchmark)", "nl": "Begroting"},
                "notes_translated": {"fr": "Issue 16.", "nl": "Issue 16."},
                "resources": [
                    {
                        "name": name,
                        "name_translated": {"fr": name, "nl": name},
                        "url": f"https://data.example.be/{name}.csv",
                        "format": "CSV",
                    }
                    for name in RESOURCES
                ],
            },
        )
    ids = {r["name"]: r["id"] for r in dataset["resources"]}
    for resource_id in ids.values():
        _drop_table(resource_id)
    return ids


def _drop_table(resource_id: str) -> None:
    """Deletes the resource's DataStore table, if any: each load is a first load."""
    import ckan.plugins.toolkit as tk

    try:
        tk.get_action("datastore_delete")(_context(), {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        pass


def _table_report(resource_id: str) -> dict[str, Any]:
    """The DataStore table's row count, column types and first row, as the API gives them."""
    import ckan.plugins.toolkit as tk

    info = tk.get_action("datastore_info")(_context(), {"id": resource_id})
    fields = [f for f in info["fields"] if not f["id"].startswith("_")]
    found = tk.get_action("datastore_search")(
        _context(), {"resource_id": resource_id, "filters": {"_id": 1}, "include_total": False}
    )
    total = tk.get_action("datastore_search")(_context(), {"resource_id": resource_id, "limit": 0})[
        "total"
    ]
    first = found["records"][0] if found["records"] else {}
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine, identifier

    with get_write_engine().connect() as conn:
        indexes = conn.execute(
            sa.text("SELECT count(*) FROM pg_indexes WHERE tablename = :t"), {"t": resource_id}
        ).scalar()
        full_text = conn.execute(
            sa.text(f"SELECT count(_full_text) FROM {identifier(resource_id)}")
        ).scalar()
    return {
        "rows": total,
        "columns": [[f["id"], f["type"]] for f in fields],
        "probe": [first.get(f["id"]) for f in fields],
        "indexes": indexes,  # the primary key's included
        "full_text_rows": full_text,
    }


def _describe_reading(found: Any) -> dict[str, Any]:
    """What our reading found: the file, each column's type, the findings."""
    findings: Counter = Counter()
    for finding in found.findings:
        findings[f"{finding.severity}: {finding.code}"] += finding.count
    return {
        "rows": found.rows,
        "format": found.format,
        "encoding": found.encoding,
        "separator": found.separator,
        "header_row": found.header_row,
        "columns": [[c.name, c.type] for c in found.columns],
        "findings": dict(findings),
    }


def child_validate(path: str) -> dict[str, Any]:
    """Ours, step 1: ``reading.read`` (no CKAN app; the module is pure)."""
    from ckanext.wepulse.uploads import reading

    before, cpu = _rss_mb(), _cpu()
    started = time.perf_counter()
    found = reading.read(path)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu() - cpu,
        "rss_before_mb": before,
        **_describe_reading(found),
    }


def child_read_real(*paths: str) -> list[dict[str, Any]]:
    """Ours on the real files frictionless is run on: what the reading finds."""
    from ckanext.wepulse.uploads import reading

    found = []
    for path in paths:
        read = reading.read(path)
        found.append(
            {
                "file": os.path.basename(path),
                **_describe_reading(read),
                "first_row": [repr(v) for v in (read.preview or [[]])[0]],
                "first_findings": [
                    f"{f.severity} {f.code} column={f.column} row={f.row} count={f.count}"
                    f" examples={f.examples[:2]}"
                    for f in read.findings[:6]
                ],
            }
        )
    return found


def child_load(path: str, resource_id: str) -> dict[str, Any]:
    """Ours, step 2: ``loading.load`` after a ``reading.read`` (timed apart)."""

    def run() -> dict[str, Any]:
        from ckanext.wepulse.uploads import loading, reading

        _drop_table(resource_id)

        started = time.perf_counter()
        found = reading.read(path)
        read_seconds = time.perf_counter() - started
        read_peak = _peak_mb()
        before, cpu = _rss_mb(), _cpu()
        started = time.perf_counter()
        # The job's progress callback writes to Redis; this one notes when: its last call
        # comes once the last row is streamed to COPY.
        done: list[float] = []
        rows = loading.load(
            resource_id, path, found, progress=lambda n: done.append(time.perf_counter())
        )
        seconds = time.perf_counter() - started
        loading.index(resource_id, found.columns)
        return {
            "seconds": seconds,
            "seconds_with_indexes": time.perf_counter() - started,
            "cpu_seconds": _cpu() - cpu,
            "rows": rows,
            "streamed_seconds": done[-1] - started if done else None,
            "read_seconds": read_seconds,
            "read_peak_mb": read_peak,
            "rss_before_mb": before,
            "table": _table_report(resource_id),
        }

    return _with_app(run)


def _xloader_logger(name: str):
    import logging

    logger = logging.getLogger(f"bench.{name}")
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(WORK / f"{name}.log", mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


#: xloader's log lines that start each phase of load_csv and of the job's direct_load.
XLOADER_PHASES = [
    ("Ensuring character coding is UTF8", "re-encode to UTF-8 (tabulator)"),
    ("Copying to database...", "datastore_create, then COPY"),
    ("Creating search index...", "UPDATE _full_text"),
    ("Calculating record count", "ANALYZE"),
    ("Creating column indexes", "column indexes"),
    ("...column indexes created.", None),
]


def _phases(log: Path) -> dict[str, float]:
    """Seconds of each phase, from the timestamps of xloader's log lines."""
    starts = []
    for line in log.read_text().splitlines():
        for marker, name in XLOADER_PHASES:
            if marker in line:
                when = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
                starts.append((when, name))
    return {
        name: round((end - start).total_seconds(), 2)
        for (start, name), (end, _) in zip(starts, starts[1:], strict=False)
        if name
    }


def child_xloader_csv(path: str, resource_id: str) -> dict[str, Any]:
    """xloader's fast path, as its job's ``direct_load`` runs it."""

    def run() -> dict[str, Any]:
        from ckanext.xloader import loader

        logger = _xloader_logger("xloader-load_csv")
        _drop_table(resource_id)
        before, cpu = _rss_mb(), _cpu()
        started = time.perf_counter()
        fields = loader.load_csv(path, resource_id=resource_id, mimetype="text/csv", logger=logger)
        copied = time.perf_counter() - started
        copied_cpu = _cpu() - cpu
        loader.calculate_record_count(resource_id=resource_id, logger=logger)
        loader.create_column_indexes(fields=fields, resource_id=resource_id, logger=logger)
        seconds = time.perf_counter() - started
        return {
            "seconds": copied,
            "cpu_seconds": copied_cpu,
            "seconds_with_indexes": seconds,
            "cpu_seconds_with_indexes": _cpu() - cpu,
            "phases": _phases(WORK / "xloader-load_csv.log"),
            "rss_before_mb": before,
            "table": _table_report(resource_id),
        }

    return _with_app(run)


def child_xloader_table(path: str, resource_id: str) -> dict[str, Any]:
    """xloader's typed path, as its job's ``tabulator_load`` runs it (default settings:
    strict type guessing, dates month-first)."""

    def run() -> dict[str, Any]:
        from ckanext.xloader import loader

        logger = _xloader_logger("xloader-load_table")
        _drop_table(resource_id)
        before, cpu = _rss_mb(), _cpu()
        started = time.perf_counter()
        loader.load_table(path, resource_id=resource_id, mimetype="text/csv", logger=logger)
        loader.calculate_record_count(resource_id=resource_id, logger=logger)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "cpu_seconds": _cpu() - cpu,
            "rss_before_mb": before,
            "table": _table_report(resource_id),
        }

    return _with_app(run)


def child_frictionless(path: str, what: str) -> dict[str, Any]:
    """Runs in frictionless's own venv: ``validate`` (timed), then ``describe``.
    frictionless refuses an absolute path ("not safe"): it is given the file's name,
    from the file's folder."""
    from frictionless import Resource, describe, validate

    os.chdir(os.path.dirname(path))
    name = os.path.basename(path)
    before, cpu = _rss_mb(), _cpu()
    started = time.perf_counter()
    report = validate(name)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    peak = _peak_mb()
    task = report.tasks[0]
    described = describe(name).to_descriptor()
    first = None
    with Resource(name) as table:
        for row in table.row_stream:
            first = {k: repr(v) for k, v in row.items()}
            break
    return {
        "file": name,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak,
        "rss_before_mb": before,
        "rows": task.stats.get("rows"),
        "valid": report.valid,
        "errors": dict(Counter(e.type for e in task.errors)),
        "first_errors": [e.message[:200] for e in task.errors[:5]],
        "encoding": described.get("encoding"),
        "dialect": described.get("dialect"),
        "fields": [[f["name"], f["type"]] for f in described["schema"]["fields"]],
        "first_row": first,
        "what": what,
    }


#: The columns whose values are checked on every row against the file's text (as
#: xloader's load_csv stored it): a code keeps its leading zeros, an amount its value,
#: a date its day and month.
CHECKED = {2: "code", 4: "amount", 5: "date", 11: "datetime"}


def child_compare(text_id: str, *typed_ids: str) -> dict[str, Any]:
    """For each typed table, on every row it shares with the text table: how many values
    differ from the file's (a code that lost its zeros, a date read month-first...)."""

    def run() -> dict[str, Any]:
        import sqlalchemy as sa
        from ckanext.datastore.backend.postgres import get_write_engine, identifier

        engine = get_write_engine()

        def columns(resource_id: str) -> list[tuple[str, str]]:
            query = sa.text(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
                " AND left(attname, 1) <> '_' ORDER BY attnum"
            )
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(query, {"t": identifier(resource_id)})]

        text_columns = columns(text_id)
        results = {}
        for typed_id in typed_ids:
            typed_columns = columns(typed_id)
            checks = []
            for index, kind in CHECKED.items():
                name, pg_type = typed_columns[index]
                t, c = f"t.{identifier(name)}", f"c.{identifier(text_columns[index][0])}"
                if pg_type == "text":
                    wrong = f"{t} IS DISTINCT FROM {c}"
                elif kind == "code":
                    wrong = f"{t}::text IS DISTINCT FROM {c}"
                elif kind == "amount":
                    parsed = f"replace(replace({c}, chr(160), ''), ',', '.')::numeric"
                    wrong = f"{t}::numeric IS DISTINCT FROM {parsed}"
                elif kind == "date":
                    wrong = f"to_char({t}, 'DD/MM/YYYY') IS DISTINCT FROM {c}"
                else:
                    wrong = f"to_char({t}, 'DD/MM/YYYY HH24:MI:SS') IS DISTINCT FROM {c}"
                checks.append(f"count(*) FILTER (WHERE {wrong})")
            query = (
                f"SELECT count(*), {', '.join(checks)} FROM {identifier(typed_id)} t"
                f" JOIN {identifier(text_id)} c USING (_id)"
            )
            try:
                with engine.connect() as conn:
                    counts = list(conn.execute(sa.text(query)).one())
            except sa.exc.DBAPIError as error:  # a type the checks cannot compare
                results[typed_id] = {"error": str(error.orig).strip()[:300]}
                continue
            results[typed_id] = {
                "rows": counts[0],
                "differ": {HEADER[i]: n for i, n in zip(CHECKED, counts[1:], strict=True)},
            }
        return results

    return _with_app(run)


CHILDREN = {
    "setup": lambda: _with_app(child_setup),
    "validate": child_validate,
    "read-real": child_read_real,
    "load": child_load,
    "xloader-csv": child_xloader_csv,
    "xloader-table": child_xloader_table,
    "frictionless": child_frictionless,
    "compare": child_compare,
}


def run_child(
    step: str,
    *args: str,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Runs ``step`` in a process of its own; its result, with that process's peak RSS."""
    env = dict(env or os.environ)
    env["CKAN_INI"] = str(INI)
    command = [python, __file__, "--child", step, *args]
    load_average = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"timed_out": True, "seconds": time.perf_counter() - started}
    if process.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{stderr.decode(errors='replace')[-4000:]}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["load_average"] = [load_average, os.getloadavg()[0]]  # 1 min, at start and end
    return result


def _child_main(step: str, args: list[str]) -> None:
    result = CHILDREN[step](*args)
    if isinstance(result, dict):
        result.setdefault("peak_mb", _peak_mb())
    else:
        result = {"found": result, "peak_mb": _peak_mb()}
    print(json.dumps(result, default=str, ensure_ascii=False))


# -- the run ------------------------------------------------------------------------


def ours_available() -> str | None:
    """None when ckanext.wepulse.uploads has read, rows and load; else why not."""
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ckanext.wepulse.uploads import loading, reading\n"
            "reading.read, reading.rows, loading.load",
        ],
        capture_output=True,
        text=True,
    )
    return None if check.returncode == 0 else check.stderr.strip().splitlines()[-1]


def _row(
    label: str,
    rows: Any,
    seconds: float | None,
    step: dict[str, Any] | None = None,
    note: str = "",
    cpu: float | None = None,
) -> list[str]:
    """One line of the table: step | rows | seconds | rows/s | peak RSS | the client
    process's CPU seconds | load average (1 min) at the start | note."""
    step = step or {}
    rate = f"{rows / seconds:,.0f}" if rows and seconds else ""
    cpu = step.get("cpu_seconds") if cpu is None else cpu
    peak = step.get("peak_mb")
    load = step.get("load_average")
    return [
        label,
        f"{rows:,}" if isinstance(rows, int) else str(rows or ""),
        f"{seconds:.2f}" if seconds is not None else "",
        rate,
        f"{peak:.0f}" if isinstance(peak, (int, float)) else "",
        f"{cpu:.2f}" if isinstance(cpu, (int, float)) else "",
        f"{load[0]:.1f}" if load else "",
        note,
    ]


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print(
            "  ".join(
                str(c).ljust(w) if i in (0, len(header) - 1) else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    print()


def _runs(results: dict[str, Any], key: str) -> str:
    runs = (results.get("runs") or {}).get(key) or []
    if len(runs) < 2:
        return ""
    return "; median of " + " / ".join(f"{r:.2f}" for r in runs) + " s"


def _before(step: dict[str, Any]) -> str:
    return f"RSS before the step {step['rss_before_mb']:.0f} MB" if "rss_before_mb" in step else ""


def report(results: dict[str, Any], rows: int) -> None:
    table = []
    g = results["generate"]
    table.append(_row("generate the file", rows, g["seconds"], note=f"{g['mb']:.1f} MB"))
    ours = results.get("ours") or {}
    if "validate" in ours:
        v = ours["validate"]
        label = "ours: validate, reading.read()"
        table.append(
            _row(label, v["rows"], v["seconds"], v, _before(v) + _runs(results, "validate"))
        )
    if "load" in ours:
        lo = ours["load"]
        t = lo["table"]
        note = (
            f"{_before(lo)}; rows streamed to COPY in {lo['streamed_seconds']:.2f} s;"
            f" {t['indexes']} indexes, _full_text on {t['full_text_rows']:,} rows"
            + _runs(results, "load")
        )
        table.append(_row("ours: typed load, loading.load()", lo["rows"], lo["seconds"], lo, note))
        if "seconds_with_indexes" in lo:
            label = "ours: load + loading.index()"
            table.append(
                _row(label, lo["rows"], lo["seconds_with_indexes"], lo, "what the job does")
            )
    if "missing" in ours:
        table.append(["ours", "", "", "", "", "", "", f"not run: {ours['missing']}"])
    xc = results.get("xloader_csv")
    if xc:
        t = xc["table"]
        note = f"{_before(xc)}; _full_text on {t['full_text_rows']:,} rows" + _runs(
            results, "xloader_csv"
        )
        table.append(_row("xloader: load_csv (text COPY)", t["rows"], xc["seconds"], xc, note))
        table.append(
            _row(
                "xloader: load_csv + count + indexes",
                t["rows"],
                xc["seconds_with_indexes"],
                xc,
                f"the job's direct_load; {t['indexes']} indexes",
                cpu=xc["cpu_seconds_with_indexes"],
            )
        )
    for xt in results.get("xloader_table_attempts", []):
        if xt.get("timed_out"):
            note = f"stopped after {xt['seconds']:.0f} s (the cap)"
            table.append(_row("xloader: load_table (typed)", xt["file_rows"], None, xt, note))
            continue
        n = xt["table"]["rows"]
        note = _before(xt)
        if n < rows:
            note += f"; {rows:,} rows ≈ {xt['seconds'] * rows / n:,.0f} s, extrapolated"
        table.append(_row("xloader: load_table (typed)", n, xt["seconds"], xt, note))
    fr = results.get("frictionless_generated")
    if fr:
        note = f"valid={fr['valid']}, errors: {fr['errors'] or 0}; {_before(fr)}"
        table.append(_row("frictionless: validate()", fr["rows"], fr["seconds"], fr, note))
    print(f"\n{rows:,} rows x 12 columns, cp1252, ';' ({results['file']}, {results['when']})\n")
    header = ["step", "rows", "seconds", "rows/s", "peak RSS MB", "CPU s", "load avg", ""]
    _print_table(header, table)
    print(
        "CPU s: the step's own process (PostgreSQL's work is not in it); load avg: the"
        " machine's, 1 min, when the step started (2 cores).\n"
    )
    if xc and xc.get("phases"):
        phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in xc["phases"].items())
        print(f"xloader's direct_load, from its log: {phases}\n")

    # The column types each tool ended with, and what it made of the probe row.
    sources: list[tuple[str, list, list[str]]] = []
    if "load" in ours:
        t = ours["load"]["table"]
        sources.append(("ours (DataStore)", t["columns"], [repr(v) for v in t["probe"]]))
    if xc:
        t = xc["table"]
        sources.append(("xloader load_csv", t["columns"], [repr(v) for v in t["probe"]]))
    xt = results.get("xloader_table")
    if xt and not xt.get("timed_out"):
        t = xt["table"]
        sources.append(("xloader load_table", t["columns"], [repr(v) for v in t["probe"]]))
    if fr:
        sources.append(("frictionless", fr["fields"], list((fr["first_row"] or {}).values())))
    lines = []
    for i, name in enumerate(HEADER):
        cells = [name, _cut(repr(PROBE[i]))]
        for _, columns, probe in sources:
            if i < len(columns):
                cells.append(f"{columns[i][1]}: {_cut(probe[i]) if i < len(probe) else ''}")
            else:
                cells.append("")
        lines.append(cells)
    _print_table(["column", "in the file", *[name for name, _, _ in sources]], lines)
    for label, found in (results.get("compare") or {}).items():
        name = {"ours": "ours", "xloader_table": "xloader load_table"}[label]
        if "error" in found:
            print(f"{name}: could not compare with the file: {found['error']}")
            continue
        differ = ", ".join(f"{column} {n:,}" for column, n in found["differ"].items())
        print(f"{name}: values differing from the file's, of {found['rows']:,} rows: {differ}")
    if "validate" in ours:
        shown = {k: v for k, v in ours["validate"].items() if k != "columns"}
        print("ours, the reading:", json.dumps(shown, ensure_ascii=False, default=str))
    for found in ours.get("real", []):
        print(
            f"ours on {found['file']}: encoding {found['encoding']}, separator"
            f" {found['separator']!r}, header row {found['header_row']}, {found['rows']} rows,"
            f" findings {found['findings']}"
        )
        print(f"  columns: {found['columns']}")
        if found["first_findings"]:
            print(f"  first findings: {found['first_findings']}")
        print(f"  first row: {found['first_row']}")
    for found in ([fr] if fr else []) + results.get("frictionless_real", []):
        print(
            f"frictionless on {found['file']}: encoding {found['encoding']}, dialect "
            f"{found['dialect']}, valid={found['valid']}, errors {found['errors']}"
        )
        print(f"  fields: {found['fields']}")
        if found["first_errors"]:
            print(f"  first errors: {found['first_errors']}")
        print(f"  first row: {found['first_row']}")


def _cut(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument(
        "--typed-rows",
        type=int,
        help="rows for xloader's load_table (default: all, or 25,000 if all take over "
        f"{TYPED_TIMEOUT // 60} min; its rows/s is then extrapolated)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["ours", "xloader", "xloader-table", "frictionless"],
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run ours and xloader's load_csv this many times, alternately (median reported)",
    )
    parser.add_argument(
        "--report", action="store_true", help="print the last run's figures again, run nothing"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child_main(args.child[0], args.child[1:])

    saved = WORK / f"results-{args.rows}.json"
    if args.report:
        return report(json.loads(saved.read_text()), args.rows)
    results: dict[str, Any] = {"rows": args.rows, "when": datetime.date.today().isoformat()}
    try:
        run(args, results)
    finally:  # what was measured is kept, even if a later step fails
        WORK.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    report(results, args.rows)


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def run(args: argparse.Namespace, results: dict[str, Any]) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"Preparing {DATABASE}, {DATASTORE}, Solr core {CORE}, {INI}…", file=sys.stderr)
    prepare()
    path = WORK / f"municipal-{args.rows}.csv"
    started = time.perf_counter()
    generate(path, args.rows)
    results["generate"] = {
        "seconds": time.perf_counter() - started,
        "mb": path.stat().st_size / 1e6,
    }
    results["file"] = str(path)
    ids = run_child("setup")

    # Ours and xloader's fast path, alternately, --repeat times: the machine's load
    # varies, and each figure reported is the run of median time.
    runs: dict[str, list[dict[str, Any]]] = {"validate": [], "load": [], "xloader_csv": []}
    missing = ours_available() if "ours" not in args.skip else "skipped"
    if missing and "ours" not in args.skip:
        results["ours"] = {"missing": missing}
    if "xloader" not in args.skip:
        results["xloader_versions"] = install_xloader()
    for repetition in range(args.repeat):
        if not missing:
            print(f"Ours: validating, then loading ({repetition + 1})…", file=sys.stderr)
            runs["validate"].append(run_child("validate", str(path)))
            runs["load"].append(run_child("load", str(path), ids["ours"]))
        if "xloader" not in args.skip:
            print(f"xloader: load_csv ({repetition + 1})…", file=sys.stderr)
            runs["xloader_csv"].append(
                run_child("xloader-csv", str(path), ids["xloader_csv"], env=xloader_env())
            )
        results["runs"] = {k: [r["seconds"] for r in v] for k, v in runs.items() if v}
    if not missing:
        results["ours"] = {
            "validate": _median(runs["validate"]),
            "load": _median(runs["load"]),
            "real": run_child("read-real", *map(str, REAL_FILES))["found"],
        }
    if "xloader" not in args.skip:
        results["xloader_csv"] = _median(runs["xloader_csv"])
        if "xloader-table" not in args.skip:
            typed_rows = min(args.typed_rows or args.rows, args.rows)
            for attempt in dict.fromkeys((typed_rows, min(FALLBACK_TYPED_ROWS, typed_rows))):
                typed_path = path
                if attempt < args.rows:
                    typed_path = generate(WORK / f"municipal-{attempt}.csv", attempt)
                print(f"xloader: load_table on {attempt:,} rows…", file=sys.stderr)
                found = run_child(
                    "xloader-table",
                    str(typed_path),
                    ids["xloader_table"],
                    env=xloader_env(),
                    timeout=TYPED_TIMEOUT,
                )
                found["file_rows"] = attempt
                results.setdefault("xloader_table_attempts", []).append(found)
                results["xloader_table"] = found
                if not found.get("timed_out"):
                    break
    if "frictionless" not in args.skip:
        python = str(install_frictionless())
        print("frictionless: validate…", file=sys.stderr)
        results["frictionless_generated"] = run_child(
            "frictionless", str(path), "generated", python=python
        )
        results["frictionless_real"] = [
            run_child("frictionless", str(real), "real", python=python) for real in REAL_FILES
        ]
    if "xloader_csv" in results:  # its text table holds the file's values, row by row
        typed = {label: ids[label] for label in ("ours", "xloader_table") if label in results}
        typed = {k: v for k, v in typed.items() if "load" in results[k] or "table" in results[k]}
        if typed:
            found = run_child("compare", ids["xloader_csv"], *typed.values())
            results["compare"] = {label: found[rid] for label, rid in typed.items()}


if __name__ == "__main__":
    main()
