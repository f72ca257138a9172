"""The loader step: the landing zone as raw source tables on a warehouse server.

DuckDB, the default engine, reads the landing files in place: every source of the project has
an ``external_location`` (a ``read_csv``/``read_json`` call with all columns as text and the
file name). PostgreSQL and Spark need tables. The loader reads each source through that very
``external_location``, taken from dbt's manifest, so the other engines get exactly the rows
and text values the DuckDB build reads, and writes them as the table ``<source>.<table>`` that
the same source resolves to there. The header line of every CSV file goes to
``landing.csv_headers`` (what the DuckDB build's python model base_landing__csv_headers reads
from the files), so the landing contract tests run everywhere.

Every run replaces each table whole, in one transaction per table: a reader sees the old
table or the new one, and a failed load changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopdw.landing_files import read_csv_headers

PROJECT_DIR = Path(__file__).resolve().parents[2]
HEADERS_SCHEMA, HEADERS_TABLE = "landing", "csv_headers"


@dataclass(frozen=True)
class LandingSource:
    schema: str          # the source's schema on a server engine (dbt: the source name)
    table: str
    location: str        # the DuckDB table function that reads the files


@dataclass
class LoadResult:
    tables: dict[str, int]
    seconds: float

    def report(self) -> str:
        rows = sum(self.tables.values())
        return (f"loaded {len(self.tables)} tables ({rows:,} rows) in {self.seconds:.1f} s: "
                + ", ".join(f"{name} {count:,}" for name, count in sorted(self.tables.items())))


def landing_sources(manifest: dict) -> list[LandingSource]:
    """The sources that read landing files, from a manifest parsed on the DuckDB target."""
    found = []
    for source in manifest["sources"].values():
        meta = {**source.get("meta", {}), **source.get("config", {}).get("meta", {})}
        location = meta.get("external_location")
        if location:
            found.append(LandingSource(source["source_name"], source["name"], " ".join(location.split())))
    if not found:
        raise ValueError("no source with an external_location in the manifest: parse on the duckdb target")
    return sorted(found, key=lambda s: (s.schema, s.table))


def parse_manifest(env: dict[str, str] | None = None) -> dict:
    """dbt parse on the DuckDB target (which renders the external locations) into a temporary folder."""
    with tempfile.TemporaryDirectory() as target:
        run_env = dict(os.environ if env is None else env)
        run_env.update({"DBT_TARGET": "duckdb", "DBT_TARGET_PATH": target, "DBT_PARTIAL_PARSE": "false"})
        dbt = Path(sys.executable).with_name("dbt")
        proc = subprocess.run([str(dbt) if dbt.exists() else "dbt", "parse", "--quiet"], cwd=PROJECT_DIR,
                              env=run_env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{proc.stdout}{proc.stderr}")
        return json.loads((Path(target) / "manifest.json").read_text())


def _rows_as_csv(duck: duckdb.DuckDBPyConnection, location: str, folder: Path) -> tuple[Path, list[str]]:
    """The source's rows as a CSV file; DuckDB writes null as an empty field and '' as \"\"."""
    path = folder / "rows.csv"
    columns = [row[0] for row in duck.execute(f"describe select * from {location}").fetchall()]
    duck.execute(f"copy (select * from {location}) to '{path}' (format csv, header true)")
    return path, columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_connection(env: dict[str, str] | None = None):
    """A psycopg2 connection from the same environment variables as the profile's postgres target."""
    import psycopg2

    env = os.environ if env is None else env
    return psycopg2.connect(
        host=env.get("SHOP_PG_HOST", "127.0.0.1"), port=int(env.get("SHOP_PG_PORT", "5432")),
        user=env.get("SHOP_PG_USER", "postgres"), password=env.get("SHOP_PG_PASSWORD", ""),
        dbname=env.get("SHOP_PG_DATABASE", "shop"))


