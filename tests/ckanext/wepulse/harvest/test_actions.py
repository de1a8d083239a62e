"""A harvest source's URL is checked when it is saved, through the Action API: every
URL the harvest guard refuses is a 409 on ``url`` in the editor's language, for every
source type and for package_create used directly; nothing is saved."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers

from ckanext.wepulse.harvest.sources import own_services

pytestmark = pytest.mark.usefixtures("with_plugins")


def call(app, action, token, data, lang=""):
    prefix = f"/{lang}" if lang else ""
    return app.post(f"{prefix}/api/3/action/{action}", json=data, headers={"Authorization": token})


def source(org, url, source_type="wepulse_dcat", name="ixelles-source"):
    return {
        "name": name,
        "title": "Ixelles",
        "url": url,
        "source_type": source_type,
        "owner_org": org["id"],
        "frequency": "MANUAL",
    }


def test_harvest_sources_with_urls_the_guard_refuses_are_not_saved(app, sysadmin_token):
    org = factories.Organization(name="ixelles")
    solr = urlsplit(tk.config["solr_url"]).netloc
    cases = [
        ("file:///etc/passwd", "Only http:// and https:// URLs"),
        ("gopher://127.0.0.1:9/_FLUSHALL", "Only http:// and https:// URLs"),
        ("ftp://ftp.example.be/data.csv", "Only http:// and https:// URLs"),
        ("javascript:alert(document.domain)", "Only http:// and https:// URLs"),
        (" JavaScript:alert(1)", "not a valid web address"),
        (5, "must be text"),
        (["https://data.example.be/"], "must be text"),
        ({"url": "https://data.example.be/"}, "must be text"),
        ("https://user:secret@data.example.be/catalog.ttl", "user name or password"),
        ("http://127.0.0.1:8983\\@data.example.be/solr", "not a valid web address"),
        ("http://2130706433:8983/solr/", "not a valid web address"),
        ("http://0x7f.1/", "not a valid web address"),
        ("http://[fe80::1%25eth0]/", "not a valid web address"),
        ("http://localhost:9/", "127.0.0.1, a private or local address"),
        ("http://[::ffff:127.0.0.1]:9/", "127.0.0.1, a private or local address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a private or local"),
        (f"http://{solr}/solr/ckan/select?q=*:*&wt=csv", "the portal's own services"),
    ]
    for source_type in ("wepulse_dcat", "dcat_rdf", "ckan"):
        for url, expected in cases:
            response = call(
                app, "harvest_source_create", sysadmin_token, source(org, url, source_type), "en"
            )
            assert response.status_code == 409, (source_type, url, response.json)
            assert expected in response.json["error"]["url"][0], (url, response.json)
    # package_create of a harvest source directly passes the same check.
    direct = {**source(org, "gopher://127.0.0.1:9/_INFO"), "type": "harvest"}
    response = call(app, "package_create", sysadmin_token, direct, "en")
    assert response.status_code == 409
    assert "Only http://" in response.json["error"]["url"][0]
    assert tk.get_action("harvest_source_list")({"ignore_auth": True}, {}) == []


def test_updates_are_checked_own_services_refused_in_the_editors_language(app, sysadmin_token):
    org = factories.Organization(name="ixelles")
    allowed = tk.config["ckanext.wepulse.harvest.allow_private"]
    allowed = allowed[0] if isinstance(allowed, list) else allowed
    created = call(
        app,
        "harvest_source_create",
        sysadmin_token,
        source(org, f"http://{allowed}/dcat/feed.trig"),
    )
    assert created.status_code == 200, created.json
    created = created.json["result"]
    # A name that does not resolve today is saved: the harvest checks it again.
    other = call(
        app, "harvest_source_create", sysadmin_token,
        source(org, "https://opendata.ixelles.example/catalog.ttl", name="ixelles-2"),
    )  # fmt: skip
    assert other.status_code == 200, other.json

    for action in ("harvest_source_update", "package_update", "package_patch"):
        data = {**source(org, "http://127.0.0.1:9/"), "id": created["id"]}
        if action == "package_patch":
            data = {"id": created["id"], "url": "http://127.0.0.1:9/"}
        response = call(app, action, sysadmin_token, data, "en")
        assert response.status_code == 409, (action, response.json)
        assert "private or local address" in response.json["error"]["url"][0]
    shown = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": created["id"]})
    assert shown["url"] == f"http://{allowed}/dcat/feed.trig"

    for lang, words in [
        ("fr", "http:// et https://"),
        ("nl", "http:// en https://"),
        ("de", "http:// und https://"),
    ]:
        response = call(
            app,
            "harvest_source_create",
            sysadmin_token,
            source(org, "file:///etc/passwd", name="x"),
            lang,
        )
        assert response.status_code == 409
        assert words in response.json["error"]["url"][0], (lang, response.json)

    # Whatever is allowed, the portal's own services are not harvested.
    services = own_services()
    with helpers.changed_config("ckanext.wepulse.harvest.allow_private", services):
        for service in services:
            data = source(org, f"http://{service}/", name="x")
            response = call(app, "harvest_source_create", sysadmin_token, data, "en")
            assert response.status_code == 409, (service, response.json)
            assert "one of the portal's own services" in response.json["error"]["url"][0]
