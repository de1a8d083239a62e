"""The ``wepulse_security`` plugin: the defences of ``security/`` wired into CKAN."""

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from markupsafe import Markup, escape

from . import csrf, headers, limits, links


class SecurityPlugin(p.SingletonPlugin):
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ITemplateHelpers)

    # IMiddleware

    def make_middleware(self, app, config):
        # Flask hooks, not WSGI wrappers: they see CKAN's blueprint and user.
        limits.install(app)
        app.before_request(csrf.protect_anonymous_forms)
        app.after_request(headers.secure_response)
        return app

    # ITemplateHelpers

    def get_helpers(self):
        return {"wepulse_link_target": links.link_target, "mail_to": mail_to}


@tk.chained_helper
def mail_to(next_helper, email_address: str, name: str) -> Markup:
    """CKAN's ``h.mail_to`` writes ``href=mailto:...`` unquoted, and for any value:
    a link only to a valid address, quoted; otherwise the name as text."""
    target = links.link_target(f"mailto:{email_address}")
    if target is None:
        return escape(name or email_address)
    return Markup('<a href="{0}">{1}</a>').format(target, name)
