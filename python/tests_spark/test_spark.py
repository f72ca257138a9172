"""The Spark lane (`make test-spark`): the same project, loaded by `shopdw load --target spark`
and built by dbt-spark on a local session (Parquet tables, a Hive metastore of its own),
compared table by table with DuckDB's build of the same landing zone: after a full build, and
after a daily incremental run in which an order is rejected and a customer leaves the feature
population, the rows Parquet cannot delete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testsupport.testing import Warehouse, copy_project, spark_engine_differences

try:
    import pyspark  # noqa: F401
except ImportError as err:  # the lane needs its own packages: no silent skip
    raise ImportError("the Spark lane needs dbt-spark and pyspark: run `make install-spark`") from err

SCHEMAS = ("staging", "intermediate", "snapshots", "marts", "ml", "audit", "reference")
# the test-result history depends on how many runs each warehouse has seen, not on the data
RUN_HISTORY = {"audit.dq_test_results", "audit.tested_ingestions", "quality.dq_test_results_daily"}
SNAPSHOT_MESSAGE = "no MERGE without Delta, so the history is rewritten whole"


def spark_warehouse(root: Path, landing: Path, spark_dir: Path, project: Path | None = None) -> Warehouse:
    """dbt's files under root, the Spark warehouse and metastore in spark_dir."""
    env = {"DBT_TARGET": "spark", "SPARK_LOCAL_IP": "127.0.0.1", "SHOP_LANDING_DIR": str(landing),
           "SHOP_SPARK_DIR": str(spark_dir), "SHOP_SPARK_MEMORY": "2g"}
    if project is None:
        return Warehouse(root, extra_env=env)
    return Warehouse(root, extra_env=env, project=project)


