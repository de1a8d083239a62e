"""Request sizes and parameters are bounded before any work (security/limits.py):
413 for a body too large, 400 for a parameter too long or too many of them."""

from __future__ import annotations

import io
import json
import time

import pytest

SEARCH = "/api/3/action/package_search"
KB = 1024


@pytest.mark.ckan_config("ckanext.wepulse.limits.max_body_size", 10 * KB)
@pytest.mark.ckan_config("ckan.max_resource_size", 1)
@pytest.mark.ckan_config("ckan.max_image_size", 1)
def test_a_body_too_large_is_refused_with_413_before_it_is_read(app):
    body = json.dumps({"q": "budget", "padding": "x" * 20 * KB})
    refused = app.post(SEARCH, data=body, content_type="application/json")
    assert refused.status_code == 413
    assert "Mo" in refused.json["error"]["message"]  # in the portal's language
    # Below the limit, the same request is served.
    assert app.post(SEARCH, data=json.dumps({"q": "budget"}), content_type="application/json").json[
        "success"
    ]
    # Sent in chunks, without a Content-Length: refused as it is read.
    chunked = app.post(
        SEARCH,
        input_stream=io.BytesIO(body.encode()),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413
    # A form is held to the same limit.
    form = app.post(SEARCH, data={"q": "budget", "padding": "x" * 20 * KB})
    assert form.status_code == 413
    # An upload may be as large as CKAN's upload limit (1 MB here), not more.
    upload = {"package_id": "none", "upload": (io.BytesIO(b"a,b\n" * (100 * KB)), "data.csv")}
    assert app.post("/api/3/action/resource_create", data=upload).status_code != 413
    upload = {"package_id": "none", "upload": (io.BytesIO(b"a,b\n" * (300 * KB)), "data.csv")}
    assert app.post("/api/3/action/resource_create", data=upload).status_code == 413


def test_a_long_search_is_refused_with_400_before_solr_is_asked(app):
    for url, name in (
        (SEARCH + "?q=" + "a" * 1_000_000, "q"),
        (SEARCH + "?fq=" + "a" * 1001, "fq"),
        (SEARCH + "?sort=" + "a" * 1001, "sort"),
    ):
        started = time.monotonic()
        refused = app.get(url)
        assert refused.status_code == 400, url[:80]
        assert "1000" in refused.json["error"][name][0]
        assert time.monotonic() - started < 2  # a 1 MB q held a web thread 6-10 s
    # However it is sent: a read action's parameters are bounded as in a URL.
    posted = app.post(SEARCH, data=json.dumps({"q": "a " * 600}), content_type="application/json")
    assert posted.status_code == 400 and "q" in posted.json["error"]
    # The search page says so in a line, without linking the whole request back.
    page = app.get("/dataset/?q=" + "a" * 100_000)
    assert page.status_code == 400
    assert "q" in page.get_data(as_text=True) and len(page.get_data()) < 1000
    # At the limit, the search is served.
    assert app.get(SEARCH + "?q=" + "a" * 1000).json["success"]


def test_too_many_parameters_are_refused_with_400(app):
    assert app.get(SEARCH + "?" + "&".join(["fq=a"] * 101)).status_code == 400
    assert app.get("/dataset/?" + "&".join(["tags=a"] * 10_000)).status_code == 400
    assert app.get("/dataset/?" + "&".join(["tags=a"] * 100)).status_code == 200


def test_json_nested_too_deeply_is_refused_before_it_is_parsed(app):
    def nested(depth: int) -> str:
        return '{"q": "x", "facet.field": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    refused = app.post(SEARCH, data=nested(21), content_type="application/json")
    assert refused.status_code == 400
    assert "20" in refused.json["error"]["message"]
    # Brackets inside strings do not count.
    text = json.dumps({"q": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})
    assert app.post(SEARCH, data=text, content_type="application/json").status_code == 200
    # Within the limit, the action answers for itself (here: not a list of fields).
    within = app.post(SEARCH, data=nested(20), content_type="application/json")
    assert within.status_code == 409 and "facet.field" in within.json["error"]
