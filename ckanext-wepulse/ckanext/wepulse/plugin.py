from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultTranslation

from ckanext.wepulse.accessibility import views as accessibility_views
from ckanext.wepulse.harvest.batches import VALIDATION_BATCH
from ckanext.wepulse.jobs import refresh_authority_datasets, validate_dataset


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
class WepulsePlugin(p.SingletonPlugin, DefaultTranslation):
    """The WePulse portal: Belgian authorities' open data on CKAN."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)  # i18n/: our strings in fr, nl and de
    p.implements(p.IBlueprint)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")  # the map's data (public/wepulse/map/)
        tk.add_resource("assets", "ckanext-wepulse")

    # IBlueprint
    def get_blueprint(self):
        return [accessibility_views.bp]

    # IPackageController: every change is validated again, off the request.
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        self._queue_validation(context, pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        self._queue_validation(context, pkg_dict)

    # IOrganizationController: an authority's datasets name it in their DCAT-AP.
    # (IPackageController calls edit() too, with datasets: hence the check.)
    def edit(self, entity: Any) -> None:
        if isinstance(entity, model.Group) and entity.is_organization:
            tk.enqueue_job(
                refresh_authority_datasets, [entity.id], title=f"Refresh datasets of {entity.name}"
            )

    @staticmethod
    def _queue_validation(context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("type", "dataset") != "dataset" or not pkg_dict.get("id"):
            return
        batch = context.get(VALIDATION_BATCH)
        if batch is not None:  # a harvest queues one job for its whole batch
            batch.append(pkg_dict["id"])
        else:
            tk.enqueue_job(validate_dataset, [pkg_dict["id"]], title=f"Validate {pkg_dict['id']}")
