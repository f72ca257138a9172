"""The header line of every CSV file of the landing zone, read with one readline per file.

The landing contract tests compare these headers with the sources' contracts before any
model reads the files by position. Reading only the first line keeps the check independent
of the files' size (reading them whole took minutes at SF10).
"""

import csv
from pathlib import Path

import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    root = Path(dbt.config.get("landing_root"))
    rows = {"source_name": [], "source_table": [], "source_file": [], "header": []}
    for path in sorted(root.glob("*/*/*.csv")):
        with path.open(newline="") as handle:
            header = next(csv.reader([handle.readline()]), [])
        rows["source_name"].append(path.parent.parent.name)
        rows["source_table"].append(path.parent.name)
        rows["source_file"].append(str(path))
        rows["header"].append([name.strip() for name in header])
    return pa.table(rows, schema=pa.schema([
        ("source_name", pa.string()),
        ("source_table", pa.string()),
        ("source_file", pa.string()),
        ("header", pa.list_(pa.string())),
    ]))
