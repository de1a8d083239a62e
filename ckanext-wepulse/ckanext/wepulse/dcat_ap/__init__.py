"""DCAT-AP in and out: the portal's profile for ckanext-dcat, each dataset's stored
RDF, the catalogue dump, and validation against the official SHACL shapes."""
