"""The accessibility statement and its feedback form, through CKAN as a visitor uses them."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import factories

from ckanext.wepulse.model import AccessibilityFeedback

FORM = "/accessibility/feedback"


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def messages() -> list[AccessibilityFeedback]:
    model.Session.expire_all()
    return model.Session.query(AccessibilityFeedback).all()


def post_feedback(app, url: str = FORM, **fields):
    """Post the form as a browser does: with the CSRF token of the page it was served in."""
    client = app.test_client()  # one client, so the session cookie holding the token is sent
    form = page(client.get(url))
    token = form.select_one("form[novalidate] input[name=_csrf_token]")["value"]
    return client.post(url, data={"_csrf_token": token, **fields}, follow_redirects=False)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestStatement:
    @pytest.mark.ckan_config("ckanext.wepulse.accessibility.statement_date", "2027-03-15")
    @pytest.mark.ckan_config("ckanext.wepulse.accessibility.contact_email", "a11y@commune.example")
    def test_the_statement_in_french(self, app):
        html = page(app.get("/accessibility"))
        text = html.get_text(" ", strip=True)
        assert html.h1.get_text(strip=True) == "Déclaration d'accessibilité"
        assert "partiellement conforme" in text
        assert "WCAG) 2.1 de niveau AA" in text
        assert html.select_one("time[datetime='2027-03-15']").get_text() == "15 mars 2027"
        assert html.select_one("a[href='mailto:a11y@commune.example']")
        assert html.select_one(f"a[href='{FORM}']")
        assert html.select_one("a[href='https://www.ombuds.brussels/fr']")
        assert html.select_one("a[href='https://www.le-mediateur.be/']")

    def test_the_statement_in_dutch_with_the_default_settings(self, app):
        html = page(app.get("/nl/accessibility"))
        text = html.get_text(" ", strip=True)
        assert html.h1.get_text(strip=True) == "Toegankelijkheidsverklaring"
        assert "gedeeltelijk conform" in text
        assert html.select_one("time[datetime='2026-11-22']").get_text() == "22 november 2026"
        assert html.select_one("a[href='mailto:accessibilite@wepulse.example']")
        assert html.select_one(f"a[href='/nl{FORM}']")
        assert html.select_one("a[href='https://www.ombuds.brussels/nl']")

    def test_the_form_link_carries_the_page_the_visitor_came_from(self, app):
        came_from = "http://test.ckan.net/dataset/schaerbeek-arbres"
        html = page(app.get("/accessibility", headers={"Referer": came_from}))
        form = page(app.get(html.select_one("a[href^='/accessibility/feedback?page=']")["href"]))
        assert form.select_one("#field-page_url")["value"] == came_from


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestFeedbackForm:
    def test_every_field_has_a_visible_label(self, app):
        html = page(app.get(FORM))
        for field in html.select(
            "form[novalidate] textarea, form[novalidate] input:not([type=hidden])"
        ):
            assert html.select_one(f"label[for='{field['id']}']").get_text(strip=True)

    def test_the_page_field_is_filled_from_the_query(self, app):
        html = page(app.get(FORM + "?page=https://data.example.be/x"))
        assert html.select_one("#field-page_url")["value"] == "https://data.example.be/x"

    def test_a_message_is_stored_and_confirmed(self, app):
        response = post_feedback(
            app,
            "/nl" + FORM,
            problem="De tabel heeft geen kolomkoppen.\r\nIk gebruik NVDA.",
            page_url="https://data.example.be/dataset/bomen",
            email="an@example.be",
        )
        assert response.status_code == 302
        assert response.location.endswith("/nl/accessibility/feedback?sent=1")
        [message] = messages()
        assert message.problem == "De tabel heeft geen kolomkoppen.\nIk gebruik NVDA."
        assert message.page_url == "https://data.example.be/dataset/bomen"
        assert (message.email, message.language) == ("an@example.be", "nl")

        confirmation = page(app.get(response.location))
        # In Dutch, as the visitor wrote it.
        assert confirmation.title.get_text().startswith("Bericht verzonden:")
        assert "verzonden" in confirmation.select_one("[role=status]").get_text()
        assert not confirmation.select("form[novalidate]")

    def test_the_optional_fields_may_be_left_empty(self, app):
        response = post_feedback(
            app, problem="Le zoom à 400 % cache le menu.", page_url="", email=""
        )
        assert response.status_code == 302
        [message] = messages()
        assert (message.page_url, message.email, message.language) == (None, None, "fr")

    def test_an_empty_problem_comes_back_with_the_errors_and_what_was_typed(self, app):
        response = post_feedback(
            app, problem="  ", page_url="pas une adresse", email="an@example.be"
        )
        assert response.status_code == 200
        html = page(response)
        assert html.title.get_text().strip().startswith("Erreur")  # "Error:" in the page's French
        summary = html.select_one("#error-summary")
        assert summary["role"] == "alert"
        assert [a["href"] for a in summary.select("a")] == ["#field-problem", "#field-page_url"]
        for name in ("problem", "page_url"):
            field = html.select_one(f"#field-{name}")
            assert field["aria-invalid"] == "true"
            assert f"field-{name}-error" in field["aria-describedby"].split()
            assert html.select_one(f"#field-{name}-error").get_text(strip=True)
        email = html.select_one("#field-email")
        assert email["value"] == "an@example.be" and not email.has_attr("aria-invalid")
        assert html.select_one("#field-page_url")["value"] == "pas une adresse"
        assert messages() == []

    def test_an_oversized_message_is_refused(self, app):
        response = post_feedback(app, "/en" + FORM, problem="x" * 5001)
        assert response.status_code == 200
        error = page(response).select_one("#field-problem-error").get_text(" ", strip=True)
        assert re.search(r"5,000 characters or fewer; it has 5,001", error)
        assert messages() == []

    def test_a_post_without_the_csrf_token_is_refused(self, app):
        response = app.post(FORM, data={"problem": "Sans jeton."}, follow_redirects=False)
        assert response.status_code == 400
        assert messages() == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestFeedbackList:
    URL = "/ckan-admin/accessibility-feedback"

    def test_anonymous_visitors_and_users_may_not_read_the_messages(self, app):
        assert app.get(self.URL).status_code == 403
        user = factories.UserWithToken()
        assert app.get(self.URL, headers={"Authorization": user["token"]}).status_code == 403

    def test_a_sysadmin_reads_the_messages_newest_first(self, app):
        AccessibilityFeedback.save("Premier message.", "", "", "fr")
        AccessibilityFeedback.save(
            "Tweede bericht.", "https://data.example.be/x", "an@example.be", "nl"
        )
        sysadmin = factories.SysadminWithToken()
        html = page(app.get(self.URL, headers={"Authorization": sysadmin["token"]}))
        rows = html.select("table tbody tr")
        assert [row.select("td")[1].get_text(strip=True) for row in rows] == [
            "Tweede bericht.",
            "Premier message.",
        ]
        assert rows[0].select_one("a[href='mailto:an@example.be']")
