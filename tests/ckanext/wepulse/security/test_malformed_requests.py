"""No 500 for bad input: malformed requests of every kind answer 4xx, naming the
field, in the request's language (security/limits.py, logic/validators.py)."""

# ruff: noqa: E501 (a table of cases, one a line)
from __future__ import annotations

import json

import pytest
from ckan.tests import factories

API = "/api/3/action/"
DATASET = {"name": "malformed", "title": "Budget", "notes": "Budget communal."}
DEEP = "[" * 1000 + "]" * 1000


def create(**fields) -> str:
    return json.dumps({**DATASET, **fields})


def raw(text: str, **fields) -> str:
    """A dataset's JSON with ``text`` (JSON source, e.g. an escape) added at its end."""
    return create(**fields)[:-1] + ", " + text + "}"


# (what is tried, action or path, JSON body or None for a GET, the field the answer names)
CASES = [
    # Sizes the database and Solr cannot hold (Solr's "immense term", PostgreSQL's index row).
    ("huge title", "package_create", create(title="t" * 200_000), "title"),
    ("huge translated title", "package_create", create(title_translated={"fr": "t" * 200_000}), "title_translated"),
    ("huge notes", "package_create", create(notes="n" * 200_000), "notes"),
    ("huge Dutch notes", "package_create", create(notes_translated={"nl": "n" * 200_000}), "notes_translated"),
    ("notes too big to index in all", "package_create", create(notes_translated={lang: "é" * 7000 for lang in ("fr", "nl", "de", "en")}), "notes_translated"),
    ("10,000 keywords", "package_create", create(tags_translated={"fr": [f"k{i}" for i in range(10_000)]}), "tags_translated"),
    ("huge keyword", "package_create", create(tags_translated={"fr": ["k" * 40_000]}), "tags_translated"),
    ("huge version", "package_create", create(version="1" * 100_000), "version"),
    ("huge identifier", "package_create", create(identifier="i" * 100_000), "identifier"),
    ("huge provenance", "package_create", create(provenance="p" * 100_000), "provenance"),
    ("huge contact name", "package_create", create(contact=[{"name": "c" * 100_000}]), "contact"),
    ("huge geometry", "package_create", create(spatial_coverage=[{"geom": "g" * 100_000}]), "spatial_coverage"),
    ("huge resource name", "package_create", create(resources=[{"url": "https://a.example/f.csv", "name_translated": {"fr": "r" * 100_000}}]), "resources"),
    ("huge resource description", "package_create", create(resources=[{"url": "https://a.example/f.csv", "description_translated": {"fr": "d" * 100_000}}]), "resources"),
    ("1,001 resources", "package_create", create(resources=[{"url": "https://a.example/f.csv"}] * 1001), "resources"),
    # Deep JSON, lone surrogates.
    ("JSON nested 1,000 deep", "package_create", raw(f'"extras": {DEEP}'), None),
    ("JSON nested deep in a search", "package_search", '{"q": ' + DEEP + "}", None),
    ("lone surrogate in a value", "package_create", raw('"version": "\\ud800"'), "version"),
    ("lone low surrogate inside text", "package_create", raw('"identifier": "a\\udfffb"'), "identifier"),
    ("lone surrogate in a key", "package_create", raw('"\\ud800": "x"'), None),
    ("lone surrogate in a resource", "package_create", raw('"resources": [{"url": "https://a.example/\\ud800"}]'), "resources.0.url"),
    ("lone surrogate in a search", "package_search", '{"q": "\\udc00"}', "q"),
    # Wrong types, at the top and inside.
    ("resource url a number", "package_create", create(resources=[{"url": 5}]), "resources"),
    ("resource name a dict", "package_create", create(resources=[{"url": "https://a.example/f", "name": {"a": [1]}}]), "resources"),
    ("resource size a list", "package_create", create(resources=[{"url": "https://a.example/f", "size": [1]}]), "resources"),
    ("resources a string", "package_create", create(resources="abc"), None),
    ("owner_org a dict", "package_create", create(owner_org={}), "owner_org"),
    ("owner_org a list", "package_create", create(owner_org=["a", "b"]), "owner_org"),
    ("private a dict", "package_create", create(private={}), "private"),
    ("name a dict", "package_create", create(name={"a": 1}), "name"),
    ("title a list", "package_create", create(title=["a"]), "title"),
    ("notes a dict", "package_create", create(notes={"a": 1}), "notes"),
    ("version a dict", "package_create", create(version={}), "version"),
    ("url a list", "package_create", create(url=["https://a.example"]), "url"),
    ("license_id a dict", "package_create", create(license_id={}), "license_id"),
    ("translated title a list", "package_create", create(title_translated=["x"]), "title_translated"),
    ("keywords a number", "package_create", create(tags_translated={"fr": 5}), "tags_translated"),
    ("contact a string", "package_create", create(contact="x"), None),
    ("contact name a list", "package_create", create(contact=[{"name": ["x"]}]), "contact"),
    ("extras a string", "package_create", create(extras="x"), None),
    ("extra key a dict", "package_create", create(extras=[{"key": {}, "value": []}]), "extras"),
    ("tags a string", "package_create", create(tags="abc"), None),
    ("theme a dict", "package_create", create(theme={"a": 1}), "theme"),
    ("issued a list", "package_create", create(issued=[1]), "issued"),
    # Ids that are not one text.
    ("package_show id a list", "package_show", '{"id": ["a"]}', "id"),
    ("package_show id a dict", "package_show", '{"id": {"a": 1}}', "id"),
    ("package_show id a number", "package_show", '{"id": 5}', "id"),
    ("package_show id repeated", "package_show?id=a&id=b", None, "id"),
    ("organization_show id a list", "organization_show", '{"id": ["a"]}', "id"),
    ("resource_show id a list", "resource_show", '{"id": ["a"]}', "id"),
    ("package_update id a list", "package_update", '{"id": ["a"], "title": "x"}', "id"),
    ("package_delete id a dict", "package_delete", '{"id": {}}', "id"),
    ("resource_create package_id a list", "resource_create", '{"package_id": ["a"], "url": "https://a.example"}', "package_id"),
    ("harvest_source_show id a list", "harvest_source_show", '{"id": ["a"]}', "id"),
    ("datastore_search resource_id a list", "datastore_search", '{"resource_id": ["a"]}', "resource_id"),
    # Not JSON, not an object.
    ("bad JSON syntax", "package_create", '{"name": ', None),
    ("JSON not an object", "package_create", "[1, 2]", None),
    # Searches.
    ("huge q", "package_search?q=" + "a" * 1_000_000, None, "q"),
    ("huge q posted", "package_search", json.dumps({"q": "a " * 500_000}), "q"),
    ("huge fq", "package_search?fq=" + "a" * 5000, None, "fq"),
    ("huge rows", "package_search?rows=" + "9" * 5000, None, "rows"),
    ("negative rows", "package_search?rows=-1", None, "rows"),
    ("negative start", "package_search?start=-5", None, "start"),
    ("absurd start", "package_search?start=100000000000000000000", None, None),
    ("facet.field local params", 'package_search?facet.field=["{!ex=x}name"]', None, None),
    ("facet.field not a list", 'package_search?facet.field={"a":1}', None, "facet.field"),
    ("facet.limit not a number", "package_search?facet.limit=abc", None, "facet.limit"),
    ("sort with a function", "package_search?sort=name asc,{!func}sum(1,1) desc", None, None),
    ("sort nonsense", "package_search?sort=;;;", None, None),
    ("fq local params", "package_search?fq={!join from=id to=id}*:*", None, None),
    ("q local params", "package_search?q={!lucene df=x}a", None, None),
    ("q repeated 10,000 times", "package_search?" + "&".join(["q=a"] * 10_000), None, None),
    ("fq repeated 10,000 times", "package_search?" + "&".join(["fq=a"] * 10_000), None, None),
    ("autocomplete huge", "/api/2/util/dataset/autocomplete?incomplete=" + "a" * 100_000, None, "incomplete"),
    # Pages.
    ("search page huge q", "/dataset/?q=" + "a" * 1_000_000, None, None),
    ("search page params repeated", "/dataset/?" + "&".join(["tags=a"] * 10_000), None, None),
    ("search page negative page", "/dataset/?page=-1", None, None),
]  # fmt: skip


