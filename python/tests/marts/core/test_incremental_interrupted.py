"""Incremental runs that are interrupted or undo earlier rows: a build killed with SIGKILL and
rerun, and an order rejected after it was accepted, end where an uninterrupted build or a full
refresh would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

from testsupport.testing import PROJECT_DIR, Warehouse, copy_table, dbt_executable, mart_differences

MART_TABLES = {"dim_customers", "dim_products", "dim_dates", "fct_orders", "fct_order_items", "fct_payments",
               "fct_web_events", "fct_sessions", "obt_order_items", "obt_customers"}
ML_TABLES = {"ml_customer_signals", "ml_customer_features_daily", "ml_customer_features_online", "ml_churn_labels",
             "ml_churn_training_set", "ml_churn_training_set_fingerprint", "ml_feature_drift_weekly"}


def clone_landing(source: Warehouse, target: Warehouse) -> None:
    shutil.copytree(source.landing, target.landing)


def test_a_build_killed_midway_then_rerun_equals_an_uninterrupted_build(tmp_path):
    interrupted = Warehouse(tmp_path / "interrupted")
    interrupted.generate(scale=0.05, days=20)
    clean = Warehouse(tmp_path / "clean")
    clone_landing(interrupted, clean)
    clean.build(tests=False)

    assert interrupted.ingest().ok
    process = subprocess.Popen([dbt_executable(), "build"], cwd=PROJECT_DIR, env=interrupted.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    seen = []
    deadline = time.monotonic() + 300
    for line in process.stdout:
        seen.append(line)
        # kill it in the middle of the marts, after some facts were written
        if "START sql incremental model marts.fct_web_events" in line or time.monotonic() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert any("OK created" in line for line in seen), "the build was killed before it wrote anything"

    interrupted.build()
    assert mart_differences(clean.path, interrupted.path) == {table: 0 for table in MART_TABLES}


def test_an_order_rejected_after_it_was_accepted_leaves_the_incremental_facts(tmp_path):
    """A customer whose email moves to the QA domain becomes a test account: its orders, already
    in the incremental fct_order_items, must go, as a full refresh would drop them."""
    import json

    warehouse = Warehouse(tmp_path / "incremental")
    warehouse.generate(scale=0.05, days=10)
    warehouse.build(tests=False)
    # a customer with a single order: its purchase event then stays within the reconciliation
    # tolerance (QA accounts' web traffic is not excluded from the web facts)
    customer_id, lines = warehouse.query(
        "select customer_id, count(*) from marts.fct_order_items group by 1 "
        "having count(distinct order_id) = 1 order by 1 limit 1")[0]
    assert lines > 0
    change = {"lsn": "999999999", "op": "u", "committed_at": "2026-07-01T09:00:00Z",
              "customer_id": str(customer_id), "email": f"qa{customer_id}@qa.example-shop.internal",
              "first_name": "Q", "last_name": "A", "phone": "+1-202-555-0100", "city": "Berlin",
              "country_code": "DE", "segment": "standard", "signed_up_at": "2024-01-01T00:00:00Z",
              "_loaded_at": "2026-07-02T02:00:00Z"}
    (warehouse.landing / "shop" / "customers_cdc" / "2026-07-01.jsonl").write_text(json.dumps(change) + "\n")
    warehouse.build(tests=False)
    assert warehouse.scalar("select count(*) from marts.fct_order_items where customer_id = ?", [customer_id]) == 0

    rebuilt = Warehouse(tmp_path / "rebuilt")
    clone_landing(warehouse, rebuilt)
    copy_table(warehouse.path, rebuilt.path, "snapshots", "snp_shop__products")
    rebuilt.build("--full-refresh", tests=False)
    assert mart_differences(warehouse.path, rebuilt.path) == {table: 0 for table in MART_TABLES}
    assert warehouse.scalar("select count(*) from ml.ml_customer_features_daily where customer_id = ?",
                            [customer_id]) == 0
    assert mart_differences(warehouse.path, rebuilt.path, schema="ml") == {table: 0 for table in ML_TABLES}


def test_a_conflicting_redelivery_takes_back_a_staged_version_as_a_full_refresh_would(tmp_path):
    """A later file repeats an order version (same order_id and updated_at) with another status:
    the source contradicted itself, so neither copy may be published, whatever came first. The
    version staged days ago goes to quarantine with its contradiction, and the order falls back
    to its previous version, in the incremental run exactly as in a full refresh."""
    import csv

    warehouse = Warehouse(tmp_path / "incremental")
    warehouse.generate(scale=0.05, days=10)
    warehouse.build(tests=False)
    order_id, status, previous_status = warehouse.query("""
        select order_id, order_status, previous_status
        from (
            select
                order_id, order_status, updated_at,
                lag(order_status) over (partition by order_id order by updated_at) as previous_status,
                row_number() over (partition by order_id order by updated_at desc) as newest
            from intermediate.int_shop__order_versions
        )
        where newest = 1 and previous_status is not null and order_status != 'cancelled'
        order by order_id limit 1""")[0]
    columns = [row[0] for row in warehouse.query(
        "select column_name from information_schema.columns "
        "where table_schema = 'shop' and table_name = 'orders' and column_name not in ('filename', '_ingestion_id') "
        "order by ordinal_position")]
    raw = warehouse.query(
        f"select {', '.join(columns)} from shop.orders "
        "where try_cast(order_id as bigint) = ? and lower(trim(status)) = ? limit 1", [order_id, status])[0]
    conflicting = dict(zip(columns, raw)) | {"status": "cancelled", "_loaded_at": "2026-07-02T02:00:00Z"}
    with open(warehouse.landing / "shop" / "orders" / "2026-07-01.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerow(conflicting)
    warehouse.build(tests=False)

    status = warehouse.scalar("select order_status from marts.fct_orders where order_id = ?", [order_id])
    assert status == previous_status
    assert warehouse.scalar(
        "select count(*) from audit.audit_quarantine where source_table = 'orders' "
        "and reason_code = 'conflicting_duplicate' and entity_id = ?", [str(order_id)]) == 2
    accounting = warehouse.query("select raw_rows, staged_rows + quarantined_rows + duplicate_rows + superseded_rows "
                                 "from audit.audit_row_accounting where source_table = 'orders'")[0]
    assert accounting[0] == accounting[1]

    rebuilt = Warehouse(tmp_path / "rebuilt")
    clone_landing(warehouse, rebuilt)
    copy_table(warehouse.path, rebuilt.path, "snapshots", "snp_shop__products")
    rebuilt.build("--full-refresh", tests=False)
    assert mart_differences(warehouse.path, rebuilt.path) == {table: 0 for table in MART_TABLES}
    # the two warehouses read the same files from two folders: the file path (and the key
    # hashed from it) differs, nothing else may
    audit_tables = ("audit_quarantine", "audit_row_accounting")
    assert mart_differences(warehouse.path, rebuilt.path, schema="audit", only=audit_tables,
                            ignore=("quarantine_key", "source_file")) == {table: 0 for table in audit_tables}


def test_a_change_of_a_customer_not_yet_created_waits_in_quarantine_for_its_creation(tmp_path):
    """A CDC update names a customer the feed has not created: it refers to nobody, so it is
    quarantined as unknown_customer. When a later file brings the creation (committed before the
    update), the update is staged and the customer has both versions, exactly as in a full
    refresh; a delete of a customer that is never created stays in quarantine."""
    import json

    warehouse = Warehouse(tmp_path / "incremental")
    warehouse.generate(scale=0.05, days=10)
    warehouse.build(tests=False)
    person = {"first_name": "Ada", "last_name": "Byron", "phone": "+1-202-555-0199", "city": "Berlin",
              "country_code": "DE", "signed_up_at": "2026-07-01T08:00:00Z"}
    update = person | {"lsn": "999999001", "op": "u", "committed_at": "2026-07-01T09:00:00Z",
                       "customer_id": "77000001", "email": "ada.byron@example.com", "segment": "gold",
                       "_loaded_at": "2026-07-02T02:00:00Z"}
    delete = person | {"lsn": "999999002", "op": "d", "committed_at": "2026-07-01T10:00:00Z",
                       "customer_id": "77000002", "email": "nobody@example.com", "segment": "standard",
                       "_loaded_at": "2026-07-02T02:00:00Z"}
    cdc = warehouse.landing / "shop" / "customers_cdc"
    (cdc / "2026-07-01.jsonl").write_text(json.dumps(update) + "\n" + json.dumps(delete) + "\n")
    warehouse.build(tests=False)

    def waiting() -> dict:
        return dict(warehouse.query(
            "select entity_id, count(*) from audit.audit_quarantine "
            "where source_table = 'customers_cdc' and reason_code = 'unknown_customer' "
            "and entity_id in ('77000001', '77000002') group by 1"))

    assert waiting() == {"77000001": 1, "77000002": 1}
    assert warehouse.scalar("select count(*) from marts.dim_customers where customer_id = 77000001") == 0

    create = person | {"lsn": "999999000", "op": "c", "committed_at": "2026-07-01T08:00:00Z",
                       "customer_id": "77000001", "email": "ada.byron@example.com", "segment": "standard",
                       "_loaded_at": "2026-07-03T02:00:00Z"}
    (cdc / "2026-07-02.jsonl").write_text(json.dumps(create) + "\n")
    warehouse.build(tests=False)

    assert waiting() == {"77000002": 1}
    assert warehouse.query("select segment, is_current from marts.dim_customers where customer_id = 77000001 "
                           "order by valid_from") == [("standard", False), ("gold", True)]

    rebuilt = Warehouse(tmp_path / "rebuilt")
    clone_landing(warehouse, rebuilt)
    copy_table(warehouse.path, rebuilt.path, "snapshots", "snp_shop__products")
    rebuilt.build("--full-refresh", tests=False)
    assert mart_differences(warehouse.path, rebuilt.path) == {table: 0 for table in MART_TABLES}
    audit_tables = ("audit_quarantine", "audit_row_accounting")
    assert mart_differences(warehouse.path, rebuilt.path, schema="audit", only=audit_tables,
                            ignore=("quarantine_key", "source_file")) == {table: 0 for table in audit_tables}
