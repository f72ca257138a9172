"""The loader step of the server engines: the raw layer on PostgreSQL and Spark.

DuckDB, the default engine, holds its raw layer itself: `shopdw ingest` reads every new
landing file once into ``<source>.<table>`` with a ledger (shopdw.engines.ingest). PostgreSQL and
Spark get the same raw layer through the same ingestion: the loader first ingests the landing
zone into a DuckDB raw store (``$SHOP_WAREHOUSE_PATH``, with the same ledger semantics: each
file once, a changed file stops the load naming it, a future-dated file is held back, a killed
run leaves whole files), then copies to the server what the server does not have yet: the raw
rows of newer ingestions (appended), and the ledger and the CSV headers (replaced, they are
small). So a daily load moves the day's rows, not the history.

PostgreSQL: every table is written in one transaction with its rows, so a failed load changes
nothing. Spark (Parquet): the new rows of a table are one more Parquet file in the table's
folder, and the ledger's file is rewritten; there is no transaction across files (a killed
Spark load is repeated whole by the next one, which appends only what is missing).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from shopdw.engines.ingest import HEADERS, LEDGER, ingest
from shopdw.generator.landing_sources import landing_tables

# what the ingestion keeps beside the raw rows: replaced whole on every load
LEDGER_TABLES = (LEDGER, HEADERS)
POSTGRES_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DATE": "date",
                  "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
                  "VARCHAR[]": "text[]"}


@dataclass
class LoadResult:
    tables: dict[str, int]
    seconds: float
    ingestion: str = ""

    def report(self) -> str:
        rows = sum(self.tables.values())
        return (self.ingestion + "\n" if self.ingestion else "") + (
            f"loaded {len(self.tables)} tables ({rows:,} new rows) in {self.seconds:.1f} s: "
            + ", ".join(f"{name} {count:,}" for name, count in sorted(self.tables.items())))


def raw_store(env: dict[str, str] | None = None) -> Path:
    """The DuckDB file the server engines' loader ingests into before it copies."""
    env = os.environ if env is None else env
    return Path(env.get("SHOP_WAREHOUSE_PATH", "data/warehouse.duckdb"))


def _ingest(landing: Path, env: dict[str, str] | None, run_date: date | None) -> tuple[Path, str]:
    store = raw_store(env)
    result = ingest(landing, store, run_date=run_date)
    return store, result.report()


def raw_tables() -> list[str]:
    return [table.relation.replace('"', "") for table in landing_tables()]


def _columns(duck: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    return duck.execute("select column_name, data_type from information_schema.columns "
                        "where table_schema = ? and table_name = ? order by ordinal_position",
                        [schema, name]).fetchall()


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


def _copy_to_postgres(duck: duckdb.DuckDBPyConnection, pg, table: str, where: str, folder: Path,
                      replace: bool) -> int:
    """Rows of a DuckDB table into the same table on PostgreSQL (created when missing), in the
    caller's transaction: every row when replace, else those matching `where`."""
    columns = _columns(duck, table)
    schema, name = table.split(".")
    target = f"{_quote(schema)}.{_quote(name)}"
    with pg.cursor() as cur:
        cur.execute(f"create schema if not exists {_quote(schema)}")
        if replace:
            cur.execute(f"drop table if exists {target}")
        cur.execute(f"create table if not exists {target} ("
                    + ", ".join(f"{_quote(c)} {POSTGRES_TYPES[t]}" for c, t in columns) + ")")
        if any(t.endswith("[]") for _, t in columns):
            rows = duck.execute(f"select * from {table}").fetchall()
            cur.executemany(f"insert into {target} values ({', '.join('%s' for _ in columns)})", rows)
            return len(rows)
        path = folder / f"{schema}.{name}.csv"
        duck.execute(f"copy (select * from {table} where {where}) to '{path}' (format csv, header true)")
        with path.open() as handle:
            cur.copy_expert(f"copy {target} from stdin with (format csv, header true)", handle)
        return cur.rowcount


def load_postgres(landing: Path, env: dict[str, str] | None = None, run_date: date | None = None) -> LoadResult:
    """Ingest the landing zone's new files, then bring PostgreSQL's raw layer up to date."""
    started = time.perf_counter()
    store, ingestion = _ingest(landing, env, run_date)
    counts: dict[str, int] = {}
    with duckdb.connect(str(store), read_only=True) as duck, tempfile.TemporaryDirectory() as folder:
        duck.execute("set TimeZone = 'UTC'")
        pg = postgres_connection(env)
        try:
            for table in raw_tables():
                schema, name = table.split(".")
                with pg.cursor() as cur:
                    cur.execute("select to_regclass(%s)", [f"{_quote(schema)}.{_quote(name)}"])
                    exists = cur.fetchone()[0] is not None
                    newest = 0
                    if exists:
                        cur.execute(f"select coalesce(max(_ingestion_id), 0) from {_quote(schema)}.{_quote(name)}")
                        newest = cur.fetchone()[0]
                counts[table] = _copy_to_postgres(duck, pg, table, f"_ingestion_id > {int(newest)}", Path(folder),
                                                  replace=False)
            for table in LEDGER_TABLES:
                counts[table] = _copy_to_postgres(duck, pg, table, "true", Path(folder), replace=True)
            pg.commit()
        except BaseException:
            pg.rollback()
            raise
        finally:
            pg.close()
    return LoadResult(counts, time.perf_counter() - started, ingestion)


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


def load_spark(landing: Path, env: dict[str, str] | None = None, run_date: date | None = None) -> LoadResult:
    """Ingest the landing zone's new files, then bring the local Spark metastore's raw layer up to
    date: one Parquet file more per raw table for the new ingestions, the ledger rewritten."""
    started = time.perf_counter()
    store, ingestion = _ingest(landing, env, run_date)
    raw = spark_dir(env) / "raw"
    counts: dict[str, int] = {}
    with duckdb.connect(str(store), read_only=True) as duck:
        duck.execute("set TimeZone = 'UTC'")
        for table in [*raw_tables(), *LEDGER_TABLES]:
            schema, name = table.split(".")
            folder = raw / schema / name
            folder.mkdir(parents=True, exist_ok=True)
            if table in LEDGER_TABLES:
                for old in folder.glob("*.parquet"):
                    old.unlink()
                where, part = "true", "all"
            else:
                parts = sorted(folder.glob("*.parquet"))
                files = [str(p) for p in parts]
                newest = duck.execute(f"select coalesce(max(_ingestion_id), 0) from read_parquet({files})"
                                      ).fetchone()[0] if parts else 0
                where, part = f"_ingestion_id > {int(newest)}", f"after-{int(newest):012d}"
            counts[table] = duck.execute(f"select count(*) from {table} where {where}").fetchone()[0]
            if counts[table] or table in LEDGER_TABLES or not any(folder.glob("*.parquet")):
                duck.execute(f"copy (select * from {table} where {where}) to '{folder / (part + '.parquet')}' "
                             "(format parquet)")
    spark = spark_session(env)
    try:
        for table in [*raw_tables(), *LEDGER_TABLES]:
            schema, name = table.split(".")
            spark.sql(f"create database if not exists `{schema}`")
            spark.sql(f"drop table if exists `{schema}`.`{name}`")
            spark.sql(f"create table `{schema}`.`{name}` using parquet location '{raw / schema / name}'")
    finally:
        spark.stop()
    return LoadResult(counts, time.perf_counter() - started, ingestion)
