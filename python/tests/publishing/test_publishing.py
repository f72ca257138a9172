"""The reader file: it holds what readers may see and nothing else, no raw personal data, and a
long-lived pooled reader sees each publish."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
import sqlalchemy
import yaml

from shopdw.publishing import publish, readers
from testsupport.testing import PROJECT_DIR, Warehouse

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+[.][A-Za-z.]+")
PHONE = re.compile(r"[+]?[0-9]{1,3}[- ][0-9]{2,4}[- ][0-9]{3}[- ][0-9]{3,4}")


@pytest.fixture(scope="module")
def reader_file(built: Warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reader") / "warehouse.duckdb"
    publish.publish(built.path, path, built.target)
    return path


def _dbt_manifest(built: Warehouse) -> dict:
    return json.loads((built.target / "manifest.json").read_text())


def _classification(manifest: dict) -> dict[tuple[str, str], dict[str, str]]:
    """{(source, table): {column: pii class}} from the sources' column meta."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for source in manifest["sources"].values():
        for name, column in source["columns"].items():
            pii = column.get("meta", {}).get("pii") or column.get("config", {}).get("meta", {}).get("pii")
            if pii:
                found.setdefault((source["source_name"], source["name"]), {})[name] = pii
    return found


def _public_relations(manifest: dict) -> set[tuple[str, str]]:
    return {(n["schema"], n["alias"]) for n in manifest["nodes"].values()
            if (n["resource_type"] == "model" and n.get("access") == "public") or n["resource_type"] == "seed"}


def test_the_reader_file_holds_the_public_models_the_seeds_and_its_publication(built, reader_file):
    manifest = _dbt_manifest(built)
    with duckdb.connect(str(reader_file), read_only=True) as con:
        tables = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
        schemas = {s for (s,) in con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database()").fetchall()}
        publication = con.execute("select published_tables, published_schemas from main.publication").fetchall()
    public = _public_relations(manifest)
    assert tables == public | {("main", "publication")}
    # every schema holds something: no empty schema, no test failures, nothing restricted
    assert schemas == {s for s, _ in tables} == {"audit", "main", "marts", "ml", "quality", "reference"}
    assert {("audit", "audit_quarantine"), ("audit", "audit_row_accounting")} <= tables
    assert publication == [(len(public), "audit, marts, ml, quality, reference")]
    # read-only on disk: a client that forgets read_only is refused instead of locking it
    assert oct(reader_file.stat().st_mode & 0o777) == "0o444"


def test_the_reader_file_holds_no_raw_personal_value(built, reader_file):
    """Every text value of the reader file against the personal values the sources delivered
    (by the classification) and the patterns; raw_values JSON field by field."""
    classified = _classification(_dbt_manifest(built))
    assert classified == {("shop", "customers_cdc"): {"email": "email", "first_name": "name",
                                                      "last_name": "name", "phone": "phone"}}
    personal: dict[str, set[str]] = {}
    for (source, table), columns in classified.items():
        for column, pii_class in columns.items():
            values = built.query(f"select distinct {column} from {source}.{table} where {column} is not null")
            personal.setdefault(pii_class, set()).update(str(v).strip() for (v,) in values)
    assert len(personal["email"]) > 100 and len(personal["name"]) > 20
    contact = personal["email"] | personal["phone"]
    findings = []
    with duckdb.connect(str(reader_file), read_only=True) as con:
        columns = con.execute("select schema_name, table_name, column_name from duckdb_columns() "
                              "where data_type = 'VARCHAR' and database_name = current_database()").fetchall()
        raw_values_seen = 0
        for schema, table, column in columns:
            for (value,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}" '
                                        f'where "{column}" is not null').fetchall():
                if value.strip() in contact or EMAIL.search(value) or PHONE.search(value):
                    findings.append((schema, table, column, value))
                if column == "raw_values":
                    raw_values_seen += 1
                    fields = json.loads(value)
                    for key in ("email", "first_name", "last_name", "phone"):
                        if fields.get(key) is not None and "***" not in str(fields[key]):
                            findings.append((schema, table, column, value))
    assert findings == []
    assert raw_values_seen > 100


def test_the_masked_raw_values_keep_what_debugging_needs(built):
    """Readers see the initial, the domain and the last digits; data engineers the whole row,
    under the same key."""
    rows = built.query("""
        select unmasked.raw_values, published.raw_values
        from audit_restricted.audit_quarantine_unmasked as unmasked
        inner join audit.audit_quarantine as published using (quarantine_key)
        where unmasked.source_table = 'customers_cdc' and unmasked.raw_values like '%"email":"%@%'
        limit 50""")
    assert rows
    for unmasked, masked in (tuple(json.loads(v) for v in row) for row in rows):
        assert set(unmasked) == set(masked)
        assert {k: v for k, v in unmasked.items() if k not in ("email", "first_name", "last_name", "phone")} == {
            k: v for k, v in masked.items() if k not in ("email", "first_name", "last_name", "phone")}
        email = unmasked["email"].strip().lower()
        if "@" in email[1:]:
            assert masked["email"] == email[0] + "***@" + email.split("@")[-1]
        if unmasked["phone"] and len(unmasked["phone"].strip()) > 4:
            assert masked["phone"] == "***" + unmasked["phone"].strip()[-4:]
        if unmasked["first_name"] and len(unmasked["first_name"].strip()) > 1:
            assert masked["first_name"] == unmasked["first_name"].strip()[0] + "***"


