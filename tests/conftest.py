"""Fixtures shared by the whole suite.

Tests run against the real services `scripts/portal test` starts: PostgreSQL
(database wepulse_test), Solr (core ckan_test) and Redis (database 1), as set
in var/test.ini. CKAN's pytest plugin provides app, clean_db, clean_index,
with_plugins and the factories.
"""

from __future__ import annotations

import pytest
from ckan.tests import factories

# Enabled plugins that bring database migrations of their own.
PLUGINS_WITH_TABLES = ("activity", "harvest", "wepulse")


@pytest.fixture
def clean_db(reset_db, migrate_db_for, with_plugins):
    """CKAN's clean_db, plus the tables of our enabled plugins.

    CKAN's own reset creates only core tables; the portal always runs with
    activity and harvest, so tests do too.
    """
    reset_db()
    for plugin in PLUGINS_WITH_TABLES:
        migrate_db_for(plugin)


@pytest.fixture
def sysadmin_token(clean_db) -> str:
    """An API token of a fresh sysadmin, for POSTing to the Action API."""
    sysadmin = factories.SysadminWithToken()
    return sysadmin["token"]
