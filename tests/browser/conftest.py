"""Browser tests: Debian's Chromium, driven by Playwright, on a real CKAN server.

The server is the portal's own web stack (gunicorn serving config/wsgi.py) on a free
port, on the suite's database, Solr core and Redis (the --ckan-ini file). The catalogue
it shows is made once per session in-process, through the Action API, from the demo
catalogue and its authorities as REFNIS gives them. axe-core is injected into pages
from the copy `scripts/portal` fetched from the npm registry; screenshots go to
var/artifacts/screenshots for a person to look at (not committed).
"""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from ckan import plugins
from ckan.cli.db import _run_migrations
from ckan.lib import search
from ckan.tests import factories, helpers
from playwright.sync_api import Browser, Page, sync_playwright

from ckanext.wepulse import authorities, demo
from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.quality import authorities as quality_authorities
from ckanext.wepulse.seeding import site_context

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("WEPULSE_CHROMIUM", "/usr/lib/chromium/chromium")
AXE_JS = Path(
    os.environ.get("WEPULSE_AXE_JS")
    or Path.home() / ".cache" / "wepulse" / "axe-core-4.14.1" / "axe.min.js"
)
SCREENSHOTS = ROOT / "var" / "artifacts" / "screenshots"
PLUGINS_WITH_TABLES = ("activity", "harvest", "wepulse")
# The WCAG 2.0 and 2.1 A and AA rules: what the Web Accessibility Directive asks.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ADMIN = {"name": "publisher", "password": "Correct-Horse-Battery-9"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_server(pytestconfig, tmp_path_factory) -> Iterator[str]:
    """The portal's web server on this suite's configuration; yields its base URL."""
    test_ini = Path(pytestconfig.getoption("ckan_ini")).resolve()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    # The suite's configuration, with the address the browser really uses.
    ini = tmp_path_factory.mktemp("server") / "server.ini"
    logging = test_ini.read_text().split("# Python's logging", 1)[1]
    ini.write_text(
        f"[app:main]\nuse = config:{test_ini}\nckan.site_url = {url}\n\n# Python's logging{logging}"
    )
    log = open(tmp_path_factory.mktemp("log") / "web.log", "w")  # noqa: SIM115 - kept open
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "--chdir", ROOT / "config", "wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
        env={**os.environ, "CKAN_INI": str(ini)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{url}/api/3/action/status_show", server, log.name)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for(url: str, server: subprocess.Popen, log: str) -> None:
    for _ in range(240):
        if server.poll() is not None:
            raise RuntimeError(f"the web server exited; see {log}")
        try:
            if requests.get(url, timeout=10).ok:
                return
        except requests.RequestException:  # not listening yet, or still starting
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the web server did not answer {url}; see {log}")


@pytest.fixture(scope="session")
def catalogue(live_server) -> dict:
    """The demo catalogue, every authority of Brussels and Wallonia (562, as REFNIS
    gives them: the transparency overview lists them all) and a publisher who may edit
    them. The demo's datasets are validated and scored as the job queue would (no worker
    runs here), and the authorities' figures of today kept: one day of history, what a
    fresh portal has."""
    plugins.load_all()
    try:
        helpers.reset_db()
        for plugin in PLUGINS_WITH_TABLES:
            _run_migrations(plugin)
        search.clear_all()
        with open(authorities.REFNIS_FILE, "rb") as f:
            list(authorities.seed(list(authorities.read_refnis(f.read()))))
        # Uploaded files' links are indexed with the site's address: the server's.
        with helpers.changed_config("ckan.site_url", live_server):
            datasets = [name for kind, name, _ in demo.seed() if kind == "dataset"]
            for name in datasets:
                dataset = helpers.call_action("package_show", site_context(), id=name)
                validate_dataset(dataset["id"])
        quality_authorities.snapshot_all(datetime.date.today())
        factories.Sysadmin(name=ADMIN["name"], password=ADMIN["password"])
        budget = helpers.call_action("package_show", site_context(), id="ixelles-budget-communal")
        return {"budget": budget}
    finally:
        plugins.unload_all()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (scripts/portal test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str, catalogue: dict) -> Iterator[Page]:
    """A tab on the portal that fails the test if anything on it breaks the portal's
    Content-Security-Policy (the pages must satisfy it: no inline script) or opens a
    dialog (no page ever calls alert(): one that does runs script from data)."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    broken: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and broken.append(m.text))
    page.on("dialog", lambda d: (broken.append(f"a {d.type} dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda error: broken.append(f"script error: {error}"))
    yield page
    context.close()
    assert broken == [], f"on {page.url}"


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS} (scripts/portal test fetches it)")
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async options => await axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
    )
    return [
        {"rule": v["id"], "help": v["help"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def screenshot(page: Page, name: str) -> None:
    """The page at desktop and phone widths, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sideways_overflow(page: Page, width: int) -> list[str]:
    """What sticks out of a ``width``-pixel-wide window, forcing sideways scrolling
    (WCAG 1.4.10, reflow: 360 px is a phone, 640 px a laptop at 200% zoom)."""
    page.set_viewport_size({"width": width, "height": 900})
    try:
        return page.evaluate(
            """width => document.documentElement.scrollWidth <= width ? [] :
                [...document.querySelectorAll('body *')]
                  .filter(el => el.getBoundingClientRect().right > width + 1)
                  .slice(0, 5).map(el => el.tagName + '.' + el.className)""",
            width,
        )
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def log_in(page: Page, lang: str = "fr") -> None:
    page.goto(f"/{lang}/user/login")
    page.fill("#field-login", ADMIN["name"])
    page.fill("#field-password", ADMIN["password"])
    with page.expect_navigation():
        page.press("#field-password", "Enter")


def tab_to(page: Page, predicate: str, limit: int = 120) -> dict:
    """Press Tab until the focused element satisfies ``predicate`` (JS, given ``el``).

    Returns what is focused; fails when the keyboard never gets there.
    """
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            f"""() => {{
                const el = document.activeElement;
                return {{match: !!(({predicate})), tag: el.tagName,
                         text: (el.innerText || el.value || '').trim(),
                         href: el.getAttribute('href'), name: el.getAttribute('name')}};
            }}"""
        )
        if focused["match"]:
            return focused
    pytest.fail(f"Tab never reached an element where {predicate}")
