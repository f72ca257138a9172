"""Publish the reader-facing schemas of a finished build into a file of their own.

DuckDB lets one process write a database file, and a process holding the file open for
reading blocks a writer from opening it. So BI tools never open the file dbt builds in
(``$SHOP_WAREHOUSE_PATH``): they read the *published* warehouse, a second file that only
this step writes, and only by an atomic rename:

1. after a green ``dbt build`` (a failed build is never published), copy the schemas that
   readers use (marts, ml, quality, audit, reference, snapshots) from the build file into
   a new temporary file next to the published one, with their table and column comments;
2. ``os.replace`` the temporary file onto the published path: a reader that opens the path
   gets either the whole previous build or the whole new one, never a mixture, and a reader
   that has the previous file open keeps reading it undisturbed (its inode lives on until
   it closes).

The build file itself stays private to dbt (staging and intermediate tables, the snapshot
and incremental state), so builds never wait for readers either.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts", "ml", "quality", "audit", "reference", "snapshots")


@dataclass
class PublishResult:
    path: Path
    tables: int
    rows: int
    seconds: float


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


def publish(build_path: Path, published_path: Path, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
            memory_limit: str = "3GB", temp_directory: Path | None = None) -> PublishResult:
    """Copy ``schemas`` of the build file into ``published_path``, atomically.

    Raises FileNotFoundError when the build file does not exist and ValueError when a
    published schema holds a view (a view would read tables that are not published).
    """
    started = time.monotonic()
    build_path = Path(build_path)
    published_path = Path(published_path)
    if not build_path.exists():
        raise FileNotFoundError(f"no warehouse at {build_path}: run `dbt build` first")
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    tmp_path.unlink(missing_ok=True)
    tables = rows = 0
    try:
        con = duckdb.connect()
        try:
            con.execute(f"set memory_limit = {_literal(memory_limit)}")
            if temp_directory is not None:
                con.execute(f"set temp_directory = {_literal(str(temp_directory))}")
            con.execute(f"attach {_literal(str(build_path))} as build (read_only)")
            con.execute(f"attach {_literal(str(tmp_path))} as published")
            relations = con.execute(
                """
                select schema_name, table_name, 'table' as kind, comment from duckdb_tables()
                where database_name = 'build' and schema_name in (select unnest($1::varchar[]))
                union all
                select schema_name, view_name, 'view', comment from duckdb_views()
                where database_name = 'build' and schema_name in (select unnest($1::varchar[]))
                    and not internal
                order by 1, 2
                """, [list(schemas)]).fetchall()
            views = [f"{s}.{t}" for s, t, kind, _ in relations if kind == "view"]
            if views:
                raise ValueError(f"published schemas hold views, which would read unpublished tables: {views}")
            db = "published"
            for schema in sorted({s for s, *_ in relations}):
                con.execute(f"create schema if not exists {db}.{_quote(schema)}")
            for schema, table, _, comment in relations:
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
            con.execute("detach build")
            con.execute("checkpoint published")
            con.execute("detach published")
        finally:
            con.close()
        os.replace(tmp_path, published_path)
        dir_fd = os.open(published_path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        tmp_path.unlink(missing_ok=True)
        Path(str(tmp_path) + ".wal").unlink(missing_ok=True)
    return PublishResult(published_path, tables, rows, time.monotonic() - started)
