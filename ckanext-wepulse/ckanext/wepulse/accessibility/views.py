"""The accessibility statement, its feedback form and the sysadmins' list of messages."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from flask import Blueprint
from flask_babel import format_date, format_number

from ckanext.wepulse.model import AccessibilityFeedback
from ckanext.wepulse.security import links

bp = Blueprint("wepulse_accessibility", __name__)

MAX_PROBLEM = 5000  # characters: a long report still fits, a pasted document does not
MAX_PAGE_URL = 2000
STATEMENT_LANGUAGES = ("fr", "nl", "de", "en")
FEEDBACK_PER_PAGE = 50


@bp.route("/accessibility")
def statement() -> str:
    lang = tk.h.lang()
    date = datetime.date.fromisoformat(
        tk.config.get("ckanext.wepulse.accessibility.statement_date")
    )
    return tk.render(
        "accessibility/statement.html",
        {
            "statement_template": "accessibility/statement/{}.html".format(
                lang if lang in STATEMENT_LANGUAGES else "en"
            ),
            "statement_date": date,
            "statement_date_text": format_date(date, format="long"),
            "contact_email": tk.config.get("ckanext.wepulse.accessibility.contact_email"),
            "feedback_url": tk.h.url_for(".feedback", page=_previous_page() or None),
        },
    )


@bp.route("/accessibility/feedback", methods=["GET", "POST"])
def feedback() -> Any:
    if tk.request.method == "POST":
        form = {
            "problem": tk.request.form.get("problem", "").replace("\r\n", "\n").strip(),
            "page_url": tk.request.form.get("page_url", "").strip(),
            "email": tk.request.form.get("email", "").strip(),
        }
        errors = _errors(form)
        if not errors:
            AccessibilityFeedback.save(language=tk.h.lang(), **form)
            # Redirect after the post, so that reloading the page does not send it twice.
            return tk.redirect_to(".feedback", sent=1)
    else:
        page_url = tk.request.args.get("page") or _previous_page()
        form, errors = {"problem": "", "page_url": page_url, "email": ""}, {}
    return tk.render(
        "accessibility/feedback.html",
        {
            "form": form,
            "errors": errors,
            "sent": tk.request.method == "GET" and bool(tk.request.args.get("sent")),
            "max_problem": format_number(MAX_PROBLEM),
        },
    )


@bp.route("/ckan-admin/accessibility-feedback")
def feedback_list() -> str:
    try:
        tk.check_access("sysadmin", {"user": tk.current_user.name})
    except tk.NotAuthorized:
        tk.abort(403, tk._("Need to be system administrator to administer"))
    query = AccessibilityFeedback.newest_first()
    page = Page(
        collection=query,
        page=tk.h.get_page_number(tk.request.args),
        item_count=query.count(),
        items_per_page=FEEDBACK_PER_PAGE,
        url=lambda page: tk.h.url_for(".feedback_list", page=page),
    )
    return tk.render("accessibility/feedback_list.html", {"page": page})


def _errors(form: dict[str, str]) -> dict[str, str]:
    """One message per faulty field, in the form's order (the error summary's order)."""
    _ = tk._
    errors = {}
    if not form["problem"]:
        errors["problem"] = _("Describe the accessibility problem")
    elif len(form["problem"]) > MAX_PROBLEM:
        errors["problem"] = _(
            "The description must be {max} characters or fewer; it has {count}"
        ).format(max=format_number(MAX_PROBLEM), count=format_number(len(form["problem"])))
    if form["page_url"] and (
        len(form["page_url"]) > MAX_PAGE_URL or not links.web_url(form["page_url"])
    ):
        errors["page_url"] = _("Enter the page's full web address, starting with https://")
    if form["email"] and not links.email_address(form["email"]):
        errors["email"] = _("Enter an e-mail address like name@example.be, or leave it empty")
    return errors


def _previous_page() -> str:
    """The portal page the visitor came from, unless it is one of these pages."""
    referrer = tk.request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc != tk.request.host or "/accessibility" in parts.path:
        return ""
    return referrer
