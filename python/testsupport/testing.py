"""Test helpers: a throwaway warehouse (landing zone + DuckDB file + dbt target) in a folder."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path

import duckdb

from shopdw.generator.generate import Result, generate_history, generate_next_day
from shopdw.paths import PROJECT_DIR, dbt_executable, venv_executable

# dbt's parse of the project (partial_parse.msgpack), shared by the DuckDB warehouses of one
# pytest process: most test warehouses run one or two dbt commands, and a full parse is most
# of a small command's time. Keyed by what the parse depends on beyond the project's files,
# which dbt checks itself (checksums, env vars, CLI vars, profile).
_PARSES: dict[tuple[str, str, bool], bytes] = {}



@dataclass
class DbtResult:
    """A dbt command's exit code and output, and its nodes' results from run_results.json."""

    returncode: int
    output: str
    # node name (a test's name, `source_freshness` for a source: `<source>.<table>`) -> its result
    results: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def _result(self, name: str) -> dict:
        """The node of that name, or the one node whose name starts with it (dbt names a generic
        test after its arguments too: relationships_valid_at_fct_orders_customer_key__placed_at__...)."""
        if name in self.results:
            return self.results[name]
        matches = [n for n in self.results if n.startswith(name)]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} nodes named {name!r}... in run_results.json: {matches[:10]}; "
                           f"it ran: {sorted(self.results)[:40]}")
        return self.results[matches[0]]

    def status(self, name: str) -> str:
        """pass, fail, warn, error or skipped for a test; for a source: pass, warn, error, runtime error."""
        return self._result(name)["status"]

    def failures(self, name: str) -> int:
        """The failing rows dbt counted for a test (0 when it passed)."""
        return self._result(name).get("failures") or 0

    def outcome(self, name: str) -> tuple[str, int]:
        """(status, failing rows) of a test: ("fail", 1), ("warn", 2), ("pass", 0)..."""
        return self.status(name), self.failures(name)

    def failing(self) -> set[str]:
        """The tests that failed or errored (warnings are not failures)."""
        return {name for name, r in self.results.items() if r["status"] in ("fail", "error", "runtime error")}


def read_run_results(path: Path, since: float) -> dict[str, dict]:
    """The results of run_results.json (or sources.json, of `dbt source freshness`) by node name,
    if the file was written after `since`."""
    if not path.exists() or path.stat().st_mtime < since:
        return {}
    results = {}
    for result in json.loads(path.read_text())["results"]:
        unique_id = result["unique_id"]
        kind, _, rest = unique_id.split(".", 2)
        # tests: test.<project>.<name>[.<hash>]; sources: source.<project>.<source>.<table>
        name = rest if kind == "source" else rest.split(".")[0]
        results[name] = result
    return results


@dataclass
class Warehouse:
    """A landing zone, a warehouse file and dbt's target/log folders under one root."""

    root: Path
    # table and column comments cost a quarter of a small build: only the warehouses whose
    # tests read the comments write them
    persist_docs: bool = False
    # the dbt project to run (a changed copy, for tests that break a macro on purpose)
    project: Path = PROJECT_DIR
    # more environment: another engine's target and connection (DBT_TARGET, SHOP_PG_*)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published" / "warehouse.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"

    def copy_to(self, root: Path) -> Warehouse:
        """A private copy (landing zone and warehouse file) in root, to break on purpose."""
        copy = Warehouse(root, persist_docs=self.persist_docs, project=self.project)
        shutil.copytree(self.landing, copy.landing)
        shutil.copy(self.path, copy.path)
        return copy

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "SHOP_LANDING_DIR": str(self.landing),
            "SHOP_WAREHOUSE_PATH": str(self.path),
            "SHOP_DUCKDB_TEMP_DIR": str(self.root / "tmp"),
            "SHOP_PUBLISHED_PATH": str(self.published),
            "DBT_PROFILES_DIR": str(self.project),
            "DBT_TARGET_PATH": str(self.root / "target"),
            "DBT_LOG_PATH": str(self.root / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # repeated commands on one warehouse reuse the parse (half of a small command's time);
            # dbt parses again by itself when vars or env vars change
            "DBT_PARTIAL_PARSE": "true",
            "SHOP_PERSIST_DOCS": "true" if self.persist_docs else "false",
        })
        env.update(self.extra_env)
        return env

    def generate(self, scale: float = 0.05, days: int = 40, end_date: date = date(2026, 6, 30),
                 seed: int = 42, drift: dict | None = None) -> Result:
        return generate_history(self.landing, scale=scale, seed=seed, days=days, end_date=end_date,
                                force=True, progress=False, drift=drift)

    def next_day(self) -> Result:
        return generate_next_day(self.landing, progress=False)

    def manifest(self) -> dict:
        return json.loads((self.landing / "_manifest.json").read_text())

    def dbt(self, *args: str, vars: dict | None = None) -> DbtResult:
        command = [dbt_executable(), *args]
        if vars is not None:
            command += ["--vars", json.dumps(vars)]
        parse_key = self._restore_parse(vars)
        started = time.time()
        proc = subprocess.run(command, cwd=self.project, env=self._dbt_env(), capture_output=True, text=True,
                              check=False)
        self._keep_parse(parse_key)
        results = {**read_run_results(self.target / "run_results.json", started),
                   **read_run_results(self.target / "sources.json", started)}
        return DbtResult(proc.returncode, proc.stdout + proc.stderr, results)

    def _dbt_env(self) -> dict[str, str]:
        """env() for a dbt command. On DuckDB the warehouse file and the spill folder are named
        from HOME (DuckDB expands ~), so every test warehouse renders the same profile and dbt
        accepts the parse of another (its check compares the rendered connection settings)."""
        env = self.env()
        if "DBT_TARGET" not in self.extra_env:
            env.update({"HOME": str(self.root), "SHOP_WAREHOUSE_PATH": f"~/{self.path.name}",
                        "SHOP_DUCKDB_TEMP_DIR": "~/tmp"})
        return env

    def _restore_parse(self, vars: dict | None) -> tuple[str, str, bool] | None:
        """Put a kept parse of the same project, vars and settings in place, unless this
        warehouse's own is of them already. Returns the key (None: not shared, another engine)."""
        if "DBT_TARGET" in self.extra_env:
            return None
        key = (str(self.project), json.dumps(vars or {}, sort_keys=True), self.persist_docs)
        stamp = self.target / ".parse_key"
        if key in _PARSES and not (stamp.exists() and stamp.read_text() == repr(key)):
            self.target.mkdir(parents=True, exist_ok=True)
            (self.target / "partial_parse.msgpack").write_bytes(_PARSES[key])
            stamp.write_text(repr(key))
        return key

    def _keep_parse(self, key: tuple[str, str, bool] | None) -> None:
        saved = self.target / "partial_parse.msgpack"
        if key is not None and saved.exists():
            _PARSES[key] = saved.read_bytes()
            (self.target / ".parse_key").write_text(repr(key))

    def mf(self, *args: str) -> DbtResult:
        """MetricFlow's CLI (dbt-metricflow) on this warehouse.

        mf reads the semantic manifest from <project>/target/semantic_manifest.json whatever
        DBT_TARGET_PATH says, so this warehouse's (written by its last dbt command) is put there.
        """
        semantic_manifest = self.target / "semantic_manifest.json"
        if not semantic_manifest.exists():
            result = self.dbt("parse")
            if not result.ok:
                return result
        (PROJECT_DIR / "target").mkdir(exist_ok=True)
        # one mf at a time: the file is shared by every warehouse (pytest runs on two workers)
        with (PROJECT_DIR / "target" / ".mf.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            shutil.copy(semantic_manifest, PROJECT_DIR / "target" / "semantic_manifest.json")
            proc = subprocess.run([venv_executable("mf"), *args], cwd=PROJECT_DIR, env=self.env(),
                                  capture_output=True, text=True, check=False)
        return DbtResult(proc.returncode, proc.stdout + proc.stderr)

    def shopdw(self, *args: str) -> DbtResult:
        proc = subprocess.run([venv_executable("shopdw"), *args], cwd=PROJECT_DIR, env=self.env(),
                              capture_output=True, text=True, check=False)
        return DbtResult(proc.returncode, proc.stdout + proc.stderr)

    def ingest(self, *args: str) -> DbtResult:
        """shopdw ingest: the landing zone's new files into this warehouse's raw layer."""
        return self.shopdw("ingest", *args)

    def build(self, *args: str, vars: dict | None = None, tests: bool = True) -> DbtResult:
        """Ingestion, then dbt build, as `make build` runs them; with tests=False only seeds,
        snapshots and models (half the time of a small build), for tests that compare tables
        rather than run the data tests."""
        ingested = self.ingest()
        if not ingested.ok:
            raise AssertionError(f"shopdw ingest failed:\n{ingested.output[-6000:]}")
        if not tests:
            args = (*args, "--exclude", "resource_type:test", "resource_type:unit_test")
        result = self.dbt("build", *args, vars=vars)
        if not result.ok:
            raise AssertionError(f"dbt build failed:\n{result.output[-6000:]}")
        return result

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self.query(sql, params)[0][0]

    def execute(self, sql: str) -> None:
        with duckdb.connect(str(self.path)) as con:
            con.execute(sql)


def mart_differences(left: Path, right: Path, schema: str = "marts", ignore: tuple[str, ...] = (),
                     only: tuple[str, ...] | None = None) -> dict[str, int]:
    """Rows that differ, per table of `schema`, between two warehouse files (both directions)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'l' and schema_name = ? order by 1",
            [schema]).fetchall() if only is None or t in only]
        differences = {}
        for table in tables:
            columns = [c for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'l' and schema_name = ? "
                "and table_name = ? order by column_index", [schema, table]).fetchall() if c not in ignore]
            cols = ", ".join(f'"{c}"' for c in columns)
            diff = con.execute(
                f"select (select count(*) from (select {cols} from l.{schema}.{table} "
                f"except all select {cols} from r.{schema}.{table})) + "
                f"(select count(*) from (select {cols} from r.{schema}.{table} "
                f"except all select {cols} from l.{schema}.{table}))").fetchone()[0]
            rows = con.execute(f"select count(*) from l.{schema}.{table}").fetchone()[0]
            differences[table] = diff
            assert rows > 0 or table.startswith("obt") is False, table
        return differences


def copy_project(target: Path) -> Path:
    """A copy of the dbt project's own files (no data, target or logs) to change in a test."""
    for name in ("models", "macros", "seeds", "snapshots", "tests", "analyses"):
        shutil.copytree(PROJECT_DIR / name, target / name)
    for name in ("dbt_project.yml", "profiles.yml", "packages.yml"):
        if (PROJECT_DIR / name).exists():
            shutil.copy(PROJECT_DIR / name, target / name)
    return target


def copy_table(source: Path, target: Path, schema: str, table: str) -> None:
    """Copy one table from a warehouse file into another (e.g. to reuse a snapshot)."""
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace table {schema}.{table} as select * from src.{schema}.{table}")


def _comparable(value):
    """A value as both engines' drivers return it, in one form: floats to 9 significant digits,
    decimals as exact text, timezone-aware timestamps in UTC without the zone."""
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value else "NaN"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return tuple(_comparable(v) for v in value)
    return value


def _differences(duck: duckdb.DuckDBPyConnection, schemas: tuple[str, ...], engine: str, read_rows,
                 ignore_columns: dict[str, set[str]] | None = None) -> dict[str, str]:
    """Every base table of the schemas in the DuckDB warehouse compared with the same table on
    another engine (read_rows(schema, table, columns) -> rows), as multisets of rows."""
    from collections import Counter

    ignore_columns = ignore_columns or {}
    differences: dict[str, str] = {}
    tables = duck.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database() "
        f"and table_schema in ({', '.join('?' for _ in schemas)}) and table_type = 'BASE TABLE' order by 1, 2",
        list(schemas)).fetchall()
    for schema, table in tables:
        name = f"{schema}.{table}"
        columns = [c for (c,) in duck.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
            if c not in ignore_columns.get(name, set())]
        select = ", ".join(f'"{c}"' for c in columns)
        left = Counter(tuple(_comparable(v) for v in row)
                       for row in duck.execute(f'select {select} from "{schema}"."{table}"').fetchall())
        try:
            right = Counter(tuple(_comparable(v) for v in row) for row in read_rows(schema, table, columns))
        except Exception as err:  # noqa: BLE001 - reported as a difference
            differences[name] = f"not readable on {engine}: {str(err).splitlines()[0]}"
            continue
        if left != right:
            only_duck, only_other = left - right, right - left
            sample = next(iter(only_duck or only_other))
            differences[name] = (f"{sum(left.values())} rows on DuckDB, {sum(right.values())} on {engine}; "
                                 f"{sum(only_duck.values())} only on DuckDB, {sum(only_other.values())} only on "
                                 f"{engine}; e.g. {dict(zip(columns, sample))}")
    return differences


