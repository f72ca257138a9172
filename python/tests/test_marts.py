"""History and time: incremental runs equal a full rebuild, builds are idempotent and crash-safe."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import duckdb
import pytest

from shopdw.testing import PROJECT_DIR, Warehouse, copy_table, dbt_executable, mart_differences

MART_TABLES = {"dim_customers", "dim_products", "dim_dates", "fct_orders", "fct_order_items", "fct_payments",
               "fct_web_events", "fct_sessions", "obt_order_items", "obt_customers"}
ML_TABLES = {"ml_customer_signals", "ml_customer_features_daily", "ml_customer_features_online", "ml_churn_labels",
             "ml_churn_training_set", "ml_churn_training_set_fingerprint", "ml_feature_drift_weekly"}


def clone_landing(source: Warehouse, target: Warehouse) -> None:
    shutil.copytree(source.landing, target.landing)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Warehouse:
    """A history built once, then seven next days built incrementally, as a scheduler would."""
    warehouse = Warehouse(tmp_path_factory.mktemp("replayed"))
    warehouse.generate(scale=0.2, days=20)
    warehouse.build(tests=False)
    # the features as they were before the next days: no later load may change them
    shutil.copy(warehouse.path, warehouse.root / "before_replay.duckdb")
    for day in range(7):
        warehouse.next_day()
        # the data tests run on the last day; the days before only build, as fast as possible
        warehouse.build(tests=day == 6)
    return warehouse


def test_seven_incremental_days_equal_a_full_refresh(replayed: Warehouse, tmp_path):
    rebuilt = Warehouse(tmp_path)
    clone_landing(replayed, rebuilt)
    # snapshots are history and never rebuilt: the second warehouse reuses the first one's
    copy_table(replayed.path, rebuilt.path, "snapshots", "snp_shop__products")
    rebuilt.build("--full-refresh", tests=False)
    differences = mart_differences(replayed.path, rebuilt.path)
    assert set(differences) == MART_TABLES
    assert differences == {table: 0 for table in MART_TABLES}
    ml_differences = mart_differences(replayed.path, rebuilt.path, schema="ml")
    assert ml_differences == {table: 0 for table in ML_TABLES}


def test_features_of_past_dates_never_change(replayed: Warehouse):
    """Seven days of new loads, late events, cancellations and CDC later: the point-in-time
    features of every as-of date built before are exactly as they were."""
    before = replayed.root / "before_replay.duckdb"
    with duckdb.connect() as con:
        con.execute(f"attach '{before}' as b (read_only)")
        con.execute(f"attach '{replayed.path}' as r (read_only)")
        last = con.execute("select max(as_of_date) from b.ml.ml_customer_features_daily").fetchone()[0]
        rows = con.execute("select count(*) from b.ml.ml_customer_features_daily").fetchone()[0]
        changed = con.execute(f"""
            select count(*) from (
                select * from b.ml.ml_customer_features_daily
                except all
                select * from r.ml.ml_customer_features_daily where as_of_date <= date '{last}')""").fetchone()[0]
        newer = con.execute(f"select count(*) from r.ml.ml_customer_features_daily where as_of_date > date '{last}'"
                            ).fetchone()[0]
    assert rows > 0 and newer > 0
    assert changed == 0


def test_the_replay_exercised_history(replayed: Warehouse):
    """The seven days must actually have changed things, or the equality above proves little."""
    assert replayed.scalar("select count(*) from marts.dim_customers where version_number > 1") > 0
    assert replayed.scalar("select count(*) from marts.dim_customers where is_deleted") > 0
    assert replayed.scalar("select count(*) from marts.dim_products where version_number > 1") > 0
    # a product discontinued during the replay: closed by the snapshot's hard-delete record
    assert replayed.scalar("select count(*) from snapshots.snp_shop__products where dbt_is_deleted = 'True'") > 0
    assert replayed.scalar("select count(*) from marts.fct_web_events "
                           "where received_at > occurred_at + interval 1 day") > 0
    assert replayed.scalar("select count(distinct order_status) from marts.fct_orders") >= 5


def test_a_second_build_changes_no_row(replayed: Warehouse, tmp_path):
    before = tmp_path / "before.duckdb"
    shutil.copy(replayed.path, before)
    replayed.build(tests=False)
    assert mart_differences(before, replayed.path) == {table: 0 for table in MART_TABLES}
    assert mart_differences(before, replayed.path, schema="ml") == {table: 0 for table in ML_TABLES}
    assert mart_differences(before, replayed.path, schema="snapshots") == {"snp_shop__products": 0}


def test_a_build_killed_midway_then_rerun_equals_an_uninterrupted_build(tmp_path):
    interrupted = Warehouse(tmp_path / "interrupted")
    interrupted.generate(scale=0.05, days=20)
    clean = Warehouse(tmp_path / "clean")
    clone_landing(interrupted, clean)
    clean.build(tests=False)

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