# --- readers see each publish -----------------------------------------------------------

def _publish(built: Warehouse, path: Path) -> str:
    return publish.publish(built.path, path, built.target).publication_id


def test_a_plain_pooled_engine_keeps_the_replaced_build(built, tmp_path):
    """Why shopdw.publishing.readers exists: DuckDB shares one instance per path and process, so while
    a pooled connection is open, new connections of the process read the replaced file."""
    path = tmp_path / "warehouse.duckdb"
    first = _publish(built, path)
    engine = sqlalchemy.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        with engine.connect() as held:
            assert readers.publication_of(held) == first
            second = _publish(built, path)
            with engine.connect() as new:
                assert readers.publication_of(new) == first != second
    finally:
        engine.dispose()


def test_a_reader_engine_query_started_after_a_publish_reads_the_new_build(built, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    first = _publish(built, path)
    engine = readers.reader_engine(path, pool_size=4, max_overflow=4)
    try:
        # the pool warm with idle connections on the first build, one of them held across the swap
        idle = [engine.connect() for _ in range(3)]
        for con in idle:
            assert readers.publication_of(con) == first
            con.close()
        with engine.connect() as held:
            second = _publish(built, path)
            # a query running across the publish finishes on its build
            assert readers.publication_of(held) == first
            for _ in range(6):
                with engine.connect() as new:
                    assert readers.publication_of(new) == second
        with engine.connect() as con:
            assert readers.publication_of(con) == second
            assert con.execute(sqlalchemy.text("select count(*) from marts.fct_orders")).scalar_one() == built.scalar(
                "select count(*) from marts.fct_orders")
            # read-only: a reader cannot write into what others read
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only|read only"):
                con.execute(sqlalchemy.text("create table marts.scratch as select 1 as x"))
    finally:
        engine.dispose()


def test_concurrent_reader_engine_queries_never_read_a_build_older_than_their_start(built, tmp_path):
    """Eight threads query through one pooled engine while builds are published: a query that
    starts after a publish has returned reads that build or a newer one, never an older one."""
    path = tmp_path / "warehouse.duckdb"
    order = [_publish(built, path)]
    engine = readers.reader_engine(path, pool_size=4, max_overflow=4)
    stop, errors, late = threading.Event(), [], []

    def reader() -> None:
        while not stop.is_set():
            published_before = len(order)
            try:
                with engine.connect() as con:
                    seen = readers.publication_of(con)
            except Exception as err:  # noqa: BLE001 - every failure is a finding here
                errors.append(repr(err))
                continue
            # (a publication not listed yet is newer than every listed one)
            position = order.index(seen) if seen in order else len(order)
            if position < published_before - 1:
                late.append((position, published_before - 1))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            publication = _publish(built, path)
            order.append(publication)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        engine.dispose()
    assert errors == [] and late == []
    assert os.access(path, os.R_OK)


# --- BI-friendly columns ----------------------------------------------------------------

def test_a_bi_client_averages_the_flags_and_drops_partial_months(built, reader_file):
    """Through duckdb-engine as a BI tool: avg of a 0/1 companion is the rate its boolean
    says, and the complete months are exactly those whose every day lies between the first
    day with an order and the newest load minus reconciliation_settle_days."""
    engine = readers.reader_engine(reader_file)
    try:
        with engine.connect() as con:
            run = lambda sql: con.execute(sqlalchemy.text(sql)).one()  # noqa: E731
            churn, observed, churned = run("select avg(churned_flag), count(churned), "
                                           "count(*) filter (where churned) from ml.ml_churn_labels")
            assert observed > 0 and churn == pytest.approx(churned / observed)
            cancelled, lines, cancelled_lines = run(
                "select avg(cancelled_flag), count(*), count(*) filter (where is_cancelled) from marts.obt_order_items")
            assert cancelled == pytest.approx(cancelled_lines / lines)
            months = {m: c for m, c in con.execute(sqlalchemy.text(
                "select month_start_date, is_complete_month from marts.dim_dates")).all()}
            partial_lines = run("select count(*) from marts.obt_order_items where not is_order_month_complete")[0]
    finally:
        engine.dispose()
    first = built.scalar("select cast(min(placed_at) as date) from staging.stg_shop__orders")
    newest = built.scalar("select cast(max(loaded_at) as date) from (select loaded_at from staging.stg_shop__orders "
                          "union all select loaded_at from staging.stg_web__events)")
    settle_days = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["reconciliation_settle_days"]
    settled = newest - timedelta(days=settle_days)
    expected = {}
    for month in months:
        end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        expected[month] = first <= month and end <= settled
    assert months == expected
    # the generated history starts and ends inside a month: both ends are partial
    assert not months[first.replace(day=1)] and not months[newest.replace(day=1)]
    assert partial_lines > 0
