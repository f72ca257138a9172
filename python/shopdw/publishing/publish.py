"""Publish what readers may see of a finished build into a file of their own.

DuckDB lets one process write a database file, and a process holding the file open for
reading blocks a writer from opening it. So BI tools never open the file dbt builds in
(``$SHOP_WAREHOUSE_PATH``): they read the *published* warehouse, a second file that only
this step writes, and only by an atomic rename:

1. after a green ``dbt build`` (a failed build is never published), copy the relations readers
   may see into a new temporary file next to the published one, with their table and column
   comments. What readers may see is read from dbt's manifest: the public models
   (``access: public``) and the seeds (reference data); never staging, intermediate, the
   snapshots, the restricted audit or the stored test failures. ``main.publication`` says which
   build the file holds;
2. make the file read-only on disk and ``os.replace`` it onto the published path: a reader
   that opens the path gets either the whole previous build or the whole new one, never a
   mixture, and a reader that has the previous file open keeps reading it undisturbed (its
   inode lives on until it closes). ``shopdw.publishing.readers`` opens it so that every new query of a
   long-lived reader sees the newest publish.

The build file itself stays private to dbt (staging and intermediate tables, the snapshot
and incremental state), so builds never wait for readers either.
"""

from __future__ import annotations

import json
import os
import stat
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb


@dataclass
class PublishResult:
    path: Path
    tables: int
    rows: int
    seconds: float
    schemas: tuple[str, ...]
    publication_id: str


def published_relations(manifest_path: Path) -> list[tuple[str, str]]:
    """(schema, table) of what readers may see, from dbt's manifest: the public models
    (dbt ``access: public``, not ephemeral) and the seeds. The PII test of the project
    (assert_no_raw_pii_published) scans the same set, and the PostgreSQL reader roles are
    granted the same set."""
    if not manifest_path.exists():
        raise ValueError(f"{manifest_path} is missing: run `dbt build` before publishing")
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    relations = [(node["schema"], node["alias"]) for node in nodes
                 if (node["resource_type"] == "model" and node.get("access") == "public"
                     and node["config"]["materialized"] != "ephemeral")
                 or node["resource_type"] == "seed"]
    return sorted(relations)


GREEN = {"success", "pass", "warn", "skipped", "no-op"}


