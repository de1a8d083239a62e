"""Stored XSS: hostile addresses are refused at the API, left out by a harvest, and
shown as text (never as a link or an attribute) when they are in the database anyway.
"""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser

import pytest
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit as tk

from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, ckan_search

from ..conftest import TREES, allowing, make_source

EMAILS = [
    "a@b.invalid tabindex=0 autofocus onfocus=alert(document.domain)",
    'a@b.example" onmouseover="alert(1)',
    "a@b.example><img src=x onerror=alert(1)>",
    "not an address",
]
URLS = [
    "javascript:alert(document.domain)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    'https://example.be/" onmouseover="alert(1)',
]
IRIS = ["javascript:alert(1)", "data:,x", "http://x.be/ onmouseover=alert(1)"]


def _with(dataset: dict, path: tuple, value) -> dict:
    dataset = copy.deepcopy(dataset)
    target = dataset
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return dataset


#: (where in TREES, which hostile values, the error key package_create reports)
FIELDS = [
    (("contact", 0, "email"), EMAILS, "contact"),
    (("contact", 0, "url"), URLS, "contact"),
    (("contact", 0, "uri"), IRIS, "contact"),
    (("url",), URLS, "url"),
    (("uri",), IRIS, "uri"),
    (("harvest_url",), URLS, "harvest_url"),
    (("resources", 0, "url"), URLS, "resources"),
    (("resources", 0, "download_url"), URLS, "resources"),
    (("resources", 0, "access_url"), URLS, "resources"),
    (("resources", 0, "mimetype"), ["text/html\r\nX-XSS: 1", "text/html; x=<script>"], "resources"),
]


def test_the_api_refuses_hostile_addresses_naming_the_field(schaerbeek):
    with_spatial = {
        **TREES,
        "spatial_coverage": [{"uri": "http://vocab.belgif.be/auth/refnis2019/21015"}],
    }
    with_publisher = {
        **TREES,
        "publisher": [{"name": "Schaerbeek", "email": "info@schaerbeek.example"}],
    }
    cases = [(TREES, path, value, key) for path, values, key in FIELDS for value in values]
    cases += [
        (with_spatial, ("spatial_coverage", 0, "uri"), value, "spatial_coverage") for value in IRIS
    ]
    cases += [(with_publisher, ("publisher", 0, "email"), value, "publisher") for value in EMAILS]
    accepted = []
    for base, path, value, key in cases:
        dataset = _with(base, path, value)
        dataset["name"] = "hostile"
        try:
            tk.get_action("package_create")(site_context(), dataset)
        except tk.ValidationError as error:
            assert key in error.error_dict, (path, value, error.error_dict)
            assert "got" in json.dumps(error.error_dict)  # says what it refused
        else:
            accepted.append((path, value))
            tk.get_action("dataset_purge")(site_context(), {"id": "hostile"})
    assert accepted == []


def test_the_api_keeps_good_addresses_normalised(schaerbeek):
    dataset = _with(TREES, ("contact", 0, "email"), " mailto:Verts@Schaerbeek.EXAMPLE ")
    dataset["url"] = "HTTPS://www.schaerbeek.be/arbres"
    created = tk.get_action("package_create")(site_context(), dataset)
    assert created["contact"][0]["email"].lower() == "verts@schaerbeek.example"
    assert created["contact"][0]["email"].endswith("@schaerbeek.example")  # domain normalised
    assert created["url"] == "https://www.schaerbeek.be/arbres"


def test_an_authority_e_mail_is_an_address(clean_db):
    for email in EMAILS:
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("organization_create")(
                site_context(), {"name": "hostile", "title": "Hostile", "email": email}
            )
        assert "email" in refused.value.error_dict


def test_a_harvested_dataset_keeps_its_good_values_and_loses_its_hostile_addresses():
    dataset = {
        "title_translated": {"fr": "Arbres"},
        "url": "javascript:alert(1)",
        "contact": [{"name": "Service", "email": EMAILS[0], "url": " https://ok.example/x "}],
        "publisher": [{"name": "Commune", "email": "mailto:info@commune.example"}],
        "spatial_coverage": [{"uri": "data:,x", "text": "Ixelles"}],
        "resources": [
            {"url": "javascript:alert(1)", "download_url": "https://ok.example/a b.csv"},
            {"url": "vbscript:x"},
            {"url": "https://ok.example/b.csv", "mimetype": "text/csv\r\nSet-Cookie: x=1"},
        ],
    }
    completed = sync._completed(dataset)
    assert "url" not in completed
    assert completed["contact"] == [{"name": "Service", "url": "https://ok.example/x"}]
    assert completed["publisher"][0]["email"] == "info@commune.example"
    assert completed["spatial_coverage"] == [{"text": "Ixelles"}]
    assert [r["url"] for r in completed["resources"]] == [
        "https://ok.example/a%20b.csv",
        "https://ok.example/b.csv",
    ]
    assert "mimetype" not in completed["resources"][1]


