"""The harvest client the site's settings make: exact allowances, own services denied."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from ckan.exceptions import CkanConfigurationException
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.wepulse.harvest.plugins import WepulseDcatHarvester
from ckanext.wepulse.harvest.sources import make_http, own_services


def test_own_services_are_read_from_ckans_settings():
    services = own_services()

    for key in ("solr_url", "ckan.redis.url", "sqlalchemy.url", "ckan.datastore.read_url"):
        url = urlsplit(tk.config[key])
        assert f"{url.hostname}:{url.port}" in services, key
    assert "test.ckan.net:80" in services  # ckan.site_url, at its scheme's port
    assert make_http().denied >= {
        ("test.ckan.net", 80),
        ("127.0.0.1", urlsplit(tk.config["solr_url"]).port),
    }


@pytest.mark.parametrize("value", ["127.0.0.0/8", "127.0.0.1", "localhost", "0.0.0.0/0"])
def test_a_range_or_a_host_without_port_in_allow_private_stops_the_start(value):
    with helpers.changed_config("ckanext.wepulse.harvest.allow_private", value):
        with pytest.raises(
            CkanConfigurationException,
            match=r"ckanext.wepulse.harvest.allow_private: .* is not an exact host:port",
        ):
            WepulseDcatHarvester().configure(tk.config)  # what CKAN calls at start


def test_exact_entries_start():
    with helpers.changed_config(
        "ckanext.wepulse.harvest.allow_private", ["127.0.0.1:8770", "[::1]:8770", "fixtures:80"]
    ):
        WepulseDcatHarvester().configure(tk.config)
        assert make_http().allowed == {("127.0.0.1", 8770), ("::1", 8770), ("fixtures", 80)}
