"""The frame every page shares: skip link, landmarks, language links, footer.

Each test looks at several pages in a loop rather than being parametrized: the
clean database each test gets costs far more than rendering a page.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

LANGUAGES = {"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}
# A <header> or <footer> inside these is a section's, not the page's banner or contentinfo.
SECTIONING = ["article", "aside", "main", "nav", "section"]
LANDMARKS = [("header", "banner"), ("main", "main"), ("footer", "contentinfo")]
# Pages whose content is CKAN's own, in our frame (the others' pages have tests of their own).
FRAMED_PAGES = [
    "/fr/user/login",
    "/nl/user/register",
    "/fr/dataset/no-such-dataset",
    "/de/about",
]


def page(app, url: str) -> BeautifulSoup:
    return BeautifulSoup(app.get(url).get_data(as_text=True), "html.parser")


def landmarks(html: BeautifulSoup, element: str, role: str) -> list[Tag]:
    """The page's landmarks of this role: by their element, or by an explicit role."""
    implicit = [
        tag
        for tag in html.find_all(element)
        if not tag.find_parent(SECTIONING) and not tag.has_attr("role")
    ]
    return implicit + html.find_all(attrs={"role": role})


def accessible_name(html: BeautifulSoup, tag: Tag) -> str:
    if tag.get("aria-labelledby"):
        labels = (html.find(id=i) for i in tag["aria-labelledby"].split())
        return " ".join(label.get_text(" ", strip=True) for label in labels if label)
    return tag.get("aria-label", "").strip()


def language_links(html: BeautifulSoup) -> list[Tag]:
    return html.select("header nav a[hreflang]")


def site_footer(html: BeautifulSoup) -> Tag:
    (footer,) = landmarks(html, "footer", "contentinfo")
    return footer


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestFrame:
    def test_the_skip_link_is_the_first_control_and_targets_main(self, app):
        for url in FRAMED_PAGES:
            html = page(app, url)
            first = html.body.find(["a", "button", "input", "select", "textarea"])
            assert (first.name, first.get("href")) == ("a", "#content"), url
            (target,) = html.find_all(id="content")
            assert (target.name, target.get("tabindex")) == ("main", "-1"), url

    def test_one_banner_one_main_one_contentinfo(self, app):
        for url in FRAMED_PAGES:
            html = page(app, url)
            counts = [len(landmarks(html, *kind)) for kind in LANDMARKS]
            assert counts == [1, 1, 1], url

    @pytest.mark.usefixtures("trees")
    def test_every_navigation_region_has_a_name_of_its_own(self, app):
        for url in ["/fr/dataset/", "/nl/dataset/schaerbeek-arbres", "/fr/user/login"]:
            html = page(app, url)
            navigations = html.find_all("nav") + html.find_all(attrs={"role": "navigation"})
            names = [accessible_name(html, nav) for nav in navigations]
            assert len(names) >= 4, (url, names)  # language, main menu, breadcrumb, footer...
            assert all(names) and len(set(names)) == len(names), (url, names)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestLanguages:
    def test_a_link_per_language_to_this_page_named_in_its_language(self, app):
        links = language_links(page(app, "/fr/dataset/"))
        assert [(a["href"], a.get_text(strip=True)) for a in links] == [
            (f"/{lang}/dataset/", name) for lang, name in LANGUAGES.items()
        ]
        assert [(a["lang"], a["hreflang"]) for a in links] == [(lang, lang) for lang in LANGUAGES]
        assert [a["hreflang"] for a in links if a.has_attr("aria-current")] == ["fr"]
        assert links[0]["aria-current"] == "true"

    def test_the_current_language_is_the_one_marked(self, app):
        links = language_links(page(app, "/nl/dataset/"))
        assert [a["hreflang"] for a in links if a.has_attr("aria-current")] == ["nl"]

    def test_the_links_keep_the_search(self, app):
        links = language_links(page(app, "/fr/dataset/?q=arbres"))
        assert [a["href"] for a in links] == [f"/{lang}/dataset/?q=arbres" for lang in LANGUAGES]

    def test_the_page_says_its_language(self, app):
        for lang in LANGUAGES:
            assert page(app, f"/{lang}/").html["lang"] == lang


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestFooter:
    def test_the_accessibility_statement_is_linked_from_every_page(self, app):
        for lang in ("fr", "nl"):
            for url in (f"/{lang}/", f"/{lang}/dataset/", f"/{lang}/user/login"):
                link = site_footer(page(app, url)).find("a", href=f"/{lang}/accessibility")
                assert link, url

    def test_the_api_and_no_language_select(self, app):
        footer = site_footer(page(app, "/fr/dataset/"))
        assert footer.find("a", href=lambda href: href and "/api/" in href)
        assert footer.find("select") is None  # a select that navigates on arrow keys
