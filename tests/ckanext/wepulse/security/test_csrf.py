"""CSRF: every form the portal serves checks its token, logged in or not.

CKAN 2.11 checks it only for logged-in sessions; security.csrf does it for
anonymous posts too (login CSRF, register, password reset, feedback)."""

from __future__ import annotations

import re

import pytest
from ckan.tests import factories

FORMS = {
    "/user/login": {"login": "someone", "password": "wrong"},
    "/user/register": {
        "name": "newcomer",
        "fullname": "New Comer",
        "email": "newcomer@example.be",
        "password1": "correct-horse-battery",
        "password2": "correct-horse-battery",
    },
    "/user/reset": {"user": "someone@example.be"},
    "/accessibility/feedback": {"problem": "The map has no text alternative."},
}
CROSS_SITE = {"Origin": "https://evil.example", "Referer": "https://evil.example/form.html"}


def _token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="_csrf_token" (?:value|content)="([^"]+)"', page).group(1)


@pytest.mark.usefixtures("clean_db")
def test_anonymous_cross_site_posts_without_a_token_are_refused(app):
    client = app.test_client()
    for url, form in FORMS.items():
        client.get(url)  # the session cookie a victim's browser would send
        response = client.post(url, data=form, headers=CROSS_SITE)
        assert response.status_code == 400, url
        assert "CSRF" in response.get_data(as_text=True), url


@pytest.mark.usefixtures("clean_db")
def test_the_same_forms_with_their_token_go_through(app):
    client = app.test_client()
    # Not /user/register: self-registration is off (CKAN's default), a 403 either way.
    for url in ("/user/login", "/user/reset", "/accessibility/feedback"):
        form = FORMS[url]
        response = client.post(url, data={**form, "_csrf_token": _token(client, url)})
        assert response.status_code in (200, 302), url


@pytest.mark.usefixtures("clean_db")
def test_a_wrong_token_is_refused_too(app):
    client = app.test_client()
    client.get("/user/login")
    response = client.post("/user/login", data={**FORMS["/user/login"], "_csrf_token": "forged"})
    assert response.status_code == 400


@pytest.mark.usefixtures("clean_db")
def test_the_action_api_takes_no_cookie_so_needs_no_token(app):
    response = app.post("/api/3/action/package_search", json={"q": "arbres"})
    assert response.status_code == 200
    token = factories.SysadminWithToken()["token"]
    response = app.post(
        "/api/3/action/organization_create",
        json={"name": "ixelles", "title": "Ixelles"},
        headers={"Authorization": token},
    )
    assert response.status_code == 200


@pytest.mark.usefixtures("clean_db")
def test_a_logged_in_session_is_still_checked(app):
    user = factories.User(password="correct-horse-battery")
    client = app.test_client()
    client.post(
        "/user/login",
        data={
            "login": user["name"],
            "password": "correct-horse-battery",
            "_csrf_token": _token(client, "/user/login"),
        },
    )
    response = client.post("/dataset/new", data={"name": "x"}, headers=CROSS_SITE)
    assert response.status_code == 400
