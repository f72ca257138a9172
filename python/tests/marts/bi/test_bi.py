"""BI: the dashboards' queries (analyses/), the semantic layer (MetricFlow) checked against SQL
over the marts, a BI client through SQLAlchemy, and readers that always get the last good
build while a new one runs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from shopdw.publishing import publish
from testsupport.testing import PROJECT_DIR, Warehouse, dbt_executable

ANALYSES = ("cohort_retention", "revenue_by_month_and_category", "top_products", "web_funnel")


@pytest.fixture(scope="module")
def analyses(built: Warehouse) -> dict[str, list[dict]]:
    """Each analysis compiled by dbt and run on the shared warehouse: its rows as dicts."""
    result = built.dbt("compile", "--select", "path:analyses")
    assert result.ok, result.output[-3000:]
    rows = {}
    with duckdb.connect(str(built.path), read_only=True) as con:
        for name in ANALYSES:
            sql = (built.target / "compiled" / "shop_warehouse" / "analyses" / f"{name}.sql").read_text()
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            rows[name] = [dict(zip(columns, row)) for row in cursor.fetchall()]
            assert rows[name], f"{name} returned no rows"
    return rows


def _close(a, b, tolerance=1e-9) -> bool:
    return abs(float(a) - float(b)) <= tolerance * max(1.0, abs(float(b)))


def test_revenue_by_month_and_category(built, analyses):
    rows = analyses["revenue_by_month_and_category"]
    expected = dict(built.query("""
        select cast(date_trunc('month', o.order_date) as date) || '|' || p.category_name, sum(i.line_amount_usd)
        from marts.fct_order_items as i
        join marts.fct_orders as o using (order_id)
        join marts.dim_products as p on i.product_key = p.product_key
        where not o.is_cancelled
        group by 1"""))
    got = {f"{r['order_month']}|{r['category_name']}": r["item_revenue_usd"] for r in rows}
    assert got == expected
    for month in {r["order_month"] for r in rows}:
        assert _close(sum(r["share_of_month_revenue"] for r in rows if r["order_month"] == month), 1.0)
    assert built.scalar("select count(*) from marts.fct_orders where is_cancelled") > 0  # the filter matters


def test_top_products(built, analyses):
    rows = analyses["top_products"]
    assert [r["revenue_rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == min(20, built.scalar("select count(distinct product_id) from marts.obt_order_items"))
    revenues = [r["item_revenue_usd"] for r in rows]
    assert revenues == sorted(revenues, reverse=True)
    top = rows[0]
    expected = built.scalar("""
        select sum(line_amount_usd) from marts.obt_order_items
        where product_id = ? and not is_cancelled
            and order_date > (select max(order_date) - interval 90 day from marts.obt_order_items)""",
                            [top["product_id"]])
    assert top["item_revenue_usd"] == expected
    assert all(0 < r["share_of_category_revenue"] <= 1 for r in rows)


def test_cohort_retention(built, analyses):
    rows = analyses["cohort_retention"]
    first_month = built.scalar("select cast(date_trunc('month', min(order_date)) as date) from marts.fct_orders")
    assert min(r["cohort_month"] for r in rows) >= first_month
    sizes = dict(built.query("select cast(date_trunc('month', signed_up_at) as date), count(*) "
                             "from marts.obt_customers group by 1"))
    for r in rows:
        assert r["cohort_size"] == sizes[r["cohort_month"]]
        assert 0 < r["retention_rate"] <= 1
        assert r["months_since_signup"] >= 0
    # month 0 of the first cohort, recounted: customers who signed up that month and ordered in it
    month_zero = built.scalar("""
        select count(distinct o.customer_id) from marts.fct_orders o join marts.obt_customers c using (customer_id)
        where not o.is_cancelled and date_trunc('month', c.signed_up_at) = ?
            and date_trunc('month', o.order_date) = ?""", [first_month, first_month])
    first = next(r for r in rows if r["cohort_month"] == first_month and r["months_since_signup"] == 0)
    assert first["active_customers"] == month_zero


def test_web_funnel(built, analyses):
    rows = analyses["web_funnel"]
    assert sum(r["sessions"] for r in rows) == built.scalar("select count(*) from marts.fct_sessions")
    assert sum(r["purchase_sessions"] for r in rows) == built.scalar(
        "select count(*) from marts.fct_sessions where has_purchase")
    # each step counted per session and week, as fct_sessions has it (not a funnel shape: an
    # event of a session can arrive days late, so a purchase can be known before its checkout)
    recount = {week: (sessions, checkouts, purchases) for week, sessions, checkouts, purchases in built.query(
        "select cast(date_trunc('week', session_date) as date), count(*), count(*) filter (where has_checkout), "
        "count(*) filter (where has_purchase) from marts.fct_sessions group by 1")}
    for r in rows:
        assert (r["sessions"], r["checkout_sessions"], r["purchase_sessions"]) == recount[r["week_start_date"]]
        assert r["purchase_sessions"] <= r["sessions"] and r["checkout_sessions"] <= r["sessions"]
        assert _close(r["conversion_rate"], r["purchase_sessions"] / r["sessions"])


# --- the semantic layer -------------------------------------------------------------------

def _mf_csv(warehouse: Warehouse, tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / f"mf_{abs(hash(args))}.csv"
    result = warehouse.mf("query", *args, "--csv", str(out))
    assert result.ok, result.output[-3000:]
    with out.open() as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def test_metricflow_validates_the_semantic_layer(built):
    result = built.mf("validate-configs")
    assert result.ok, result.output[-3000:]
    assert "ERRORS: 0" in result.output
    # against the warehouse too: every semantic model, dimension, entity, measure and metric
    assert "Successfully validated metrics against data warehouse" in result.output


def test_saved_query_revenue_by_month_matches_sql(built, tmp_path):
    rows = _mf_csv(built, tmp_path, "--saved-query", "revenue_by_month")
    expected = {m: (revenue, orders, customers) for m, revenue, orders, customers in built.query("""
        select cast(date_trunc('month', order_date) as date), sum(order_total_usd), count(*),
            count(distinct customer_id)
        from marts.fct_orders where not is_cancelled group by 1""")}
    assert len(rows) == len(expected) > 0
    for row in rows:
        revenue, orders, customers = expected[_day(row["metric_time__month"])]
        assert Decimal(row["revenue_usd"]) == revenue
        assert int(row["orders"]) == orders
        assert int(row["active_customers"]) == customers
        assert _close(row["average_order_value_usd"], revenue / orders)


def test_metrics_by_category_match_the_bi_query(built, analyses, tmp_path):
    """The semantic layer and the dashboard's SQL give the same item revenue and units per
    month and category (as sold: the product version valid at order time)."""
    rows = _mf_csv(built, tmp_path, "--metrics", "item_revenue_usd,units_sold",
                   "--group-by", "metric_time__month,product_version__category_name")
    got = {(_day(r["metric_time__month"]), r["product_version__category_name"]):
           (Decimal(r["item_revenue_usd"]), int(r["units_sold"])) for r in rows}
    expected = {(r["order_month"], r["category_name"]): (r["item_revenue_usd"], r["units_sold"])
                for r in analyses["revenue_by_month_and_category"]}
    assert got == expected


def test_metrics_by_segment_use_the_customer_version_at_order_time(built, tmp_path):
    rows = _mf_csv(built, tmp_path, "--metrics", "revenue_usd", "--group-by", "customer_version__segment")
    got = {r["customer_version__segment"]: Decimal(r["revenue_usd"]) for r in rows}
    # the OBT carries the segment of the customer version valid when the order was placed
    expected = dict(built.query("""
        select o.customer_segment, sum(f.order_total_usd)
        from marts.fct_orders f
        join (select distinct order_id, customer_segment from marts.obt_order_items) o using (order_id)
        where not f.is_cancelled group by 1"""))
    assert got == expected
    current = dict(built.query("""
        select c.segment, sum(f.order_total_usd) from marts.fct_orders f
        join marts.dim_customers c on c.customer_id = f.customer_id and c.is_current
        where not f.is_cancelled group by 1"""))
    assert current != expected, "no segment changed in the data: the as-of join is not exercised"


def test_conversion_rate_matches_the_funnel_query(built, analyses, tmp_path):
    rows = _mf_csv(built, tmp_path, "--metrics", "sessions,purchasing_sessions,conversion_rate",
                   "--group-by", "metric_time__week")
    funnel = {r["week_start_date"]: r for r in analyses["web_funnel"]}
    assert len(rows) == len(funnel)
    for row in rows:
        week = funnel[_day(row["metric_time__week"])]
        assert int(row["sessions"]) == week["sessions"]
        assert int(row["purchasing_sessions"]) == week["purchase_sessions"]
        assert _close(row["conversion_rate"], week["conversion_rate"])


# --- BI clients ---------------------------------------------------------------------------

def test_bi_client_reads_the_published_marts_through_sqlalchemy(built, tmp_path):
    """duckdb-engine, the SQLAlchemy dialect BI tools use: schemas, tables, column comments
    and a query, read-only, on the published warehouse."""
    target = tmp_path / "published.duckdb"
    done = publish.publish(built.path, target, built.target)
    assert done.tables > 20 and target.exists()
    engine = sqlalchemy.create_engine(f"duckdb:///{target}", connect_args={"read_only": True})
    try:
        inspector = sqlalchemy.inspect(engine)
        # duckdb-engine names schemas <database>.<schema>, the database being the file's stem
        schemas = {name.split(".")[-1]: name for name in inspector.get_schema_names()}
        assert {"marts", "ml", "audit", "quality", "reference"} <= set(schemas)
        assert {"staging", "intermediate"}.isdisjoint(schemas)
        marts = set(inspector.get_table_names(schema=schemas["marts"]))
        assert {"dim_customers", "dim_products", "dim_dates", "fct_orders", "fct_order_items",
                "fct_sessions", "obt_order_items", "obt_customers"} <= marts
        columns = {c["name"]: c for c in inspector.get_columns("fct_orders", schema=schemas["marts"])}
        assert "order_total_usd" in columns
        with engine.connect() as con:
            count = con.execute(sqlalchemy.text("select count(*) from marts.fct_orders")).scalar_one()
            comment = con.execute(sqlalchemy.text(
                "select comment from duckdb_columns() where schema_name = 'marts' "
                "and table_name = 'fct_orders' and column_name = 'order_total_usd'")).scalar_one()
        assert count == built.scalar("select count(*) from marts.fct_orders") > 0
        assert comment and "USD" in comment
    finally:
        engine.dispose()


HELD_READER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = "select count(*), cast(max(loaded_at) as varchar) from marts.fct_orders"
print(json.dumps(list(con.execute(query).fetchone())), flush=True)
sys.stdin.readline()
print(json.dumps(list(con.execute(query).fetchone())), flush=True)
"""


