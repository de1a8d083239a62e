"""Real catalogues, harvested whole: through the real stack (a fixture server on
loopback, CKAN, PostgreSQL, Solr), every record of real files written by others
becomes a dataset, no harvest crashes, and what is kept conforms to DCAT-AP.

The per-file table (records, datasets, refusals and their reasons) is written to
var/artifacts/harvest-corpus.md, for the closing note of whoever changes this.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError
from rdflib import Dataset as RdfDataset
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.wepulse.dcat_ap import dataset_rdf
from ckanext.wepulse.dcat_ap.validation import validate_graph
from ckanext.wepulse.harvest import sync
from ckanext.wepulse.seeding import site_context
from harvesters.fixtures import FixtureServer, file

from ..conftest import allowing, make_source

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"
ARTIFACTS = Path(__file__).resolve().parents[4] / "var" / "artifacts"

#: Real DCAT files (path in the corpus), each harvested as one source.
DCAT_FILES = [
    "belgium/data.gov.be/ldes_page_9.trig",
    "belgium/data.gov.be/ldes_page_120.trig",
    "belgium/fedict-dcattools/best_dcat.rdf",
    "belgium/fedict-dcattools/dcatlib_dcat-multilang.rdf",
    "dcat-real/govdata-dcatde/metadata_max.rdf",
    "dcat-real/govdata-dcatde/metadata_max_only_valid_uris.rdf",
    "dcat-real/opendata-swiss/catalog.xml",
    "dcat-real/opendata-swiss/1894.xml",
    "dcat-real/opendata-swiss/dataset-datetimes-bad.xml",
    "dcat-real/opendata-swiss/dataset-rights.xml",
    "dcat-real/udata/flat.jsonld",
    "dcat-real/udata/bnodes.jsonld",
    "ckanext-dcat-examples/dcat/catalog.rdf",
    "ckanext-dcat-examples/dcat/catalog_datasets_list.rdf",
    "ckanext-dcat-examples/dcat/dataset.rdf",
    "ckanext-dcat-examples/dcat/dataset_afs.ttl",
    "ckanext-dcat-examples/dcat/dataset_deri.ttl",
    "ckanext-dcat-examples/dcat/dataset_gob_es.ttl",
    "ckanext-dcat-examples/dcat/dataset_gov_de.rdf",
    "ckanext-dcat-examples/dcat/dataset_health.ttl",
    "ckanext-dcat-examples/dcat/dataset_health_multilingual.ttl",
    "ckanext-dcat-examples/dcat/dataset_health_no_blank.ttl",
    "ckanext-dcat-examples/dcat/dataset_multilingual.ttl",
    "ckanext-dcat-examples/dcat/dataset_sweden.rdf",
    "ckanext-dcat-examples/dcat/catalog_with_at_graph.jsonld",
]

_RDFLIB_FORMATS = {
    ".trig": "trig",
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".nt": "nt",
}

_table: list[tuple[str, int, int, str]] = []


def titled_datasets(path: Path) -> int:
    """How many dcat:Datasets with a dct:title the file holds, read by rdflib."""
    graph = RdfDataset(default_union=True)
    graph.parse(path, format=_RDFLIB_FORMATS[path.suffix])
    return sum(
        1 for s in set(graph.subjects(RDF.type, DCAT.Dataset)) if graph.value(s, DCTERMS.title)
    )


@pytest.fixture(scope="module", autouse=True)
def per_file_table():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "harvest-corpus-violations.txt").write_text("", encoding="utf-8")
    yield
    lines = ["| file | records | datasets | refused (reasons) |", "|---|---:|---:|---|"]
    lines += [
        f"| {name} | {records} | {datasets} | {why} |" for name, records, datasets, why in _table
    ]
    (ARTIFACTS / "harvest-corpus.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("relative", DCAT_FILES)
def test_a_real_dcat_file_is_harvested_whole(relative, clean_db, clean_index):
    path = CORPUS / relative
    expected = titled_datasets(path)
    authority = factories.Organization(name="bruxelles")
    # A feed's page alone: the pages it links to are not in the corpus.
    config = {"follow_pages": False} if path.suffix == ".trig" else {}
    with FixtureServer({"/" + path.name: file(path)}) as server, allowing(server):
        source = make_source(server, authority, "real-source", "/" + path.name, config=config)
        job, summary = sync.run_source(source["name"])
    errors = [
        e.message
        for e in HarvestObjectError.filter()
        .join(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job.id)
    ]
    gather = [e.message for e in HarvestGatherError.filter(harvest_job_id=job.id)]
    reasons = collections.Counter(message[:160] for message in errors + gather)
    written = summary.added + summary.updated
    _table.append((relative, expected, written, "; ".join(f"{n}× {r}" for r, n in reasons.items())))
    assert HarvestJob.get(job.id).status == "Finished"
    assert not gather, gather
    assert written >= 0.99 * expected, (summary, errors[:5])

    # What was kept conforms to DCAT-AP 3.0.1, shapes and range: all of the source's
    # datasets in one graph, as our catalogue publishes them.
    found = tk.get_action("package_search")(
        site_context(), {"fq": f'harvest_source_title:"{source["title"]}"', "rows": 1000}
    )["results"]
    assert len(found) == written
    graph = Graph()
    for dataset in found:
        graph += dataset_rdf.dataset_graph(dataset)
    _conforms, findings = validate_graph(graph)
    violations = [f"{f.focus} {f.path}: {f.message}" for f in findings if f.severity == "Violation"]
    with (ARTIFACTS / "harvest-corpus-violations.txt").open("a", encoding="utf-8") as out:
        out.writelines(f"{relative}\t{violation}\n" for violation in violations)
    if violations:  # the export, to see why
        graph.serialize(ARTIFACTS / f"harvest-corpus-{path.stem}.ttl", format="turtle")
    assert not violations, violations[:10]
