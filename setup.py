"""WePulse Open Data: a CKAN extension and the harvester adapters it drives.

Two packages from one distribution:
- ``ckanext.wepulse`` (in ckanext-wepulse/; ``ckanext`` stays a namespace package
  shared with CKAN and the other extensions);
- ``harvesters``: source adapters in plain Python, importing nothing from CKAN.

Runtime dependencies are pinned in requirements.txt, which scripts/portal installs
first: CKAN must come from ``ckan[requirements]`` to get its pinned dependencies.
"""

from setuptools import find_namespace_packages, find_packages, setup

setup(
    name="ckanext-wepulse",
    version="0.1.0",
    description="Open-data and transparency portal for Belgian local authorities",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11",
    package_dir={"ckanext": "ckanext-wepulse/ckanext", "harvesters": "harvesters"},
    packages=find_namespace_packages("ckanext-wepulse", include=["ckanext.*"])
    + find_packages(".", include=["harvesters", "harvesters.*"]),
    include_package_data=True,
    package_data={
        "ckanext.wepulse": ["*.yaml", "templates/**/*", "i18n/**/*", "assets/**/*", "public/**/*"],
        "ckanext.wepulse.search": ["templates/**/*"],
        "ckanext.wepulse.schemas": ["*.yaml"],
        "ckanext.wepulse.vocabularies": ["*.csv"],
        "ckanext.wepulse.authorities": ["*.csv", "*.md"],
        "ckanext.wepulse.demo": ["*.json", "sources/*", "sources/data-gov-be/*", "files/*"],
    },
    entry_points={
        "ckan.plugins": [
            "wepulse = ckanext.wepulse.plugin:WepulsePlugin",
            "wepulse_search = ckanext.wepulse.search.plugin:SearchPlugin",
            "wepulse_security = ckanext.wepulse.security.plugin:SecurityPlugin",
            "wepulse_quality = ckanext.wepulse.quality.plugin:QualityPlugin",
            "wepulse_uploads = ckanext.wepulse.uploads.plugin:UploadsPlugin",
            "wepulse_ckan = ckanext.wepulse.harvest.plugins:WepulseCkanHarvester",
            "wepulse_csw = ckanext.wepulse.harvest.plugins:WepulseCswHarvester",
            "wepulse_dcat = ckanext.wepulse.harvest.plugins:WepulseDcatHarvester",
            "wepulse_opendatasoft = ckanext.wepulse.harvest.plugins:WepulseOpendatasoftHarvester",
            "wepulse_spreadsheet = ckanext.wepulse.harvest.plugins:WepulseSpreadsheetHarvester",
        ],
        "ckan.rdf.profiles": [
            "wepulse_dcat_ap = ckanext.wepulse.dcat_ap.profile:WepulseDCATAPProfile",
            "wepulse_quality = ckanext.wepulse.quality.dqv:QualityProfile",
        ],
    },
)