def _reader(path: Path, stop: threading.Event, seen: list, errors: list) -> None:
    """A BI tool polling the published file: a new read-only connection per query."""
    engine = sqlalchemy.create_engine(f"duckdb:///{path}", connect_args={"read_only": True},
                                      poolclass=sqlalchemy.pool.NullPool)
    while not stop.is_set():
        try:
            with engine.connect() as con:
                seen.append((time.monotonic(), con.execute(sqlalchemy.text(
                    "select count(*), max(loaded_at) from marts.fct_orders")).one()))
        except Exception as err:  # noqa: BLE001 - every failure is a finding here
            errors.append(repr(err))
        time.sleep(0.05)
    engine.dispose()


def test_readers_get_the_last_good_build_while_a_build_runs(warehouse):
    """Readers query the published file without a pause while the next day's build runs and
    is published: no error, every answer is a whole build (the old one, then the new one),
    and a reader that holds a connection across the swap keeps its consistent old view. A
    reader holding the published file open does not block the build either."""
    warehouse.generate(days=30)
    warehouse.build(tests=False)
    publish.publish(warehouse.path, warehouse.published, warehouse.target)
    old = warehouse.query("select count(*), max(loaded_at) from marts.fct_orders")[0]
    warehouse.next_day()
    assert warehouse.ingest().ok

    # a dashboard left open in another process: it answers once now, and once more when told
    held = subprocess.Popen([sys.executable, "-c", HELD_READER, str(warehouse.published)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert json.loads(held.stdout.readline()) == [old[0], str(old[1])]
    stop, seen, errors = threading.Event(), [], []
    reader = threading.Thread(target=_reader, args=(warehouse.published, stop, seen, errors))
    reader.start()
    try:
        build_started = time.monotonic()
        build = subprocess.run([dbt_executable(), "build", "--exclude", "resource_type:test",
                                "resource_type:unit_test"], cwd=PROJECT_DIR, env=warehouse.env(),
                               capture_output=True, text=True, check=False)
        build_ended = time.monotonic()
        assert build.returncode == 0, build.stdout[-3000:]
        during_build = [answer for at, answer in seen if build_started <= at <= build_ended]
        publish.publish(warehouse.path, warehouse.published, warehouse.target)
        published_at = time.monotonic()
        time.sleep(1.0)
        held.stdin.write("again\n")
        held.stdin.flush()
        assert json.loads(held.stdout.readline()) == [old[0], str(old[1])]
    finally:
        stop.set()
        reader.join(timeout=30)
        held.stdin.close()
        held.wait(timeout=30)

    new = warehouse.query("select count(*), max(loaded_at) from marts.fct_orders")[0]
    assert new != old and new[0] > old[0]
    assert errors == [], errors[:3]
    assert len(during_build) >= 10, "the reader did not run during the build"
    assert set(during_build) == {old}
    assert {answer for _, answer in seen} <= {old, new}
    assert any(answer == new for at, answer in seen if at > published_at)


def test_publish_refuses_a_build_that_is_not_green(warehouse, tmp_path):
    """The CLI publishes only after a green `dbt build` (make build runs them in a row)."""
    warehouse.target.mkdir(parents=True)
    warehouse.path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(warehouse.path)).close()
    run_results = warehouse.target / "run_results.json"
    failed = {"args": {"which": "build"}, "results": [
        {"unique_id": "model.shop_warehouse.fct_orders", "status": "success"},
        {"unique_id": "test.shop_warehouse.unique_fct_orders_order_id", "status": "fail"}]}
    run_results.write_text(json.dumps(failed))
    result = warehouse.shopdw("publish")
    assert result.returncode == 2 and "not green" in result.output and "unique_fct_orders_order_id" in result.output
    assert not warehouse.published.exists()

    run_results.write_text(json.dumps({"args": {"which": "compile"}, "results": []}))
    result = warehouse.shopdw("publish")
    assert result.returncode == 2 and "not `build`" in result.output

    green = {"args": {"which": "build"}, "results": [
        {"unique_id": "model.shop_warehouse.fct_orders", "status": "success"},
        {"unique_id": "test.shop_warehouse.unique_fct_orders_order_id", "status": "pass"},
        {"unique_id": "test.shop_warehouse.a_warning", "status": "warn"}]}
    run_results.write_text(json.dumps(green))
    # what is published comes from the manifest: a public model that is not in the file stops it
    manifest = warehouse.target / "manifest.json"
    public = {"resource_type": "model", "access": "public", "schema": "marts", "alias": "fct_orders",
              "config": {"materialized": "table"}}
    manifest.write_text(json.dumps({"nodes": {"model.shop_warehouse.fct_orders": public}}))
    result = warehouse.shopdw("publish")
    assert result.returncode == 2 and "published relations missing" in result.output
    assert "marts.fct_orders" in result.output
    assert not warehouse.published.exists()

    manifest.write_text(json.dumps({"nodes": {}}))
    result = warehouse.shopdw("publish")
    assert result.ok, result.output
    assert warehouse.published.exists()