class _Attributes(HTMLParser):
    """Every attribute of every element, as a browser's DOM would have them."""

    def __init__(self):
        super().__init__()
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value) for name, value in attrs]


def _unsafe(html: str) -> list:
    parser = _Attributes()
    parser.feed(html)
    return [
        (tag, name, value)
        for tag, name, value in parser.attributes
        if name.startswith("on")
        or name == "autofocus"
        or (
            name in ("href", "src", "action", "formaction")
            and "".join((value or "").split())
            .lower()
            .startswith(("javascript:", "data:", "vbscript:"))
        )
    ]


def _store_unchecked(package_id: str, **extras) -> None:
    """Values written before the validators existed, or by a path that skips them."""
    package = model.Package.get(package_id)
    for key, value in extras.items():
        package.extras[key] = json.dumps(value) if not isinstance(value, str) else value
    model.repo.commit()
    search.rebuild(package_id)


def test_pages_show_hostile_stored_values_as_text(app, trees):
    hostile = EMAILS[0]
    _store_unchecked(
        trees["id"],
        contact=[{"name": "Service", "email": hostile, "url": URLS[0], "uri": IRIS[0]}],
        spatial_coverage=[{"uri": URLS[1], "text": "Schaerbeek"}],
        harvest_url=URLS[2],
        url=URLS[3],
    )
    organization = model.Group.get("schaerbeek")
    organization.extras["email"] = hostile
    organization.extras["website"] = URLS[0]
    model.repo.commit()
    pages = ["/dataset/schaerbeek-arbres", "/organization/schaerbeek", "/dataset/", "/"]
    for url in pages:
        response = app.get(url)
        assert response.status_code == 200, url
        assert _unsafe(response.body) == [], url
    dataset_page = app.get("/dataset/schaerbeek-arbres").body
    assert "onfocus=alert(document.domain)" in dataset_page  # shown, as text


#: A remote CKAN's package, as whoever controls that site may write it.
HOSTILE_PACKAGE = {
    "id": "0b3a6c8e-hostile",
    "name": "arbres-hostiles",
    "title": "Arbres remarquables",
    "notes": "Inventaire des arbres remarquables.",
    "maintainer": "Service Espaces verts",
    "maintainer_email": EMAILS[0],
    "author_email": 'x@y.example" autofocus onfocus="alert(1)',
    "url": URLS[0],
    "extras": [{"key": "uri", "value": IRIS[0]}],
    "resources": [
        {"id": "r1", "name": "Inventaire", "url": URLS[1], "format": "CSV"},
        {
            "id": "r2",
            "name": "Carte",
            "url": "https://data.example.be/arbres.geojson",
            "format": "GeoJSON",
        },
    ],
}


def test_a_hostile_harvested_record_keeps_its_data_and_shows_no_link_or_attribute(
    app, schaerbeek, clean_index
):
    routes = {"/api/3/action/package_search": ckan_search([HOSTILE_PACKAGE])}
    with FixtureServer(routes) as server, allowing(server):
        source = make_source(server, schaerbeek, "hostile-ckan", "", "wepulse_ckan")
        _job, summary = sync.run_source(source["name"])
    assert summary.errors == 0, summary
    found = tk.get_action("package_search")(site_context(), {"q": "Arbres remarquables"})["results"]
    assert len(found) == 1
    dataset = found[0]
    assert dataset["title"] == "Arbres remarquables"  # the good values are kept
    assert not dataset.get("url")
    assert not (dataset.get("uri") or "").startswith("javascript")
    assert dataset["contact"] and all("email" not in contact for contact in dataset["contact"])
    assert "Service Espaces verts" in [contact.get("name") for contact in dataset["contact"]]
    # The file described with a hostile address is kept, without it; the source's value
    # is kept aside as text.
    assert [r["url"] for r in dataset["resources"]] == [
        "",
        "https://data.example.be/arbres.geojson",
    ]
    assert dataset["unmapped"]["resources[0].url"] == URLS[1]
    page = app.get(f"/dataset/{dataset['name']}")
    assert page.status_code == 200
    assert _unsafe(page.body) == []