def _error(response) -> dict:
    body = response.get_data(as_text=True)
    try:
        answer = json.loads(body)
    except ValueError:
        return {"message": body}
    return answer.get("error", {"message": answer}) if isinstance(answer, dict) else {}


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_every_malformed_request_is_refused_with_a_4xx_naming_the_field(app):
    sysadmin = factories.SysadminWithToken()
    organization = factories.Organization()
    headers = {"Authorization": sysadmin["token"]}
    answers = []
    for what, target, body, field in CASES:
        url = target if target.startswith("/") else API + target
        if body is None:
            response = app.get(url, headers=headers)
        else:
            body = body.replace(
                '"malformed"', f'"malformed", "owner_org": "{organization["id"]}"', 1
            )
            response = app.post(url, data=body, content_type="application/json", headers=headers)
        error = _error(response)
        answers.append((what, response.status_code, error))
        assert 400 <= response.status_code < 500, (what, response.status_code, str(error)[:500])
        if field:  # by its name, or its path inside the dataset
            assert field in error or field.split(".")[0] in error, (what, str(error)[:500])
        # An answer quotes a value briefly, never the 100 kB or 1 MB sent.
        assert len(response.get_data()) < 20_000, (what, len(response.get_data()))
    assert len(answers) >= 40


def test_the_refusals_are_in_the_requests_language(app):
    """French by default (the portal's language), Dutch under /nl/, from the
    request hook and from the schema's validators alike."""
    sysadmin = factories.SysadminWithToken()
    headers = {"Authorization": sysadmin["token"]}
    search = app.get(API + "package_search?q=" + "a" * 2000)
    assert "trop long" in _error(search)["q"][0]
    search = app.get("/nl" + API + "package_search?q=" + "a" * 2000)
    assert "te lang" in _error(search)["q"][0]
    body = create(version={})
    created = app.post(
        API + "package_create", data=body, content_type="application/json", headers=headers
    )
    assert "Texte attendu" in _error(created)["version"][0]
    created = app.post(
        "/nl" + API + "package_create", data=body, content_type="application/json", headers=headers
    )
    assert "Tekst verwacht" in _error(created)["version"][0]
