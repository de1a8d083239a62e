"""security.links: the one decision whether a stored value becomes a link.

Each class of hostile value is tried in several spellings browsers accept."""

from __future__ import annotations

import pytest

from ckanext.wepulse.security import links

# Spellings of an active scheme that browsers run or read (they drop leading
# controls and spaces, and tabs and newlines anywhere, and ignore case).
ACTIVE = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "jav\r\nascript:alert(1)",
    "\u0000javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "blob:https://example.org/uuid",
    "filesystem:https://example.org/temporary/x",
]
NOT_WEB = [
    "",
    "   ",
    "//evil.example/x",  # protocol-relative: a link to anywhere, not what the field says
    "/relative/path",
    "ftp://files.example.be/a.csv",
    "gopher://127.0.0.1:6379/_INFO",
    "http://",
    "https:///no-host",
    'https://example.be/" onmouseover="alert(1)',
    "https://example.be/<script>",
    "https://example.be:port/",
    "https://exa mple.be/",
    5,
    None,
    ["https://example.be/"],
]
WEB = {
    "https://data.example.be/arbres.csv": "https://data.example.be/arbres.csv",
    "HTTPS://data.example.be/a?b=c#d": "https://data.example.be/a?b=c#d",
    "  http://data.example.be/x\n": "http://data.example.be/x",
    "https://data.gent.be/été.csv": "https://data.gent.be/été.csv",
    "https://[2001:db8::1]:8443/x": "https://[2001:db8::1]:8443/x",
    "https://example.be/a%20b.xlsx": "https://example.be/a%20b.xlsx",
}
NOT_EMAIL = [
    "a@b.invalid tabindex=0 autofocus onfocus=alert(document.domain)",
    'a@b.example" onmouseover="alert(1)',
    "a@b.example><script>alert(1)</script>",
    "a@b.example?body=<script>",
    "plainaddress",
    "@example.be",
    "a@",
    "a@b@example.be",
    "a@example.be\nBcc: victim@example.be",
    "a" * 400 + "@example.be",
    "",
    5,
]
EMAIL = {
    "info@commune.be": "info@commune.be",
    " Info@Commune.BE ": "info@commune.be",
    "jean.dupont+open@ixelles.brussels": "jean.dupont+open@ixelles.brussels",
    "élise@bruxelles.be": "élise@bruxelles.be",
}


@pytest.mark.parametrize("value", ACTIVE + NOT_WEB)
def test_no_link_for_what_is_not_http_https_or_a_valid_mailto(value):
    assert links.link_target(value) is None
    assert links.web_url(value) is None


@pytest.mark.parametrize(("value", "expected"), WEB.items())
def test_web_addresses_link_to_their_cleaned_form(value, expected):
    assert links.web_url(value) == expected
    assert links.link_target(value) == expected


@pytest.mark.parametrize("value", NOT_EMAIL)
def test_what_is_not_one_e_mail_address_is_refused(value):
    assert links.email_address(value) is None
    if isinstance(value, str):
        assert links.link_target(f"mailto:{value}") is None


@pytest.mark.parametrize(("value", "expected"), EMAIL.items())
def test_e_mail_addresses_are_normalised_and_become_mailto_links(value, expected):
    assert links.email_address(value) == expected
    assert links.link_target(f"MAILTO:{value.strip()}") == f"mailto:{expected}"


@pytest.mark.parametrize(
    "value", ACTIVE + ["", " http://x.be", "http://x.be/a b", "urn:", "nope", 5]
)
def test_iris_of_active_schemes_or_with_spaces_are_refused(value):
    assert links.iri(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "http://vocab.belgif.be/auth/refnis2019/21004",
        "https://www.wikidata.org/wiki/Q239",
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "http://publications.europa.eu/resource/authority/country/BEL",
    ],
)
def test_passive_iris_are_kept_as_given(value):
    assert links.iri(value) == value
