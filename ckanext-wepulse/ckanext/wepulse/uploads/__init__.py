"""Municipal publishers' tables: reading, checking and loading uploaded files.

- ``reading.py`` reads a CSV, TSV, XLSX, XLS or ODS file as a table in one streaming
  pass and reports what is wrong with it (pure), with ``sniffing.py`` (format,
  encoding, separator, header row), ``column_types.py`` (each column's type and how
  its values read), ``workbooks.py`` (sheets, merged cells, formulas) and
  ``personal_data.py`` (national register numbers, e-mail addresses, phones);
- ``dictionary.py`` keeps each column as its publisher describes it, and publishes
  it as a Table Schema (pure);
- ``loading.py`` loads a table, typed, into the DataStore by ``COPY``, replacing the
  published one only once it has loaded;
- ``model.py`` stores each table's reading, dictionary and loads;
- ``jobs.py`` reads and loads from CKAN's job queue;
- ``plugin.py``, ``actions.py``, ``auth.py``, ``views.py`` and ``helpers.py`` plug it
  into CKAN.
"""
