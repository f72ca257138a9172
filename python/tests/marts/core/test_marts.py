"""History and time: incremental runs equal a full rebuild of the same raw layer under any lateness,
builds are idempotent and crash-safe."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from testsupport.testing import Warehouse, mart_differences

MART_TABLES = {"dim_customers", "dim_products", "dim_dates", "fct_orders", "fct_order_items", "fct_payments",
               "fct_web_events", "fct_sessions", "obt_order_items", "obt_customers"}
ML_TABLES = {"ml_customer_signals", "ml_customer_features_daily", "ml_customer_features_online", "ml_churn_labels",
             "ml_churn_training_set", "ml_churn_training_set_fingerprint", "ml_feature_drift_weekly"}


# every table a build writes, raw layer included
# (replay_log: what the replay test kept of each night, not the warehouse's own)
SCHEMAS = ("landing", "shop", "web", "reference", "staging", "intermediate", "snapshots", "marts", "ml", "audit",
           "quality")
# the test-result history and the ingestion log depend on how many runs a warehouse has seen,
# not on the data
RUN_HISTORY = {"audit.dq_test_results", "audit.tested_ingestions", "quality.dq_test_results_daily",
               "landing.ingestion_log"}
END = date(2026, 6, 30)
REPLAY_DAYS = 14
LATE_DAY = END - timedelta(days=13)   # delivered on replay day 2, when the newest load is 15 days later
LATE_TABLES = ("web/events", "shop/orders", "shop/order_items", "shop/payments")


def warehouse_differences(left: Path, right: Path) -> dict[str, int]:
    """Rows that differ, per table of every schema a build writes, between two warehouse files."""
    found = {}
    for schema in SCHEMAS:
        for table, count in mart_differences(left, right, schema=schema).items():
            if f"{schema}.{table}" not in RUN_HISTORY:
                found[f"{schema}.{table}"] = count
    return found


def rebuilt_from_the_same_raw_layer(warehouse: Warehouse, folder: Path) -> Warehouse:
    """A copy of the warehouse rebuilt with --full-refresh from its own raw layer (the same
    landing zone and run date: nothing new to ingest); snapshots keep their history."""
    folder.mkdir(parents=True)
    shutil.copy(warehouse.path, folder / "warehouse.duckdb")
    rebuilt = Warehouse(folder, extra_env={**warehouse.extra_env, "SHOP_LANDING_DIR": str(warehouse.landing)})
    rebuilt.build("--full-refresh", tests=False)
    return rebuilt


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Warehouse:
    """A history built once, then fourteen next days built incrementally, as the nightly job
    would, with what a real landing zone does to it: one day's files delivered 15 days late, a
    future-dated file, a file delivered again unchanged, and a file changed after its ingestion
    (the run stops, nothing changes; the file is put back)."""
    root = tmp_path_factory.mktemp("replayed")
    warehouse = Warehouse(root, extra_env={"SHOP_RUN_DATE": str(END)})
    warehouse.generate(scale=0.1, days=30, end_date=END)
    stash = root / "late"
    for folder in LATE_TABLES:
        (stash / folder).mkdir(parents=True)
        shutil.move(warehouse.landing / folder / f"{LATE_DAY}.{'jsonl' if folder.startswith('web') else 'csv'}",
                    stash / folder)
    warehouse.build(tests=False)
    # the features as they were before the next days: no later load may change them
    shutil.copy(warehouse.path, root / "before_replay.duckdb")
    events = warehouse.landing / "web" / "events"
    for day in range(1, REPLAY_DAYS + 1):
        warehouse.next_day()
        warehouse.extra_env["SHOP_RUN_DATE"] = str(END + timedelta(days=day))
        if day == 1:
            future = events / f"{END + timedelta(days=REPLAY_DAYS + 10)}.jsonl"
            shutil.copy(events / f"{END}.jsonl", future)
            future.write_text(future.read_text().replace('"event_id":"', '"event_id":"future-'))
        if day == 2:
            for folder in LATE_TABLES:
                for path in (stash / folder).iterdir():
                    shutil.move(path, warehouse.landing / folder / path.name)
        if day == 4:
            touched = events / f"{END - timedelta(days=3)}.jsonl"
            os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
        if day == 6:
            changed = warehouse.landing / "shop" / "orders" / f"{END}.csv"
            original = changed.read_bytes()
            changed.write_bytes(original.replace(b",paid,", b",cancelled,", 1))
            before = warehouse.root / "before_change.duckdb"
            shutil.copy(warehouse.path, before)
            stopped = warehouse.ingest()
            assert not stopped.ok and str(changed) in stopped.output and "changed after it was ingested" in \
                stopped.output, stopped.output
            assert not any(warehouse_differences(before, warehouse.path).values())
            changed.write_bytes(original)
        # the data tests run on the last day; the days before only build, as fast as possible
        warehouse.build(tests=day == REPLAY_DAYS)
        remember_what_a_night_published(warehouse)
    return warehouse


def remember_what_a_night_published(warehouse: Warehouse) -> None:
    """Keep, in a table of the test's own, what each nightly build published that a later night
    may change: the orders waiting for their customer, the sessions, the anonymous events."""
    warehouse.execute("""
        create schema if not exists replay_log;
        create table if not exists replay_log.waiting_orders (order_id bigint);
        create table if not exists replay_log.sessions (session_id varchar);
        create table if not exists replay_log.anonymous_events (event_id varchar);
        insert into replay_log.waiting_orders
            select cast(entity_id as bigint) from audit.audit_quarantine
            where source_table = 'orders' and reason_code = 'unknown_customer';
        insert into replay_log.sessions select session_id from marts.fct_sessions;
        insert into replay_log.anonymous_events select event_id from marts.fct_web_events where customer_id is null;
    """)


def test_fourteen_incremental_days_equal_a_full_refresh_of_the_same_raw_layer(replayed: Warehouse, tmp_path):
    rebuilt = rebuilt_from_the_same_raw_layer(replayed, tmp_path / "rebuilt")
    differences = warehouse_differences(replayed.path, rebuilt.path)
    assert {f"marts.{t}" for t in MART_TABLES} | {f"ml.{t}" for t in ML_TABLES} <= set(differences)
    assert {name for name, count in differences.items() if count} == set()


def test_the_replay_met_what_a_landing_zone_does(replayed: Warehouse):
    """The hostile cases happened, and the late day reached every fact."""
    log = dict(replayed.query("select outcome, count(*) from landing.ingestion_log group by 1"))
    assert log.get("held_back", 0) == REPLAY_DAYS and log.get("redelivered", 0) == 2
    assert replayed.scalar("select count(*) from landing.ingested_files where redeliveries > 0") == 2
    late = replayed.query("select source_table, late_arrival_at from landing.ingested_files "
                          "where late_arrival_at is not null order by 1")
    assert {load_date for (load_date,) in replayed.query(
        "select load_date from landing.ingested_files where late_arrival_at is not null")} == {LATE_DAY}
    assert [table for table, _ in late] == ["events", "order_items", "orders", "payments"]
    assert all(arrival is not None and arrival.date() > LATE_DAY + timedelta(days=14) for _, arrival in late)
    assert replayed.scalar("select count(*) from web.events where filename like '%future-%' "
                           "or event_id like 'future-%'") == 0
    # the late day's rows reached the facts (a lookback of hours would have left them out)
    assert replayed.scalar("select count(*) from marts.fct_web_events where event_date = ?", [LATE_DAY]) > 0
    assert replayed.scalar("select count(*) from marts.fct_order_items f join staging.stg_shop__order_items s "
                           "using (order_item_id) where s.load_date = ?", [LATE_DAY]) > 0
    assert replayed.scalar("select count(*) from marts.fct_sessions s where exists (select 1 from "
                           "marts.fct_web_events e where e.session_id = s.session_id and e.ingestion_id in "
                           "(select ingestion_id from landing.ingested_files where load_date = ?))", [LATE_DAY]) > 0


def test_features_of_past_dates_never_change(replayed: Warehouse):
    """Fourteen days of new loads, a day delivered late, cancellations and CDC later: the
    point-in-time features of every as-of date built before are exactly as they were."""
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
    """The fourteen nights must actually have changed things, or the equality above proves little."""
    during_replay = f"load_date > date '{END}'"
    assert replayed.scalar("select count(*) from marts.dim_customers where version_number > 1") > 0
    # a customer deleted, and a product discontinued (the snapshot's hard-delete record), during the replay
    assert replayed.scalar("select count(*) from staging.stg_shop__customer_changes "
                           f"where is_delete and {during_replay}"
                           ) > 0
    assert replayed.scalar(f"""
        select count(*) from (
            select product_id, max(load_date) as last_extract from staging.base_shop__products group by 1)
        where last_extract > date '{END}'
            and last_extract < (select max(load_date) from staging.base_shop__products)""") > 0
    assert replayed.scalar("select count(*) from snapshots.snp_shop__products where dbt_is_deleted = 'True'") > 0
    assert replayed.scalar("select count(*) from marts.fct_web_events "
                           "where received_at > occurred_at + interval 1 day") > 0
    assert replayed.scalar("select count(distinct order_status) from marts.fct_orders") >= 5


def test_orders_that_arrived_before_their_customer_waited_then_were_admitted(replayed: Warehouse):
    """An order whose customer's creation the CDC feed delivered days later: quarantined as
    unknown customer by the nights before, admitted (facts, quarantine, features) once it came."""
    admitted = replayed.query("""
        select orders.order_id, min(orders.load_date), min(customer.load_date)
        from staging.base_shop__orders as orders
        inner join staging.stg_shop__customer_changes as customer on orders.customer_id = customer.customer_id
        where orders.order_id in (select order_id from replay_log.waiting_orders)
            and orders.order_id in (select order_id from marts.fct_orders)
            and orders.order_id not in (select cast(entity_id as bigint) from audit.audit_quarantine
                                        where source_table = 'orders' and entity_id is not null)
        group by 1""")
    assert admitted and all(order_loaded < customer_loaded for _, order_loaded, customer_loaded in admitted)
    # the features count it from its customer's arrival, not from its own load
    order_ids = ", ".join(str(order_id) for order_id, _, _ in admitted)
    assert replayed.scalar(f"""
        select count(*) from ml.ml_customer_signals as signals
        inner join marts.fct_orders as orders on signals.customer_id = orders.customer_id
            and signals.event_at = orders.placed_at and signals.signal_name = 'order_placed'
        inner join intermediate.int_shop__customer_lifespans as lifespans
            on orders.customer_id = lifespans.customer_id
        where orders.order_id in ({order_ids}) and signals.known_from >= lifespans.known_from""") == len(admitted)


def test_late_events_merged_sessions_and_a_login_reattributed_a_device(replayed: Warehouse):
    """A session published by one night was merged into another by late events a later night,
    and events published as anonymous were attributed to a customer once the device logged in."""
    assert replayed.scalar("select count(distinct session_id) from replay_log.sessions "
                           "where session_id not in (select session_id from marts.fct_sessions)") > 0
    assert replayed.scalar("select count(*) from marts.fct_web_events where customer_id is not null "
                           "and event_id in (select event_id from replay_log.anonymous_events)") > 0


def test_a_second_build_changes_no_row(replayed: Warehouse, tmp_path):
    before = tmp_path / "before.duckdb"
    shutil.copy(replayed.path, before)
    replayed.build(tests=False)
    differences = warehouse_differences(before, replayed.path)
    assert differences and {name for name, count in differences.items() if count} == set()