def spark_sql(warehouse: Warehouse, *statements: str) -> None:
    """Statements on the Spark warehouse, in a process of its own (the Derby metastore admits
    one JVM at a time)."""
    code = ("import sys; from shopdw.engines.load import spark_session; s = spark_session()\n"
            "for q in sys.argv[1:]: s.sql(q).collect()\n"
            "s.stop()")
    proc = subprocess.run([sys.executable, "-c", code, *statements], env=warehouse.env(), capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A small landing zone built by DuckDB, and a Spark warehouse loaded from the same landing
    zone and built by `dbt build --target spark`."""
    root = tmp_path_factory.mktemp("spark_lane")
    duck = Warehouse(root / "duckdb")
    duck.generate()
    # DuckDB's data tests are proven elsewhere: here it only gives the tables to compare
    duck.build(tests=False)
    spark = spark_warehouse(root / "spark_warehouse", duck.landing, root / "spark_warehouse" / "spark")
    loaded = spark.shopdw("load")
    assert loaded.ok, loaded.output[-3000:]
    result = spark.dbt("build")
    assert result.ok, result.output[-6000:]
    return duck, spark, result


def differences(duck: Warehouse, spark: Warehouse, schemas: tuple[str, ...] = SCHEMAS) -> dict[str, str]:
    found = spark_engine_differences(duck.path, spark.env(), duck.root / "spark_export", schemas=schemas)
    return {name: text for name, text in found.items() if name not in RUN_HISTORY}


def test_full_build_on_spark_is_green_and_equals_duckdb(pair):
    duck, spark, result = pair
    summary = result.output.split("Done.")[-1]
    assert "ERROR=0" in summary and "SKIP=0" in summary
    # the snapshot's gap is said, not hidden
    assert SNAPSHOT_MESSAGE in result.output
    assert differences(duck, spark) == {}


def test_a_daily_run_on_spark_equals_duckdb(pair):
    """The next day's loads, in which a customer with orders becomes an internal test account:
    their order lines and feature rows must leave the incremental tables on both engines."""
    duck, spark, _ = pair
    duck.next_day()
    customer_id = duck.scalar(
        "select customer_id from marts.fct_order_items group by 1 having count(distinct order_id) = 1 "
        "order by 1 limit 1")
    assert duck.scalar("select count(*) from ml.ml_customer_features_daily where customer_id = ?", [customer_id]) > 0
    change = {"lsn": "999999999", "op": "u", "committed_at": "2026-07-01T09:00:00Z",
              "customer_id": str(customer_id), "email": f"qa{customer_id}@qa.example-shop.internal",
              "first_name": "Q", "last_name": "A", "phone": "+1-202-555-0100", "city": "Berlin",
              "country_code": "DE", "segment": "standard", "signed_up_at": "2024-01-01T00:00:00Z",
              "_loaded_at": "2026-07-02T02:00:00Z"}
    with (duck.landing / "shop" / "customers_cdc" / "2026-07-01.jsonl").open("a") as cdc:
        cdc.write(json.dumps(change) + "\n")
    duck.build(tests=False)
    loaded = spark.shopdw("load")
    assert loaded.ok, loaded.output[-3000:]
    result = spark.dbt("build")
    assert result.ok, result.output[-6000:]

    log = (spark.root / "logs" / "dbt.log").read_text()
    for model in ("marts.fct_order_items", "marts.fct_web_events", "marts.fct_sessions",
                  "ml.ml_customer_features_daily"):
        assert f"insert overwrite table {model}" in log, f"{model} was not built incrementally"
    # the rejected customer's rows were removed by rewriting their partitions
    assert "fct_order_items__dbt_kept" in log and "ml_customer_features_daily__dbt_kept" in log
    assert duck.scalar("select count(*) from marts.fct_order_items where customer_id = ?", [customer_id]) == 0
    assert duck.scalar("select count(*) from ml.ml_customer_features_daily where customer_id = ?", [customer_id]) == 0
    assert differences(duck, spark) == {}


def test_the_comparison_sees_a_changed_row(pair):
    """spark_engine_differences is not blind: one changed value is reported (the schema of the
    changed table is enough to show it; the other schemas were compared equal above)."""
    duck, spark, _ = pair
    duck.execute("update marts.fct_orders set order_total_usd = order_total_usd + 0.01 "
                 "where order_id = (select min(order_id) from marts.fct_orders)")
    try:
        found = differences(duck, spark, schemas=("marts",))
    finally:
        duck.execute("update marts.fct_orders set order_total_usd = order_total_usd - 0.01 "
                     "where order_id = (select min(order_id) from marts.fct_orders)")
    assert set(found) == {"marts.fct_orders"} and "1 only on DuckDB, 1 only on Spark" in found["marts.fct_orders"]


def test_a_snapshot_on_delta_goes_to_dbt_sparks_merge(pair, tmp_path):
    """file_format delta takes dbt-spark's own MERGE materialization: here it stops at the
    existing Parquet table, with dbt-spark's message (no Delta jars on this machine)."""
    duck, spark, _ = pair
    project = copy_project(tmp_path / "project")
    snapshot = project / "snapshots" / "snp_shop__products.yml"
    snapshot.write_text(snapshot.read_text().replace("      strategy: timestamp\n",
                                                     "      strategy: timestamp\n      file_format: delta\n"))
    # the same Spark warehouse; dbt's own files apart (a parse of another project folder)
    changed = spark_warehouse(tmp_path / "changed", duck.landing, Path(spark.extra_env["SHOP_SPARK_DIR"]),
                              project=project)
    result = changed.dbt("snapshot")
    assert not result.ok
    assert "is in another format than 'delta'" in result.output
    assert SNAPSHOT_MESSAGE not in result.output


def test_a_snapshot_swap_left_half_done_stops_the_next_run(pair):
    """A run that stopped between the two renames leaves <snapshot>__dbt_backup: the next run
    refuses to go on and says where the history is."""
    _, spark, _ = pair
    spark_sql(spark, "create table snapshots.snp_shop__products__dbt_backup using parquet as "
                     "select * from snapshots.snp_shop__products")
    result = spark.dbt("snapshot")
    assert not result.ok
    assert "left the history in" in result.output and "snp_shop__products__dbt_backup" in result.output
