"""The header line of every CSV file of the landing zone (DuckDB: read from the files here).

The landing contract tests compare these headers with the sources' contracts before any
model reads the files by position. On PostgreSQL and Spark the loader (`shopdw load`) reads
the same headers into the source landing.csv_headers, and models/staging/loaded/ holds the
model of this name for them.
"""

from pathlib import Path

import pyarrow as pa

from shopdw.landing_files import read_csv_headers


def model(dbt, session):
    dbt.config(materialized="table")
    headers = list(read_csv_headers(Path(dbt.config.get("landing_root"))))
    return pa.table({
        "source_name": [h.source_name for h in headers],
        "source_table": [h.source_table for h in headers],
        "source_file": [h.source_file for h in headers],
        "header": [h.header for h in headers],
    }, schema=pa.schema([
        ("source_name", pa.string()),
        ("source_table", pa.string()),
        ("source_file", pa.string()),
        ("header", pa.list_(pa.string())),
    ]))
