"""The home page, the dataset search page and an authority's page, as a visitor gets them:
what each offers, in the page's language, and what assistive technology needs from it
(labels, names of links, a status region). Axe checks the rest in tests/browser.
"""

from __future__ import annotations

import copy

import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk

from ckanext.wepulse.seeding import site_context

from .conftest import TREES


def html(app, url: str) -> BeautifulSoup:
    response = app.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.body, "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def link_to(page: BeautifulSoup, href: str):
    found = page.find("a", href=href)
    assert found is not None, f"no link to {href}"
    return found


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestHomePage:
    def test_a_labelled_search_box_comes_first(self, app, trees):
        main = html(app, "/en/").find("main")
        form = main.find("form")
        assert form["action"] == "/en/dataset/"
        field = form.find("input", attrs={"name": "q"})
        assert text(form.find("label", attrs={"for": field["id"]})) == "Search datasets"
        assert "Search" in text(form.find("button", type="submit"))
        # Before the entries by theme, by authority and the recent datasets.
        assert main.find(["form", "h2", "a"]) is form

    def test_themes_that_have_datasets_with_counts_in_the_page_language(self, app, trees):
        themes = html(app, "/nl/").find("section", attrs={"aria-labelledby": "home-themes"})
        environment = link_to(themes, "/nl/dataset/?theme=ENVI")
        assert text(environment.find(class_="wepulse-home-theme-label")) == "Milieu"
        assert "1" in text(environment.find(class_="wepulse-home-theme-count"))
        assert themes.find("a", href="/nl/dataset/?theme=ECON") is None  # no dataset: no entry

    def test_recently_updated_datasets_are_titled_in_the_page_language(self, app, trees):
        recent = html(app, "/de/").find("section", attrs={"aria-labelledby": "home-recent"})
        assert text(link_to(recent, "/de/dataset/schaerbeek-arbres")) == "Straßenbäume"

    def test_a_title_in_another_language_says_which(self, app, schaerbeek):
        data = copy.deepcopy(TREES)
        data["title_translated"] = {"fr": "Arbres d'alignement"}
        tk.get_action("package_create")(site_context(), data)
        recent = html(app, "/nl/").find("section", attrs={"aria-labelledby": "home-recent"})
        assert link_to(recent, "/nl/dataset/schaerbeek-arbres")["lang"] == "fr"

    def test_authorities_that_publish_by_region_and_type(self, app, trees):
        tk.get_action("organization_create")(
            site_context(), {"name": "ixelles", "title": "Ixelles", "region": "brussels"}
        )
        authorities = html(app, "/nl/").find(
            "section", attrs={"aria-labelledby": "home-authorities"}
        )
        assert text(authorities.find("h3")) == "Brussels Hoofdstedelijk Gewest"
        assert text(link_to(authorities, "/nl/organization/schaerbeek")) == "Schaarbeek (1)"
        assert authorities.find("a", href="/nl/organization/ixelles") is None  # publishes nothing

        authorities = html(app, "/en/").find(
            "section", attrs={"aria-labelledby": "home-authorities"}
        )
        assert text(authorities.find("h3").find_next("h4")) == "Municipalities"
        # Schaerbeek has no English name: its French one says so.
        name = link_to(authorities, "/en/organization/schaerbeek").find("span")
        assert (text(name), name["lang"]) == ("Schaerbeek", "fr")
        assert text(link_to(authorities, "/en/organization/")).startswith("All 2 authorities")


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSearchPage:
    def test_facet_labels_are_whole_and_empty_facets_hidden(self, app, trees):
        page = html(app, "/fr/dataset/")
        region = page.find("section", attrs={"aria-labelledby": "facet-region"})
        assert "Région de Bruxelles-Capitale" in text(region)  # 28 characters
        assert "..." not in text(region)
        nothing = html(app, "/fr/dataset/?q=qxzwvyj")
        assert nothing.find("section", attrs={"aria-labelledby": "facet-region"}) is None

    def test_each_applied_filter_can_be_removed_by_a_named_link(self, app, trees):
        page = html(app, "/en/dataset/?q=trees&theme=ENVI&region=brussels")
        removal = page.find("a", attrs={"aria-label": "Remove filter Theme: Environment"})
        assert removal["href"] == "/en/dataset/?q=trees&region=brussels"
        assert page.find("a", attrs={"aria-label": "Remove filter Region: Brussels-Capital Region"})

    def test_a_filter_that_matches_nothing_is_still_labelled(self, app, trees):
        page = html(app, "/en/dataset/?theme=AGRI")
        label = "Remove filter Theme: Agriculture, fisheries, forestry and food"
        assert page.find("a", attrs={"aria-label": label})

    def test_results_are_in_the_page_language_and_link_once(self, app, trees):
        (result,) = html(app, "/de/dataset/?q=trees").select("li.dataset-item")
        title = result.find("a", href="/de/dataset/schaerbeek-arbres")
        assert text(title) == "Straßenbäume" and not title.has_attr("lang")
        assert "Gemeindestraßen" in text(result)
        assert len(result.find_all("a")) == 1  # format badges are labels, not more links
        assert "CSV" in text(result.find(class_="dataset-resources"))

    def test_a_result_in_another_language_says_which(self, app, schaerbeek):
        data = copy.deepcopy(TREES)
        data["title_translated"] = {"fr": "Arbres d'alignement"}
        data["notes_translated"] = {"fr": "Inventaire des arbres."}
        tk.get_action("package_create")(site_context(), data)
        (result,) = html(app, "/nl/dataset/").select("li.dataset-item")
        assert result.find("a", href="/nl/dataset/schaerbeek-arbres")["lang"] == "fr"
        assert result.find("div", lang="fr").get_text(strip=True) == "Inventaire des arbres."

    def test_the_count_is_a_status_message(self, app, trees):
        status = html(app, "/en/dataset/?q=trees").find(attrs={"role": "status"})
        assert text(status) == '1 dataset found for "trees"'

    def test_sorting_waits_for_its_button(self, app, trees):
        page = html(app, "/en/dataset/?q=trees")
        select = page.find("select", attrs={"name": "sort"})
        form = select.find_parent("form")
        assert "data-module" not in form.attrs and "onchange" not in select.attrs
        assert text(page.find("label", attrs={"for": select["id"]})) == "Order by"
        assert text(select.find_next("button")) == "Sort"
        assert select.find_next("button")["type"] == "submit"

    @pytest.mark.ckan_config("ckan.datasets_per_page", 1)
    def test_pages_are_a_named_navigation_marking_the_current_one(self, app, trees):
        data = copy.deepcopy(TREES)
        data.update(name="schaerbeek-parcs", title_translated={"fr": "Parcs"})
        tk.get_action("package_create")(site_context(), data)
        page = html(app, "/en/dataset/?page=2")
        pages = page.find("nav", attrs={"aria-label": "Pages of results"})
        current = pages.find("a", attrs={"aria-current": "page"})
        assert text(current) == "Page 2"
        assert link_to(pages, "/en/dataset/?page=1")

    def test_the_search_has_an_atom_feed(self, app, trees):
        page = html(app, "/en/dataset/?q=trees&theme=ENVI&sort=metadata_modified+desc")
        feed = "/en/feeds/custom.atom?q=trees&theme=ENVI"
        alternate = page.head.find("link", attrs={"rel": "alternate", "href": feed})
        assert alternate["type"] == "application/atom+xml"
        assert link_to(page, feed)
        assert "schaerbeek-arbres" in app.get(feed).body
        assert "schaerbeek-arbres" not in app.get("/en/feeds/custom.atom?theme=ECON").body


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestAuthorityPage:
    def test_who_the_authority_is_and_how_to_contact_it(self, app, trees):
        tk.get_action("organization_patch")(
            site_context(),
            {
                "id": "schaerbeek",
                "email": "opendata@schaerbeek.example",
                "website": "https://www.schaerbeek.example",
            },
        )
        page = html(app, "/nl/organization/schaerbeek")
        assert text(page.find("h1")) == "Schaarbeek"
        assert "Gemeente · Brussels Hoofdstedelijk Gewest" in text(page)
        contact = page.find("section", attrs={"aria-labelledby": "authority-contact"})
        assert link_to(contact, "mailto:opendata@schaerbeek.example")
        assert link_to(contact, "https://www.schaerbeek.example")

    def test_what_it_publishes(self, app, trees):
        page = html(app, "/en/organization/schaerbeek")
        summary = page.find("section", attrs={"aria-labelledby": "authority-publishes"})
        assert "1 dataset" in text(summary)
        assert text(link_to(summary, "/en/organization/schaerbeek?theme=ENVI")) == "Environment (1)"
        # Its datasets, with the search's facets (not those about the authority itself).
        assert page.find("section", attrs={"aria-labelledby": "facet-theme"})
        assert page.find("section", attrs={"aria-labelledby": "facet-region"}) is None
        assert link_to(page, "/en/dataset/schaerbeek-arbres")

    def test_its_harvest_sources_are_listed(self, app, schaerbeek):
        tk.get_action("harvest_source_create")(
            site_context(),
            {
                "name": "schaerbeek-dcat",
                "title": "Catalogue DCAT de Schaerbeek",
                "url": "https://data.schaerbeek.example/catalog.ttl",
                "source_type": "wepulse_dcat",
                "owner_org": schaerbeek["id"],
                "frequency": "MANUAL",
            },
        )
        sources = html(app, "/en/organization/schaerbeek").find(
            "section", attrs={"aria-labelledby": "authority-sources"}
        )
        source = link_to(sources, "/en/harvest/schaerbeek-dcat")
        assert text(source) == "Catalogue DCAT de Schaerbeek"
        assert "DCAT-AP catalogue" in text(source.parent)
        assert "not harvested yet" in text(source.parent)
