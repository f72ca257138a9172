"""dbt's compiled SQL, run directly in one DuckDB session: the benchmark's measure of dbt's overhead.

Takes the compiled SQL of every model and data test from the run_results.json of a full
``dbt build`` and runs it without dbt, in dependency order, in a fresh database file with the
profile's settings (memory_limit, threads, temp_directory): models as ``create table ... as``
(views as views), data tests as ``select count(*) from (<test>)``. What is not SQL over data
is taken as dbt built it and not timed: the raw layer the sources read (what `shopdw ingest`
wrote), the seeds (loaded from CSV), the snapshot (its first run is a select of the current
products plus validity columns) and the test-results table of the on-run-start hook.

Run as ``python -m shopdw.benchmark.bench_raw RUN_RESULTS MANIFEST DBT_WAREHOUSE RAW_DATABASE``; prints
one JSON line: seconds for the models and for the tests, and per node.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import duckdb

COPIED = ("seed", "snapshot")


def _order(manifest: dict, nodes: set[str]) -> list[str]:
    """The nodes in dependency order (a depth-first topological sort)."""
    done, order = set(), []

    def visit(uid: str) -> None:
        if uid in done:
            return
        done.add(uid)
        for parent in manifest["nodes"].get(uid, {}).get("depends_on", {}).get("nodes", []):
            if parent in nodes:
                visit(parent)
        order.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return order


def _finished(uid: str, readers: dict[str, set[str]], done: set[str], manifest: dict) -> bool:
    """Whether everything that reads a relation has run, through views (a view reads on query)."""
    for reader in readers.get(uid, set()):
        if reader not in done:
            return False
        node = manifest["nodes"][reader]
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view" and \
                not _finished(reader, readers, done, manifest):
            return False
    return True


def _relation(node: dict) -> str:
    return f'"{node["schema"]}"."{node["alias"]}"'


def run(run_results: Path, manifest_path: Path, dbt_warehouse: Path, raw_database: Path) -> dict:
    results = json.loads(run_results.read_text())
    manifest = json.loads(manifest_path.read_text())
    compiled = {r["unique_id"]: r.get("compiled_code") for r in results["results"]}
    nodes = {uid for uid in compiled if uid in manifest["nodes"]}
    models = [uid for uid in _order(manifest, nodes) if manifest["nodes"][uid]["resource_type"] == "model"]
    tests = [uid for uid in nodes if manifest["nodes"][uid]["resource_type"] == "test"]
    copied = [uid for uid in nodes if manifest["nodes"][uid]["resource_type"] in COPIED]

    raw_database.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (raw_database, Path(str(raw_database) + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(raw_database), config={
        "memory_limit": os.environ.get("SHOP_DUCKDB_MEMORY_LIMIT", "3GB"),
        "threads": int(os.environ.get("DBT_THREADS", "2")),
        "temp_directory": os.environ.get("SHOP_DUCKDB_TEMP_DIR", str(raw_database.parent / "tmp")),
        "preserve_insertion_order": False,
    })
    con.execute("set TimeZone = 'UTC'")
    # the raw layer: the landing sources and the ingestion's own tables
    sources = [source for source in manifest["sources"].values()
               if source["source_name"] == "landing" or source.get("config", {}).get("meta", {}).get("landing")]
    schemas = {manifest["nodes"][uid]["schema"] for uid in nodes} | {"audit"} | {s["schema"] for s in sources}
    for schema in sorted(schemas):
        con.execute(f'create schema if not exists "{schema}"')
    # not timed: what dbt loads rather than computes
    con.execute(f"attach '{dbt_warehouse}' as built (read_only)")
    for uid in copied:
        node = manifest["nodes"][uid]
        con.execute(f'create table {_relation(node)} as select * from built."{node["schema"]}"."{node["alias"]}"')
    con.execute("create table audit.dq_test_results as select * from built.audit.dq_test_results limit 0")
    for source in sources:
        con.execute(f'create table "{source["schema"]}"."{source["identifier"]}" as '
                    f'select * from built."{source["schema"]}"."{source["identifier"]}"')
    con.execute("detach built")

    # models and tests in one dependency order (a test runs once its models exist); a staging or
    # intermediate table is dropped once everything that reads it has run, so the scratch file
    # holds the live tables only (at SF10 the full set would not fit beside the dbt warehouse)
    pending = {uid: set(manifest["nodes"][uid]["depends_on"]["nodes"]) & nodes for uid in tests}
    order, built = [], set(copied)
    for uid in models:
        order.append(uid)
        built.add(uid)
        ready = sorted(test for test, parents in pending.items() if parents <= built)
        order += ready
        for test in ready:
            del pending[test]
    order += sorted(pending)
    readers: dict[str, set[str]] = {}
    for uid in order:
        for parent in manifest["nodes"][uid]["depends_on"]["nodes"]:
            readers.setdefault(parent, set()).add(uid)
    timings: dict[str, float] = {}
    models_seconds = tests_seconds = 0.0
    failing = 0
    done: set[str] = set()
    for uid in order:
        node = manifest["nodes"][uid]
        sql = compiled[uid]
        begin = time.perf_counter()
        if node["resource_type"] == "test":
            failing += con.execute(f"select count(*) > 0 from (\n{sql}\n) as test_rows").fetchone()[0]
        elif node["config"]["materialized"] == "view":
            con.execute(f"create or replace view {_relation(node)} as (\n{sql}\n)")
        else:
            con.execute(f"create or replace table {_relation(node)} as (\n{sql}\n)")
        timings[uid] = time.perf_counter() - begin
        if node["resource_type"] == "test":
            tests_seconds += timings[uid]
        else:
            models_seconds += timings[uid]
        done.add(uid)
        for parent in node["depends_on"]["nodes"]:
            upstream = manifest["nodes"].get(parent)
            if (upstream and upstream["resource_type"] == "model" and upstream["schema"] in ("staging", "intermediate")
                    and upstream["config"]["materialized"] != "view" and _finished(parent, readers, done, manifest)):
                con.execute(f"drop table if exists {_relation(upstream)}")
    con.close()
    return {"models_seconds": models_seconds, "tests_seconds": tests_seconds, "models": len(models),
            "tests": len(tests), "tests_with_rows": failing, "copied": len(copied), "node_seconds": timings}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    result = run(*(Path(a) for a in argv[:4]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
