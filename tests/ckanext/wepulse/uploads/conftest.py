"""What the tables' tests share: an empty job queue, the queued jobs run as a worker
would run them, and an authority's member."""

from __future__ import annotations

import pytest
from ckan.lib import jobs as ckan_jobs
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.wepulse.seeding import site_context


@pytest.fixture
def queue():
    ckan_jobs.get_queue().empty()
    yield
    ckan_jobs.get_queue().empty()


def run_queued_jobs() -> list[str]:
    """Run what the default queue holds, in this process, as a worker would; the
    titles of the jobs run."""
    queue = ckan_jobs.get_queue()
    titles = []
    while queue.jobs:
        job = queue.jobs[0]
        queue.remove(job)
        titles.append(job.meta.get("title") or job.description)
        job.perform()
    return titles


def member(organization: str, role: str = "editor") -> dict:
    user = factories.UserWithToken()
    tk.get_action("organization_member_create")(
        site_context(), {"id": organization, "username": user["name"], "role": role}
    )
    return user