def load_postgres(landing: Path, env: dict[str, str] | None = None, manifest: dict | None = None) -> LoadResult:
    """Replace every landing source's table on PostgreSQL with the landing zone's rows."""
    started = time.perf_counter()
    manifest = manifest or parse_manifest(env)
    counts: dict[str, int] = {}
    duck = duckdb.connect()
    duck.execute("set TimeZone = 'UTC'")
    with postgres_connection(env) as pg, tempfile.TemporaryDirectory() as folder:
        for source in landing_sources(manifest):
            path, columns = _rows_as_csv(duck, source.location, Path(folder))
            table = f"{_quote(source.schema)}.{_quote(source.table)}"
            with pg.cursor() as cur:
                cur.execute(f"create schema if not exists {_quote(source.schema)}")
                cur.execute(f"drop table if exists {table}")
                cur.execute(f"create table {table} ({', '.join(f'{_quote(c)} text' for c in columns)})")
                with path.open() as handle:
                    cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", handle)
                counts[f"{source.schema}.{source.table}"] = cur.rowcount
            pg.commit()
        headers = list(read_csv_headers(landing))
        with pg.cursor() as cur:
            table = f"{HEADERS_SCHEMA}.{HEADERS_TABLE}"
            cur.execute(f"create schema if not exists {HEADERS_SCHEMA}")
            cur.execute(f"drop table if exists {table}")
            cur.execute(f"create table {table} (source_name text, source_table text, source_file text, header text[])")
            cur.executemany(f"insert into {table} values (%s, %s, %s, %s)",
                            [(h.source_name, h.source_table, h.source_file, h.header) for h in headers])
            counts[table] = len(headers)
        pg.commit()
    pg.close()
    return LoadResult(counts, time.perf_counter() - started)


def spark_dir(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("SHOP_SPARK_DIR", "data/spark")).resolve()


def spark_session(env: dict[str, str] | None = None):
    """A local SparkSession configured as the profile's spark target (same metastore and warehouse)."""
    from pyspark.sql import SparkSession

    env = os.environ if env is None else env
    root = spark_dir(env)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in {
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.memory": env.get("SHOP_SPARK_MEMORY", "4g"),
        "spark.sql.shuffle.partitions": env.get("SHOP_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={root}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root}",
    }.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def load_spark(landing: Path, env: dict[str, str] | None = None, manifest: dict | None = None) -> LoadResult:
    """Every landing source as a Parquet table <source>.<table> of the local Spark metastore."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    manifest = manifest or parse_manifest(env)
    raw = spark_dir(env) / "raw"
    duck = duckdb.connect()
    duck.execute("set TimeZone = 'UTC'")
    files: dict[tuple[str, str], Path] = {}
    for source in landing_sources(manifest):
        folder = raw / source.schema / source.table
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        duck.execute(f"copy (select * from {source.location}) to '{folder / 'rows.parquet'}' (format parquet)")
        files[(source.schema, source.table)] = folder
    headers = list(read_csv_headers(landing))
    folder = raw / HEADERS_SCHEMA / HEADERS_TABLE
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pq.write_table(pa.table({
        "source_name": [h.source_name for h in headers], "source_table": [h.source_table for h in headers],
        "source_file": [h.source_file for h in headers], "header": [h.header for h in headers],
    }, schema=pa.schema([("source_name", pa.string()), ("source_table", pa.string()),
                         ("source_file", pa.string()), ("header", pa.list_(pa.string()))])),
        folder / "rows.parquet")
    files[(HEADERS_SCHEMA, HEADERS_TABLE)] = folder
    spark = spark_session(env)
    counts = {}
    try:
        for (schema, table), folder in sorted(files.items()):
            spark.sql(f"create database if not exists `{schema}`")
            spark.sql(f"drop table if exists `{schema}`.`{table}`")
            spark.sql(f"create table `{schema}`.`{table}` using parquet location '{folder}'")
            counts[f"{schema}.{table}"] = spark.table(f"`{schema}`.`{table}`").count()
    finally:
        spark.stop()
    return LoadResult(counts, time.perf_counter() - started)