def engine_differences(duckdb_path: Path, pg_env: dict[str, str], schemas: tuple[str, ...] = ("marts", "ml"),
                       ignore_columns: dict[str, set[str]] | None = None) -> dict[str, str]:
    """Every table of the schemas compared, DuckDB file against PostgreSQL, as multisets of rows.

    Returns {schema.table: what differs}; empty when both engines built the same content.
    ignore_columns: {table: {columns}} left out of the comparison (each with its reason in the caller).
    """
    from shopdw.engines.load import postgres_connection

    duck = duckdb.connect(str(duckdb_path), read_only=True)
    pg = postgres_connection(pg_env)

    def read_rows(schema: str, table: str, columns: list[str]):
        select = ", ".join(f'"{c}"' for c in columns)
        with pg.cursor() as cur:
            try:
                cur.execute(f'select {select} from "{schema}"."{table}"')
            except Exception:
                pg.rollback()
                raise
            return cur.fetchall()

    try:
        return _differences(duck, schemas, "PostgreSQL", read_rows, ignore_columns)
    finally:
        duck.close()
        pg.close()


def spark_engine_differences(duckdb_path: Path, spark_env: dict[str, str], workdir: Path,
                             schemas: tuple[str, ...] = ("marts", "ml"),
                             ignore_columns: dict[str, set[str]] | None = None) -> dict[str, str]:
    """As engine_differences, against the local Spark warehouse of spark_env: its tables are
    copied to Parquet by a separate process (shopdw.engines.spark_tables) and read by DuckDB. A table
    missing on Spark is reported as a difference."""
    shutil.rmtree(workdir, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-m", "shopdw.engines.spark_tables", str(workdir), *schemas],
                          env=spark_env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"exporting the Spark tables failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    # Spark's metastore keeps names in lower case
    exported = {name.lower() for name in json.loads((workdir / "_tables.json").read_text())}
    duck = duckdb.connect(str(duckdb_path), read_only=True)

    def read_rows(schema: str, table: str, columns: list[str]):
        name = f"{schema}.{table}".lower()
        if name not in exported:
            raise LookupError("no such table")
        select = ", ".join(f'"{c}"' for c in columns)
        return duck.execute(f"select {select} from read_parquet('{workdir / name}/*.parquet')").fetchall()

    try:
        return _differences(duck, schemas, "Spark", read_rows, ignore_columns)
    finally:
        duck.close()
