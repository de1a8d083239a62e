from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.wepulse.uploads import actions, auth, helpers, jobs, views


class UploadsPlugin(p.SingletonPlugin):
    """Municipal publishers' tables: read, checked and loaded typed into the DataStore."""

    p.implements(p.IConfigurer)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IResourceController, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    def get_actions(self):
        return {name: getattr(actions, name) for name in actions.__all__}

    def get_auth_functions(self):
        return {name: getattr(auth, name) for name in auth.__all__}

    def get_blueprint(self):
        return [views.bp]

    def get_helpers(self):
        return {name: getattr(helpers, name) for name in helpers.__all__}

    # IResourceController: a table an editor adds or changes is read in the background.
    # (A harvest writes datasets whole, never through these: see harvest/sync.py.)
    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        if jobs.is_table(resource):
            jobs.queue_check(resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        if jobs.is_table(resource) and jobs.file_changed(resource):
            jobs.queue_check(resource)
