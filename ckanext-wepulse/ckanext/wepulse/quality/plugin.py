from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.wepulse.quality import actions, auth, helpers, views
from ckanext.wepulse.quality.model import DatasetQuality


class QualityPlugin(p.SingletonPlugin):
    """Transparency: metadata quality (MQA), freshness, link health, per authority."""

    p.implements(p.IConfigurer)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)

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

    # IPackageController: the facets quality band and updated on time.
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        row = DatasetQuality.get(pkg_dict["id"])
        if row is not None:
            pkg_dict["quality_band"] = row.band
            if row.freshness in ("on_time", "late"):
                pkg_dict["updated_on_time"] = "yes" if row.freshness == "on_time" else "no"
        return pkg_dict
