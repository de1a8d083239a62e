"""The full-catalogue dump and the validate command, as an administrator runs them."""

from __future__ import annotations

import copy

import pytest
from ckan.cli.cli import ckan
from ckan.plugins import toolkit as tk
from rdflib import RDF, Graph, Literal
from rdflib.namespace import DCAT, DCTERMS

from ckanext.wepulse import jobs
from ckanext.wepulse.seeding import site_context

from ..conftest import TREES


def another(name: str, title: str, **changes) -> dict:
    data = {**copy.deepcopy(TREES), "name": name, "title_translated": {"fr": title}, **changes}
    return tk.get_action("package_create")(site_context(), data)


def titles(graph: Graph) -> set[str]:
    return {
        str(title)
        for dataset in graph.subjects(RDF.type, DCAT.Dataset)
        for title in graph.objects(dataset, DCTERMS.title)
        if title.language in ("fr", None)
    }


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDump:
    @pytest.fixture
    def catalogue(self, trees):
        parks = another("schaerbeek-parcs", "Parcs")
        another("brouillon", "Brouillon", private=True)
        # Stored text and quality measurements for one dataset (the job's); none for the other.
        jobs.validate_datasets([trees["id"]])
        return trees, parks

    @pytest.mark.parametrize("fmt,rdf_format", [("ttl", "turtle"), ("nt", "nt")])
    def test_every_public_dataset_is_written_and_the_file_parses(
        self, cli, tmp_path, catalogue, fmt, rdf_format
    ):
        output = tmp_path / f"catalogue.{fmt}"
        result = cli.invoke(ckan, ["wepulse", "dump", str(output), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "2 dataset(s) written" in result.output
        graph = Graph().parse(output, format=rdf_format)
        assert titles(graph) == {"Arbres d'alignement", "Parcs"}
        catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
        assert len(set(graph.objects(catalog, DCAT.dataset))) == 2

    def test_a_dataset_changed_since_its_text_was_stored_is_dumped_as_it_is_now(
        self, cli, tmp_path, catalogue
    ):
        trees, _ = catalogue
        tk.get_action("package_patch")(
            site_context(), {"id": trees["id"], "title_translated": {"fr": "Arbres (2024)"}}
        )
        output = tmp_path / "catalogue.ttl"
        assert cli.invoke(ckan, ["wepulse", "dump", str(output)]).exit_code == 0
        graph = Graph().parse(output, format="turtle")
        assert Literal("Arbres (2024)", lang="fr") in set(graph.objects(None, DCTERMS.title))
        assert "Arbres d'alignement" not in titles(graph)


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestValidateCommand:
    def test_all_conforming_datasets_exit_zero(self, cli, trees):
        result = cli.invoke(ckan, ["wepulse", "validate", "--all"])
        assert result.exit_code == 0, result.output
        assert "1 dataset(s) checked, 0 result(s) not conforming, 0 violation(s)" in result.output

    def test_a_broken_dataset_is_reported_precisely_and_fails_the_command(self, cli, trees):
        broken = copy.deepcopy(TREES)
        broken.update(name="sans-lien", resources=[{"url": "", "format": "CSV"}])
        tk.get_action("package_create")(site_context(), broken)
        result = cli.invoke(ckan, ["wepulse", "validate", "--all"])
        assert result.exit_code == 1
        assert "sans-lien [dcat-ap-3.0.1]: 1 violation(s)" in result.output
        assert "http://www.w3.org/ns/dcat#accessURL: Less than 1 values" in result.output

    def test_one_dataset_or_all_must_be_named(self, cli, trees):
        result = cli.invoke(ckan, ["wepulse", "validate"])
        assert result.exit_code == 2
        assert "Give one DATASET or --all" in result.output
