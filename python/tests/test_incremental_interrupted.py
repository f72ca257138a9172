"""Incremental runs that are interrupted or undo earlier rows: a build killed with SIGKILL and
rerun, and an order rejected after it was accepted, end where an uninterrupted build or a full
refresh would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

from shopdw.testing import PROJECT_DIR, Warehouse, copy_table, dbt_executable, mart_differences

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
