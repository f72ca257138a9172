"""The daily test scope: `make daily` tests, on the big incremental tables, the rows of every
ingestion no run with all tests green has seen yet; a full build or `make verify` tests all rows.
A night whose tests failed is tested again the next night."""

from __future__ import annotations

from datetime import timedelta

import duckdb

from testsupport.testing import Warehouse

DAILY = {"test_scope": "daily"}
UNIQUE_EVENT_ID = "unique_fct_web_events_event_id"


def proven_through(warehouse: Warehouse) -> int:
    return warehouse.scalar("select coalesce(max(tested_through_ingestion_id), 0) from audit.tested_ingestions "
                            "where is_green")


def failed(result, test: str) -> bool:
    return result.status(test) in ("fail", "error")


def duplicate_an_event_id(warehouse: Warehouse, rows: str) -> tuple[int, str]:
    """Give one fct_web_events row (of those matching `rows`) the event_id of another: a duplicate
    the unique test must catch. Returns the row and its own id, to mend it."""
    with duckdb.connect(str(warehouse.path)) as con:
        row_id, own_id, copied_id = con.execute(f"""
            select a.rowid, a.event_id, b.event_id from marts.fct_web_events as a, marts.fct_web_events as b
            where a.{rows} and b.{rows} and a.event_id > b.event_id order by a.event_id, b.event_id limit 1
        """).fetchone()
        con.execute("update marts.fct_web_events set event_id = ? where rowid = ?", [copied_id, row_id])
    return row_id, own_id


def mend(warehouse: Warehouse, broken: tuple[int, str]) -> None:
    row_id, own_id = broken
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute("update marts.fct_web_events set event_id = ? where rowid = ?", [own_id, row_id])


def test_the_daily_scope_tests_every_ingestion_not_yet_proven(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.generate(scale=0.03, days=10)
    warehouse.build()
    newest = warehouse.scalar("select max(ingestion_id) from landing.ingested_files")
    assert proven_through(warehouse) == newest

    # a proven row broken behind the tests' back: out of the daily scope, caught by the full one
    broken = duplicate_an_event_id(warehouse, f"ingestion_id <= {newest}")
    daily = warehouse.dbt("test", "-s", "fct_web_events", vars=DAILY)
    assert daily.ok, daily.output[-3000:]
    full = warehouse.dbt("test", "-s", "fct_web_events")
    assert not full.ok and failed(full, UNIQUE_EVENT_ID), full.output[-3000:]
    mend(warehouse, broken)
    # runs of a selection prove nothing
    assert proven_through(warehouse) == newest

    # the next night is built without its tests (not proven), and one of its new rows is broken
    warehouse.next_day()
    warehouse.build(tests=False)
    assert proven_through(warehouse) == newest
    broken = duplicate_an_event_id(warehouse, f"ingestion_id > {newest}")
    # the daily scope catches it, and keeps catching it until it is mended: the failed night stays unproven
    for _ in range(2):
        daily = warehouse.dbt("test", vars=DAILY)
        assert not daily.ok and failed(daily, UNIQUE_EVENT_ID), daily.output[-3000:]
        assert proven_through(warehouse) == newest
    mend(warehouse, broken)
    daily = warehouse.dbt("test", vars=DAILY)
    assert daily.ok, daily.output[-3000:]
    assert proven_through(warehouse) == warehouse.scalar("select max(ingestion_id) from landing.ingested_files") \
        > newest


UNIQUE_FEATURE_KEY = "unique_ml_customer_features_daily_customer_as_of_key"


def duplicate_a_feature_key(warehouse: Warehouse, as_of_date) -> None:
    """Give one row of the daily features at `as_of_date` the key of another row of that date."""
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute("""
            update ml.ml_customer_features_daily set customer_as_of_key = (
                select min(customer_as_of_key) from ml.ml_customer_features_daily where as_of_date = $1)
            where as_of_date = $1 and customer_as_of_key = (
                select max(customer_as_of_key) from ml.ml_customer_features_daily where as_of_date = $1)
        """, [as_of_date])


def test_the_daily_scope_of_the_features_is_every_date_rewritten_since_the_last_green_run(tmp_path):
    """The daily features are rewritten by as-of date (the newest incremental_lookback_hours of
    dates and every newer one). In the daily scope their tests check the dates that any run since
    the last green one could rewrite: a night built without its tests widens the next night's
    scope to the dates it rewrote, and dates proven green stay out."""
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.generate(scale=0.03, days=10)
    warehouse.build()
    proven_newest = warehouse.scalar("select max(as_of_date) from ml.ml_customer_features_daily")
    lookback_days = 3  # incremental_lookback_hours: 72
    first_rewritten = proven_newest - timedelta(days=lookback_days - 1)

    # a night built without its tests rewrites the dates from first_rewritten on
    warehouse.next_day()
    warehouse.build(tests=False)
    assert warehouse.scalar("select max(as_of_date) from ml.ml_customer_features_daily") > proven_newest
    # a duplicate on the oldest date that night rewrote (older than the next night's own lookback)
    # and one on a date proven before it
    duplicate_a_feature_key(warehouse, first_rewritten)
    duplicate_a_feature_key(warehouse, first_rewritten - timedelta(days=1))

    daily = warehouse.dbt("test", "-s", "ml_customer_features_daily", vars=DAILY)
    assert not daily.ok and daily.failures(UNIQUE_FEATURE_KEY) == 1, daily.output[-3000:]
    full = warehouse.dbt("test", "-s", "ml_customer_features_daily")
    assert not full.ok and full.failures(UNIQUE_FEATURE_KEY) == 2, full.output[-3000:]