def check_last_build_green(run_results: Path) -> None:
    """Raise ValueError unless dbt's last invocation (its run_results.json) was a green build.

    A build whose model failed or whose error-severity test failed is never published, so the
    readers keep the last good one. Skipped nodes only count as green when nothing failed
    (dbt skips the children of a failure, and a failure fails this check anyway).
    """
    if not run_results.exists():
        raise ValueError(f"{run_results} is missing: run `dbt build` before publishing")
    results = json.loads(run_results.read_text())
    command = results.get("args", {}).get("which")
    if command != "build":
        raise ValueError(f"the last dbt command was `{command}`, not `build`: run `dbt build` before publishing")
    bad = [r["unique_id"] for r in results["results"] if r["status"] not in GREEN]
    if bad:
        raise ValueError(f"the last build was not green ({len(bad)} failed: {', '.join(bad[:5])}"
                         f"{'...' if len(bad) > 5 else ''}): the published warehouse keeps the last good build")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(build_path: Path, published_path: Path, target_dir: Path, memory_limit: str = "3GB",
            temp_directory: Path | None = None) -> PublishResult:
    """Copy what readers may see of the build file into ``published_path``, atomically.

    ``target_dir`` is dbt's target folder of the build (its manifest names the relations).
    Raises FileNotFoundError when the build file does not exist, ValueError when a published
    relation is missing or is a view (a view would read tables that are not published).
    """
    started = time.monotonic()
    build_path = Path(build_path)
    published_path = Path(published_path)
    if not build_path.exists():
        raise FileNotFoundError(f"no warehouse at {build_path}: run `dbt build` first")
    relations = published_relations(Path(target_dir) / "manifest.json")
    build = _build_of(Path(target_dir) / "run_results.json")
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    tmp_path.unlink(missing_ok=True)
    tables = rows = 0
    publication_id = str(uuid.uuid4())
    try:
        con = duckdb.connect()
        try:
            con.execute(f"set memory_limit = {_literal(memory_limit)}")
            if temp_directory is not None:
                con.execute(f"set temp_directory = {_literal(str(temp_directory))}")
            con.execute(f"attach {_literal(str(build_path))} as build (read_only)")
            con.execute(f"attach {_literal(str(tmp_path))} as published")
            found = {(schema, name): (kind, comment) for schema, name, kind, comment in con.execute(
                """
                select schema_name, table_name, 'table' as kind, comment from duckdb_tables()
                where database_name = 'build'
                union all
                select schema_name, view_name, 'view', comment from duckdb_views()
                where database_name = 'build' and not internal
                """).fetchall()}
            missing = [f"{s}.{t}" for s, t in relations if (s, t) not in found]
            views = [f"{s}.{t}" for s, t in relations if found.get((s, t), ("",))[0] == "view"]
            if missing:
                raise ValueError(f"published relations missing from {build_path}: {missing}")
            if views:
                raise ValueError(f"published relations are views, which would read unpublished tables: {views}")
            db = "published"
            schemas = tuple(sorted({s for s, _ in relations}))
            for schema in schemas:
                con.execute(f"create schema if not exists {db}.{_quote(schema)}")
            for schema, table in relations:
                comment = found[(schema, table)][1]
                target = f"{db}.{_quote(schema)}.{_quote(table)}"
                con.execute(f"create table {target} as select * from build.{_quote(schema)}.{_quote(table)}")
                if comment:
                    con.execute(f"comment on table {target} is {_literal(comment)}")
                for column, column_comment in con.execute(
                        "select column_name, comment from duckdb_columns() where database_name = 'build' "
                        "and schema_name = ? and table_name = ? and comment is not null",
                        [schema, table]).fetchall():
                    con.execute(f"comment on column {target}.{_quote(column)} is {_literal(column_comment)}")
                rows += con.execute(f"select count(*) from {target}").fetchone()[0]
                tables += 1
            _write_publication(con, db, publication_id, build, schemas, tables, rows)
            con.execute("detach build")
            con.execute("checkpoint published")
            con.execute("detach published")
        finally:
            con.close()
        # readers open it read-only; a client that forgets read_only is refused (unless root)
        # instead of taking a write lock on what every other reader opens
        tmp_path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(tmp_path, published_path)
        dir_fd = os.open(published_path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        tmp_path.unlink(missing_ok=True)
        Path(str(tmp_path) + ".wal").unlink(missing_ok=True)
    return PublishResult(published_path, tables, rows, time.monotonic() - started, schemas, publication_id)


def _build_of(run_results: Path) -> dict:
    """The dbt invocation that built what is published (empty when unknown)."""
    if not run_results.exists():
        return {}
    metadata = json.loads(run_results.read_text()).get("metadata", {})
    return {"invocation_id": metadata.get("invocation_id"), "generated_at": metadata.get("generated_at")}


def _write_publication(con: duckdb.DuckDBPyConnection, db: str, publication_id: str, build: dict,
                       schemas: tuple[str, ...], tables: int, rows: int) -> None:
    """main.publication: one row saying which build the file holds, so a reader can tell
    (and the default schema main is not empty)."""
    con.execute(f"""
        create table {db}.main.publication (
            publication_id varchar not null,
            published_at timestamp not null,
            dbt_invocation_id varchar,
            build_finished_at varchar,
            published_schemas varchar not null,
            published_tables integer not null,
            published_rows bigint not null
        )""")
    con.execute(f"insert into {db}.main.publication values (?, ?, ?, ?, ?, ?, ?)",
                [publication_id, datetime.now(UTC).replace(tzinfo=None), build.get("invocation_id"),
                 build.get("generated_at"), ", ".join(schemas), tables, rows])
    con.execute(f"comment on table {db}.main.publication is "
                f"{_literal('Which build this file holds: one row, written by shopdw publish.')}")
