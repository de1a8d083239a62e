"""What already held, kept covered: one authority's editors cannot touch another's
datasets, and a private dataset is on no read path for those outside its authority."""

from __future__ import annotations

import copy

from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse.seeding import site_context

from ..conftest import TREES


def _api(app, action, user=None, **data):
    headers = {"Authorization": user["token"]} if user else {}
    return app.post(f"/api/3/action/{action}", json=data, headers=headers)


def test_an_editor_of_one_authority_cannot_change_another_authoritys_dataset(app, trees):
    ixelles_editor = factories.UserWithToken()
    factories.Organization(
        name="ixelles", users=[{"name": ixelles_editor["name"], "capacity": "editor"}]
    )
    for action, data in [
        ("package_update", {**trees, "notes": "changed"}),
        ("package_patch", {"id": trees["id"], "title": "changed"}),
        ("package_delete", {"id": trees["id"]}),
        ("resource_create", {"package_id": trees["id"], "url": "https://x.example/a.csv"}),
        ("resource_delete", {"id": trees["resources"][0]["id"]}),
        ("package_owner_org_update", {"id": trees["id"], "organization_id": "ixelles"}),
    ]:
        assert _api(app, action, ixelles_editor, **data).status_code == 403, action
    assert tk.get_action("package_show")(site_context(), {"id": trees["id"]})["state"] == "active"


def test_a_private_dataset_is_on_no_read_path_outside_its_authority(app, schaerbeek):
    secret = copy.deepcopy(TREES)
    secret.update(name="registre-confidentiel", private=True)
    secret["title_translated"] = {"fr": "Registre confidentiel"}
    created = tk.get_action("package_create")(site_context(), secret)
    outsider = factories.UserWithToken()
    for user in (None, outsider):
        assert _api(app, "package_show", user, id=created["id"]).status_code == 403
        assert _api(app, "resource_show", user, id=created["resources"][0]["id"]).status_code == 403
        found = _api(app, "package_search", user, q="confidentiel", include_private=True).json
        assert found["result"]["count"] == 0
        suggested = _api(app, "wepulse_suggest", user, q="regis").json["result"]
        assert "confidentiel" not in str(suggested).lower()
        headers = {"Authorization": user["token"]} if user else {}
        for url in [
            "/dataset/registre-confidentiel",
            "/dataset/registre-confidentiel.ttl",
            f"/dataset/{created['id']}/resource/{created['resources'][0]['id']}",
            "/dataset/activity/registre-confidentiel",
        ]:
            assert app.get(url, headers=headers).status_code in (403, 404), url
        for url in [
            "/dataset/?q=confidentiel",
            "/catalog.ttl",
            "/feeds/dataset.atom",
            "/organization/schaerbeek",
        ]:
            page = app.get(url, headers=headers)
            assert page.status_code == 200, url
            assert "registre-confidentiel" not in page.get_data(as_text=True), url
