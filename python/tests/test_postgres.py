"""The PostgreSQL lane: the same project, loaded by `shopdw load`, built on a PostgreSQL 15
cluster of its own (127.0.0.1, a free port), and compared table by table with DuckDB's build
of the same landing zone, after a full build and after an incremental day."""

from __future__ import annotations

import pytest

from shopdw.pgcluster import PostgresCluster
from shopdw.testing import Warehouse, engine_differences

SCHEMAS = ("staging", "intermediate", "snapshots", "marts", "ml", "audit", "quality")
# the test-result history depends on how many runs each warehouse has seen, not on the data
RUN_HISTORY = {"audit.dq_test_results", "audit.tested_ingestions", "quality.dq_test_results_daily"}


@pytest.fixture(scope="module")
def cluster():
    with PostgresCluster() as running:
        yield running


@pytest.fixture(scope="module")
def pair(cluster: PostgresCluster, tmp_path_factory):
    """A small landing zone built by DuckDB, and a PostgreSQL warehouse loaded from the same
    landing zone and built by `dbt build --target postgres`."""
    root = tmp_path_factory.mktemp("engines")
    duck = Warehouse(root / "duckdb")
    duck.generate()
    # DuckDB's data tests are proven elsewhere: here it only gives the tables to compare
    duck.build(tests=False)
    # the same landing path, so the file names the rows carry are equal too
    pg = Warehouse(root / "postgres",
                   extra_env={"DBT_TARGET": "postgres", "SHOP_LANDING_DIR": str(duck.landing), **cluster.env()})
    loaded = pg.shopdw("load")
    assert loaded.ok, loaded.output
    result = pg.dbt("build")
    assert result.ok, result.output[-6000:]
    return duck, pg, result


def differences(duck: Warehouse, pg: Warehouse) -> dict[str, str]:
    found = engine_differences(duck.path, pg.env(), schemas=SCHEMAS)
    return {name: text for name, text in found.items() if name not in RUN_HISTORY}


def test_full_build_on_postgres_is_green_and_equals_duckdb(pair):
    duck, pg, result = pair
    assert "ERROR=0" in result.output and "FAIL" not in result.output.split("Done.")[-1]
    assert differences(duck, pg) == {}


def test_a_daily_incremental_run_on_postgres_equals_duckdb(pair):
    """Next day's loads, reloaded, and an incremental build on both engines: still the same tables."""
    duck, pg, _ = pair
    duck.next_day()
    duck.build(tests=False)
    loaded = pg.shopdw("load")
    assert loaded.ok, loaded.output
    result = pg.dbt("build")
    assert result.ok, result.output[-6000:]
    assert differences(duck, pg) == {}


def test_the_comparison_sees_a_changed_row(pair, cluster):
    """engine_differences is not blind: one changed value on PostgreSQL is reported."""
    duck, pg, _ = pair
    from shopdw.load import postgres_connection

    with postgres_connection(pg.env()) as conn, conn.cursor() as cur:
        cur.execute("update marts.fct_orders set order_total_usd = order_total_usd + 0.01 "
                    "where order_id = (select min(order_id) from marts.fct_orders)")
    found = differences(duck, pg)
    assert set(found) == {"marts.fct_orders"} and "1 only on DuckDB, 1 only on PostgreSQL" in found["marts.fct_orders"]
