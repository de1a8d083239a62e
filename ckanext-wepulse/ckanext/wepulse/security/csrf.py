"""CKAN's CSRF check, also for anonymous form posts.

CKAN 2.11 exempts every request that is not logged in through a session cookie
(``login_via_auth_header`` is set for anonymous requests too), so login, register,
password reset and feedback forms accept cross-site posts: login CSRF logs a victim
into the attacker's account. We check the token of every unsafe anonymous request
to a page; the Action API stays exempt (it takes no cookie, so a cross-site post
carries no one's authority).
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import current_app, request

__all__ = ["protect_anonymous_forms"]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def protect_anonymous_forms() -> None:
    if request.method not in UNSAFE_METHODS or request.blueprint == "api":
        return
    if tk.current_user.is_authenticated:
        return  # CKAN's own check covers sessions
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    # Raises CSRFError: a 400 with CKAN's error page.
    current_app.extensions["csrf"].protect()
