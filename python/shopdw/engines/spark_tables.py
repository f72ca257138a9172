"""Copy the tables of the local Spark warehouse to Parquet files that DuckDB reads, one folder
per table, to compare engines (`python -m shopdw.engines.spark_tables OUT SCHEMA...`).

It runs in a process of its own: Spark's embedded Derby metastore admits one JVM at a time, so
a session kept open in the test process would lock dbt out of the next build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shopdw.engines.load import spark_session


def export(out: Path, schemas: list[str]) -> list[str]:
    """Every table (not view) of the schemas, written to out/<schema>.<table>/ unpartitioned.
    Returns the names written."""
    spark = spark_session()
    spark.sparkContext.setLogLevel("ERROR")
    written = []
    try:
        for schema in schemas:
            if not spark.catalog.databaseExists(schema):
                continue
            for table in spark.catalog.listTables(schema):
                if table.tableType == "VIEW" or table.isTemporary:
                    continue
                name = f"{schema}.{table.name}"
                spark.table(f"`{schema}`.`{table.name}`").write.mode("overwrite").parquet(str(out / name))
                written.append(name)
    finally:
        spark.stop()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    written = export(out, argv[1:])
    (out / "_tables.json").write_text(json.dumps(sorted(written)))
    print(f"exported {len(written)} Spark tables to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
