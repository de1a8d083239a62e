"""The MQA measurements in DCAT-AP out, as W3C DQV, without breaking the official
shapes: on the dataset's own endpoint, and in the catalogue dump."""

from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.plugins import toolkit as tk
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, RDF, XSD

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.jobs import validate_dataset
from ckanext.wepulse.quality import dqv
from ckanext.wepulse.quality.dqv import DQV, PV
from ckanext.wepulse.quality.model import DatasetQuality
from ckanext.wepulse.seeding import site_context


def measurements(graph: Graph, on) -> dict:
    return {
        graph.value(node, DQV.isMeasurementOf): graph.value(node, DQV.value)
        for node in graph.objects(on, DQV.hasQualityMeasurement)
    }


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDqv:
    def test_the_dataset_endpoint_carries_its_score_and_still_conforms(self, app, trees):
        validate_dataset(trees["id"])
        response = app.get(f"/dataset/{trees['name']}.ttl")
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
        dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
        found = measurements(graph, dataset)
        score = found[PV.scoring]
        assert score.datatype == XSD.integer and 0 < int(score) <= 405
        assert found[PV.keywordAvailability] == Literal(True)
        assert found[PV.temporalAvailability] == Literal(True)
        # The link is not checked yet: no measurement rather than a false one.
        assert PV.accessUrlStatusCode not in found
        distribution = next(graph.objects(dataset, DCAT.distribution))
        assert measurements(graph, distribution)[PV.formatAvailability] == Literal(True)
        for node in graph.subjects(RDF.type, DQV.QualityMeasurement):
            assert graph.value(node, DQV.computedOn) is not None
        conforms, findings = validate_graph(graph, "dcat-ap-3.0.1")
        assert conforms, [f.as_dict() for f in findings if f.severity == "Violation"]

    def test_the_measurements_keep_dcat_ap_2_conforming_too(self, trees):
        validate_dataset(trees["id"])
        dataset = tk.get_action("package_show")(site_context(), {"id": trees["id"]})
        graph = dataset_rdf.dataset_graph(dataset, "dcat-ap-2.1.1")
        subject = next(graph.subjects(RDF.type, DCAT.Dataset))
        graph += dqv.measurements(subject, DatasetQuality.get(trees["id"]).as_dict())
        assert len(list(graph.subjects(RDF.type, DQV.QualityMeasurement))) > 10
        conforms, findings = validate_graph(graph, "dcat-ap-2.1.1")
        assert conforms, [f.as_dict() for f in findings if f.severity == "Violation"]

    def test_the_dump_appends_each_datasets_stored_measurements(self, cli, tmp_path, trees):
        validate_dataset(trees["id"])
        output = tmp_path / "catalogue.ttl"
        result = cli.invoke(ckan, ["wepulse", "dump", str(output)])
        assert result.exit_code == 0, result.output
        graph = Graph().parse(output, format="turtle")
        scores = list(graph.objects(None, DQV.value))
        assert len(list(graph.subjects(DQV.isMeasurementOf, PV.scoring))) == 1
        assert scores
