"""ML features: point-in-time correctness, leakage tests that catch leaks, parity, export, drift."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from shopdw.features import catalog as features
from shopdw.publishing.export import export_features
from testsupport.testing import PROJECT_DIR, Warehouse, copy_project

# long enough for the warm-up (90 days), the label window and the splits; big enough that a
# week of the churn population is a sample the drift monitor judges
SCALE, DAYS, END = 0.2, 270, date(2026, 6, 30)
# the drift world: the warm-up, the drift_reference_weeks sample dates and then a month before
# the drift, which lasts the last seven weeks
DRIFT_DAYS, DRIFT_FROM = 180, "2026-05-10"
LEAKAGE_TESTS = ["assert_features_match_point_in_time_recompute", "assert_labels_look_only_forward",
                 "assert_training_splits_are_separated_in_time", "assert_online_features_match_offline"]


@pytest.fixture(scope="module")
def ml(tmp_path_factory) -> Warehouse:
    warehouse = Warehouse(tmp_path_factory.mktemp("ml"))
    warehouse.generate(scale=SCALE, days=DAYS, end_date=END)
    warehouse.build()
    return warehouse


@pytest.fixture
def tampered(ml: Warehouse, tmp_path) -> Warehouse:
    return ml.copy_to(tmp_path)


def test_ml_marts_are_built_and_leak_free(ml: Warehouse):
    fingerprint = ml.query("select sample_count, train_count, valid_count, test_count, churn_rate "
                           "from ml.ml_churn_training_set_fingerprint")[0]
    samples, train, valid, test, rate = fingerprint
    assert samples == train + valid + test and min(train, valid, test) > 0
    assert 0.1 < rate < 0.9
    result = ml.dbt("test", "-s", *LEAKAGE_TESTS, "assert_no_feature_drift_in_newest_week")
    assert result.ok, result.output[-3000:]
    for test in LEAKAGE_TESTS + ["assert_no_feature_drift_in_newest_week"]:
        assert result.failures(test) == 0
    # the recompute compares real values, not zeros
    assert ml.scalar("select count(*) from ml.ml_customer_features_daily where sessions_30d > 0 "
                     "and orders_30d > 0 and failed_payments_90d > 0") > 0


@pytest.mark.parametrize("leak, sql", [
    # availability judged by when a row happened instead of when it was loaded: late events,
    # late order files and payments count before they reached the warehouse
    ("event time instead of load time",
     "update ml.ml_customer_signals set known_from = event_at"),
    # today's state of every order applied to the past: a later cancellation is known at once
    ("orders in their final state",
     "update ml.ml_customer_signals set known_until = null, known_from = least(known_from, event_at) "
     "where signal_name = 'order_value_usd'"),
    # identity stitching known from the event's own load, before the login that revealed it
    ("stitching known before the login",
     "update ml.ml_customer_signals set known_from = event_at "
     "where signal_name in ('product_view', 'session_start')"),
])
def test_each_feature_leak_is_caught(tampered: Warehouse, leak: str, sql: str):
    tampered.execute(sql)
    # the features rebuilt from the leaking signals, then the leakage test
    result = tampered.dbt("build", "--full-refresh", "-s", "ml_customer_features_daily",
                          "assert_features_match_point_in_time_recompute", "--exclude", "test_type:generic")
    assert "OK created sql incremental model ml.ml_customer_features_daily" in result.output, result.output[-3000:]
    assert not result.ok, leak
    assert result.failures("assert_features_match_point_in_time_recompute") > 0, leak


def test_a_label_that_sees_the_as_of_day_is_caught(tampered: Warehouse):
    # a label window starting on the as-of date itself: that day's orders are known at the
    # as-of time, so they are features, not the outcome
    tampered.execute("""
        update ml.ml_churn_labels set churned = not exists (
            select 1 from marts.fct_orders as o
            where o.customer_id = ml_churn_labels.customer_id
              and o.order_date between ml_churn_labels.as_of_date
                                   and ml_churn_labels.as_of_date + interval 29 day)
        where is_label_observed""")
    result = tampered.dbt("test", "-s", "assert_labels_look_only_forward")
    assert result.failures("assert_labels_look_only_forward") > 0


def test_splits_too_close_in_time_are_caught(tampered: Warehouse):
    # the first validation date moved into training: its label window reaches into validation
    tampered.execute("""
        update ml.ml_churn_training_set set split = 'train'
        where as_of_date = (select min(as_of_date) from ml.ml_churn_training_set where split = 'valid')""")
    result = tampered.dbt("test", "-s", "assert_training_splits_are_separated_in_time")
    assert result.failures("assert_training_splits_are_separated_in_time") > 0


def test_online_features_that_differ_from_offline_are_caught(tampered: Warehouse):
    tampered.execute("update ml.ml_customer_features_online set orders_90d = orders_90d + 1 "
                     "where customer_id = (select min(customer_id) from ml.ml_customer_features_online)")
    result = tampered.dbt("test", "-s", "assert_online_features_match_offline")
    assert result.failures("assert_online_features_match_offline") == 1


def test_online_features_at_a_past_date_equal_the_offline_ones(tampered: Warehouse):
    """The online model evaluated at any date (var online_as_of_date) agrees with the daily one."""
    result = tampered.dbt("build", "-s", "ml_customer_features_online", "assert_online_features_match_offline",
                          vars={"online_as_of_date": "2026-03-15"})
    assert result.ok, result.output[-3000:]
    assert tampered.scalar("select max(as_of_date) from ml.ml_customer_features_online") == date(2026, 3, 15)


def test_export_loads_with_pyarrow(ml: Warehouse, tmp_path):
    manifest = export_features(ml.path, tmp_path)
    table = pq.read_table(tmp_path / "churn_training_set.parquet")
    registry = features.load_registry(PROJECT_DIR)
    assert table.num_rows == manifest["fingerprint"]["sample_count"] > 0
    assert [f["name"] for f in registry] == [c for c in table.column_names if c in {f["name"] for f in registry}]
    assert table.schema.field("churned").type == "bool" and table.column("churned").null_count == 0
    assert str(table.schema.field("orders_30d").type) == "int64"
    assert str(table.schema.field("revenue_usd_30d").type).startswith("decimal128(18, 2)")
    # splits in time order, as the training code expects
    dates = {split: table.filter(pc.equal(table.column("split"), split)).column("as_of_date").to_pylist()
             for split in ("train", "valid", "test")}
    assert max(dates["train"]) < min(dates["valid"]) and max(dates["valid"]) < min(dates["test"])
    online = pq.read_table(tmp_path / "customer_features_online.parquet")
    assert online.num_rows == manifest["files"]["customer_features_online"]["rows"] > 0
    assert len(set(online.column("customer_id").to_pylist())) == online.num_rows
    saved = json.loads((tmp_path / "churn_training_set.manifest.json").read_text())
    assert saved["fingerprint"]["content_hash"] == ml.scalar(
        "select content_hash from ml.ml_churn_training_set_fingerprint")


def test_the_same_inputs_give_the_same_training_set(tampered: Warehouse, ml: Warehouse):
    """The ML layer rebuilt from scratch on the same inputs gives the same content hash (the
    replay test of test_marts.py proves the same for a full refresh of the whole warehouse)."""
    tampered.execute("drop table ml.ml_churn_training_set_fingerprint")
    result = tampered.dbt("run", "--full-refresh", "-s", "ml_customer_signals+")
    assert result.ok, result.output[-3000:]
    assert tampered.scalar("select content_hash from ml.ml_churn_training_set_fingerprint") == ml.scalar(
        "select content_hash from ml.ml_churn_training_set_fingerprint")


def test_injected_drift_is_caught(tmp_path):
    drifted = Warehouse(tmp_path)
    drifted.generate(scale=SCALE, days=DRIFT_DAYS, end_date=END,
                     drift={"drift_from": DRIFT_FROM, "drift_order_value": 2.0})
    drifted.build("--select", "+ml_feature_drift_weekly", tests=False)   # what the monitor reads
    result = drifted.dbt("test", "-s", "assert_no_feature_drift_in_newest_week")
    assert result.ok, result.output[-3000:]  # a warning, not an error: the build goes on
    assert result.failures("assert_no_feature_drift_in_newest_week") > 0
    flagged = {name for (name,) in drifted.query(
        "select feature_name from ml.ml_feature_drift_weekly "
        "where is_drifted and is_monitored and as_of_date = (select max(as_of_date) from ml.ml_feature_drift_weekly)")}
    assert {"revenue_usd_30d", "avg_order_value_usd_90d"} <= flagged
    # the weeks between the reference and the drift are judged (full samples), and nothing is flagged
    flagged_before, judged_before = drifted.query(
        "select count(*) filter (where is_drifted and is_monitored), count(distinct as_of_date) "
        "from ml.ml_feature_drift_weekly "
        f"where as_of_date < date '{DRIFT_FROM}' and not is_reference_week and sample_size >= 300")[0]
    assert flagged_before == 0 and judged_before >= 1, (flagged_before, judged_before)
    # the web behaviour did not change: its features are not flagged
    assert not flagged & {"sessions_30d", "product_views_30d", "add_to_carts_30d"}


def test_the_feature_catalog_matches_the_registry():
    path, fresh = features.write_catalog(PROJECT_DIR, check=True)
    assert fresh, f"{path} is out of date: run `shopdw feature-catalog`"
    names = [f["name"] for f in features.load_registry(PROJECT_DIR)]
    for model in ("ml_customer_features_daily", "ml_customer_features_online", "ml_churn_training_set"):
        spec = yaml.safe_load((PROJECT_DIR / f"models/marts/ml/{model}.yml").read_text())["models"][0]
        documented = {c["name"]: c["description"] for c in spec["columns"]}
        for name in names:
            assert documented.get(name) == f"{{{{ doc('feature__{name}') }}}}", (model, name)


def test_churn_rate_metric_matches_the_training_set(ml: Warehouse, tmp_path):
    """The semantic layer's churn_rate (saved query churn_rate_by_month) equals the share of
    churned samples of ml_churn_training_set per month, computed in SQL."""
    out = tmp_path / "churn.csv"
    result = ml.mf("query", "--saved-query", "churn_rate_by_month", "--csv", str(out))
    assert result.ok, result.output[-3000:]
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    expected = {str(m): (n, churned) for m, n, churned in ml.query("""
        select cast(date_trunc('month', as_of_date) as date), count(*), count(*) filter (where churned)
        from ml.ml_churn_training_set group by 1""")}
    assert len(rows) == len(expected) >= 3
    for row in rows:
        samples, churned = expected[row["metric_time__month"][:10]]
        assert int(row["churn_samples"]) == samples
        assert int(row["churned_customers"]) == churned
        assert abs(float(row["churn_rate"]) - churned / samples) < 1e-9


@pytest.mark.parametrize("variant, broken, fixed", [
    # the portable join (PostgreSQL, Spark) matching the right rows' own timeline entries too
    ("default", "            and {{ right }}_matches.is_left = 1\n", ""),
    # DuckDB's as-of join allowed to match a state that begins after the left row
    ("duckdb", "{{ left }}.{{ left_time }} >= {{ right }}.{{ right_time }}",
     "{{ left }}.{{ left_time }} <= {{ right }}.{{ right_time }}"),
])
def test_the_as_of_join_test_catches_a_wrong_join(tmp_path, variant: str, broken: str, fixed: str):
    """assert_as_of_join_matches_expected passes on the project and fails on a broken variant."""
    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path / "warehouse", project=project)
    assert warehouse.dbt("test", "-s", "assert_as_of_join_matches_expected").ok
    macro = project / "macros" / "utils" / "as_of_join.sql"
    text = macro.read_text()
    assert broken in text
    macro.write_text(text.replace(broken, fixed))
    result = warehouse.dbt("test", "-s", "assert_as_of_join_matches_expected", "--store-failures")
    assert not result.ok
    problems = {row[0] for row in warehouse.query(
        "select problem from test_failures.assert_as_of_join_matches_expected")}
    # only the broken variant is reported
    expected = "portable" if variant == "default" else "dispatched"
    assert problems and all(problem.startswith(expected) for problem in problems), problems


def test_the_daily_scope_checks_the_dates_a_daily_run_rewrites(tampered: Warehouse):
    """`make daily` runs the leakage recompute on the newest as-of dates only (the ones a daily
    run rewrites); the full scope (every other build, `make verify`) checks the whole sample.
    A leak at an old sampled date passes the daily scope and fails the full one; a leak at the
    newest date fails both."""
    test = "assert_features_match_point_in_time_recompute"
    first, last = tampered.query("select first_as_of_date, last_as_of_date from intermediate.int_ml__as_of_bounds")[0]
    old = first + timedelta(days=2 * 45)
    leak = ("update ml.ml_customer_features_daily set orders_30d = orders_30d + 1 "
            "where as_of_date = ? and customer_id in (select min(customer_id) from ml.ml_customer_features_daily "
            "where as_of_date = ?)")
    with duckdb.connect(str(tampered.path)) as con:
        con.execute(leak, [old, old])
    daily = tampered.dbt("test", "-s", test, vars={"test_scope": "daily"})
    assert daily.ok and daily.failures(test) == 0, daily.output[-3000:]
    full = tampered.dbt("test", "-s", test)
    assert not full.ok and full.failures(test) > 0
    with duckdb.connect(str(tampered.path)) as con:
        con.execute(leak, [last, last])
    daily = tampered.dbt("test", "-s", test, vars={"test_scope": "daily"})
    assert not daily.ok and daily.failures(test) > 0


def rounded_rows(warehouse: Warehouse, table: str) -> list[tuple]:
    """Every row of a table, floats to 9 significant digits (sums of doubles may differ in the
    last bits between runs), sorted."""
    rows = warehouse.query(f"select * from {table}")
    return sorted((tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row) for row in rows), key=repr)


def test_incremental_labels_equal_a_full_refresh(tampered: Warehouse):
    """ml_churn_labels is incremental: after an order added between two others, an order gone, a
    label window that became loaded, a customer the features drop on the newest date, and a
    run missed, the incremental run labels what a full refresh labels."""
    labels = "ml.ml_churn_labels"
    before = rounded_rows(tampered, labels)
    added_for, added_after, removed_for = tampered.query(f"""
        with dates as (
            select
                customer_id, order_date,
                lead(order_date) over (partition by customer_id order by order_date) as next_date
            from (select distinct customer_id, order_date from marts.fct_orders)),
        labelled as (select customer_id, min(as_of_date) as first_date from {labels} group by 1),
        gaps as (
            select dates.customer_id, dates.order_date from dates inner join labelled using (customer_id)
            where dates.order_date > labelled.first_date and dates.next_date - dates.order_date >= 3
            order by 1, 2 limit 1),
        last_orders as (
            select dates.customer_id from dates inner join labelled using (customer_id)
            where dates.next_date is null and dates.order_date > labelled.first_date + 1
                and dates.customer_id != (select customer_id from gaps)
            order by 1 limit 1)
        select
            (select customer_id from gaps), (select order_date from gaps), (select customer_id from last_orders)
        """)[0]
    tampered.execute(f"""
        -- an order between two others, days apart (the labels of the days between change)
        insert into marts.fct_orders by name
            select * replace (
                (select max(order_id) + 1 from marts.fct_orders) as order_id,
                order_date + 1 as order_date)
            from marts.fct_orders where customer_id = {added_for} and order_date = date '{added_after}'
            limit 1;
        -- another customer's last order gone
        delete from marts.fct_orders where customer_id = {removed_for}
            and order_date = (select max(order_date) from marts.fct_orders where customer_id = {removed_for});
        -- two more days of label windows loaded
        update intermediate.int_ml__as_of_bounds set orders_complete_through = orders_complete_through + 2;
        -- a customer the features no longer hold on the newest date (a deletion known then)
        delete from ml.ml_customer_features_daily where as_of_date = (select max(as_of_date) from {labels})
            and customer_id = (select min(customer_id) from {labels});
        -- a run missed: the newest five dates were never labelled
        delete from {labels} where as_of_date > (select max(as_of_date) - 5 from {labels});
    """)
    incremental = tampered.dbt("run", "-s", "ml_churn_labels")
    assert incremental.ok and "incremental model ml.ml_churn_labels" in incremental.output, incremental.output[-3000:]
    incremental_rows = rounded_rows(tampered, labels)
    full = tampered.dbt("run", "-s", "ml_churn_labels", "--full-refresh")
    assert full.ok, full.output[-3000:]
    full_rows = rounded_rows(tampered, labels)
    assert incremental_rows == full_rows
    changed = {row[1] for row in set(full_rows) ^ set(before)}
    assert {added_for, removed_for} <= changed


def test_incremental_drift_equals_a_full_refresh(tampered: Warehouse):
    """ml_feature_drift_weekly is incremental by sample date: a new sample date is computed from
    the features and the reference; when a stored date's population shrinks (a customer removed
    from the features), every date is computed again, as a full refresh would."""
    drift = "ml.ml_feature_drift_weekly"
    full_before = rounded_rows(tampered, drift)
    tampered.execute(f"delete from {drift} where as_of_date = (select max(as_of_date) from {drift})")
    result = tampered.dbt("run", "-s", "ml_feature_drift_weekly")
    assert result.ok and "incremental model ml.ml_feature_drift_weekly" in result.output, result.output[-3000:]
    assert rounded_rows(tampered, drift) == full_before

    # a customer of the reference's population removed from the features
    tampered.execute(f"""
        delete from ml.ml_customer_features_daily where customer_id = (
            select min(customer_id) from ml.ml_customer_features_daily
            where orders_90d > 0 and as_of_date = (select min(as_of_date) from {drift}))""")
    result = tampered.dbt("run", "-s", "ml_feature_drift_weekly")
    assert result.ok, result.output[-3000:]
    incremental_rows = rounded_rows(tampered, drift)
    result = tampered.dbt("run", "-s", "ml_feature_drift_weekly", "--full-refresh")
    assert result.ok, result.output[-3000:]
    assert incremental_rows == rounded_rows(tampered, drift) != full_before
