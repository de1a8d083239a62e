"""Security headers: a Content-Security-Policy on pages, and uploads that never run
on the portal's origin (attachments unless passive, sandboxed, never sniffed)."""

from __future__ import annotations

import copy
import io

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse.seeding import site_context

from ..conftest import TREES

PAGES = [
    "/",
    "/dataset/",
    "/dataset/schaerbeek-arbres",
    "/organization/schaerbeek",
    "/user/login",
    "/accessibility",
]

# (file name, content, declared media type): what an editor may upload to attack.
ACTIVE_FILES = [
    ("page.html", b"<script>fetch('/api/3/action/api_token_list')</script>", "text/html"),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    (
        "page.xhtml",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
        "application/xhtml+xml",
    ),
    (
        "data.xml",
        b"<?xml version='1.0'?><x:script xmlns:x='http://www.w3.org/1999/xhtml'>alert(1)</x:script>",
        "application/xml",
    ),
    ("report.pdf", b"%PDF-1.4 app.alert(1)", "application/pdf"),
]
PASSIVE_FILES = [
    ("data.csv", b"a;b\n1;2\n", "text/csv"),
    # Markup in a file whose type is guessed from its name: shown as CSV, never sniffed.
    ("looks.csv", b"<script>alert(1)</script>", None),
    ("pixel.png", b"\x89PNG\r\n\x1a\n", "image/png"),
]


def _policy(response) -> dict[str, str]:
    directives = response.headers["Content-Security-Policy"].split(";")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in directives if d.strip()}


def test_every_page_has_a_policy_that_runs_no_inline_script(app, trees):
    for url in PAGES:
        response = app.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == "'self'", url
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'self'"
        assert policy["base-uri"] == "'self'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        # The pages keep to it: no inline script and no handler attributes.
        body = response.get_data(as_text=True)
        assert "<script>" not in body and " onclick=" not in body and "javascript:" not in body, url


def test_the_api_answers_are_not_sniffed_or_framed(app):
    response = app.get("/api/3/action/package_search")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.fixture
def uploaded(clean_db, app):
    """Each file uploaded by an editor as a resource; (name, media type) -> response."""
    user = factories.UserWithToken()
    organization = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = copy.deepcopy(TREES)
    dataset.update(owner_org=organization["id"], resources=[])
    dataset = tk.get_action("package_create")(site_context(), dataset)
    responses = {}
    for name, content, media_type in ACTIVE_FILES + PASSIVE_FILES:
        form = {"package_id": dataset["id"], "name": name, "upload": (io.BytesIO(content), name)}
        if media_type:
            form["mimetype"] = media_type
        created = app.post(
            "/api/3/action/resource_create",
            data=form,
            headers={"Authorization": user["token"]},
            content_type="multipart/form-data",
        )
        assert created.status_code == 200, created.get_data(as_text=True)
        resource = created.json["result"]
        responses[name] = app.get(
            f"/dataset/{dataset['id']}/resource/{resource['id']}/download/{name}"
        )
    return responses


def test_uploads_never_run_on_the_portal_origin(uploaded):
    for name, *_ in ACTIVE_FILES + PASSIVE_FILES:
        response = uploaded[name]
        assert response.status_code == 200, name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert "sandbox" in _policy(response), name
        assert _policy(response)["default-src"] == "'none'", name
    for name, *_ in ACTIVE_FILES:
        assert uploaded[name].headers["Content-Disposition"].startswith("attachment"), name
    for name, *_ in PASSIVE_FILES:
        assert not uploaded[name].headers.get("Content-Disposition", "").startswith("attachment"), (
            name
        )


def test_a_media_type_cannot_inject_headers(clean_db):
    dataset = copy.deepcopy(TREES)
    organization = factories.Organization()
    dataset["owner_org"] = organization["id"]
    for media_type in [
        "text/csv\r\nSet-Cookie: a=b",
        "text/html; charset=<x>",
        "not a type",
        "a/b/c",
    ]:
        dataset["resources"][0]["mimetype"] = media_type
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("package_create")(site_context(), dataset)
        assert "mimetype" in str(refused.value.error_dict["resources"]), media_type
