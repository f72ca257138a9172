"""Each rule of the foundation fails when what it guards is broken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from testsupport.testing import Warehouse


def test_an_undeclared_rename_stops_the_build_and_names_the_file_and_the_column(warehouse: Warehouse):
    warehouse.generate(scale=0.02, days=6)
    changed = warehouse.manifest()["schema_change"]["file"]
    assert warehouse.ingest().ok
    result = warehouse.dbt("build", vars={"landing_column_renames": {}})
    assert not result.ok
    assert "Landing files break the column contract of source shop.products" in result.output
    assert (f"{changed}: column category (unexpected_column: found category_name where category belongs)"
            in result.output)
    # the models reading the source are skipped, not built with a silent null column
    assert result.status("base_shop__products") == "skipped"


def test_row_accounting_fails_when_a_row_is_lost_in_quarantine_or_marts(warehouse: Warehouse):
    warehouse.generate(scale=0.02, days=6)
    warehouse.build(tests=False)
    warehouse.execute("delete from audit.audit_quarantine where quarantine_key = ("
                      "select min(quarantine_key) from audit.audit_quarantine "
                      "where source_table = 'orders' and check_stage = 'staging')")
    warehouse.execute("delete from audit.audit_quarantine where quarantine_key = ("
                      "select min(quarantine_key) from audit.audit_quarantine "
                      "where source_table = 'payments' and check_stage = 'integrity')")
    # a line an incremental model lost, and a web event
    warehouse.execute("delete from marts.fct_order_items where order_item_id = "
                      "(select min(order_item_id) from marts.fct_order_items)")
    warehouse.execute("delete from marts.fct_web_events where event_id = "
                      "(select min(event_id) from marts.fct_web_events)")
    assert warehouse.dbt("run", "-s", "audit_row_accounting").ok
    result = warehouse.dbt("test", "-s", "audit_row_accounting")
    assert not result.ok
    assert result.outcome("row_accounting_balances__orders") == ("fail", 1)
    assert result.outcome("integrity_accounting_balances__payments") == ("fail", 1)
    assert result.outcome("publication_accounting_balances__order_items") == ("fail", 1)
    assert result.outcome("publication_accounting_balances__events") == ("fail", 1)
    assert result.status("row_accounting_balances__events") == "pass"
    assert result.status("publication_accounting_balances__orders") == "pass"
    # the failing rows are stored under the rule's name
    assert warehouse.scalar(
        "select source_table from test_failures.publication_accounting_balances__order_items") == "order_items"


def test_source_freshness_reports_stale_landing_files(tmp_path):
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    fresh = Warehouse(tmp_path / "fresh")
    # at a tiny scale a quiet source (a few customer changes a day) can have no row for two
    # days, and is then rightly stale: a scale where every source has rows every day
    fresh.generate(scale=0.2, days=4, end_date=yesterday)
    assert fresh.ingest().ok
    result = fresh.dbt("source", "freshness")
    assert result.ok, result.output[-3000:]
    assert result.status("shop.orders") == "pass"

    stale = Warehouse(tmp_path / "stale")
    stale.generate(scale=0.02, days=4, end_date=yesterday - timedelta(days=5))
    assert stale.ingest().ok
    result = stale.dbt("source", "freshness")
    assert not result.ok
    assert result.status("shop.orders") == "error"
    assert result.status("web.events") == "error"


def _rewrite_csv(path, transform) -> None:
    import csv

    with path.open() as handle:
        rows = list(csv.reader(handle))
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(transform(row) for row in rows)


def test_a_file_with_reordered_columns_stops_the_build_before_it_is_read(warehouse: Warehouse):
    """CSV files are read by position: a swapped pair of columns must never land in the wrong place."""
    warehouse.generate(scale=0.02, days=6)
    path = sorted((warehouse.landing / "shop" / "payments").glob("*.csv"))[2]

    def swap(row):
        row[2], row[3] = row[3], row[2]  # payment_type <-> payment_method, header and values alike
        return row

    _rewrite_csv(path, swap)
    assert warehouse.ingest().ok
    result = warehouse.dbt("build", "-s", "+stg_shop__payments")
    assert not result.ok
    assert (f"{path}: column payment_type (unexpected_column: found payment_method where payment_type belongs)"
            in result.output)
    assert result.status("base_shop__payments") == "skipped"


def test_an_appended_column_is_a_breach_where_the_contract_does_not_allow_it(warehouse: Warehouse):
    warehouse.generate(scale=0.02, days=6)
    path = sorted((warehouse.landing / "shop" / "orders").glob("*.csv"))[1]
    _rewrite_csv(path, lambda row: row + (["coupon_code"] if row[0] == "order_id" else ["X1"]))
    # orders are read strictly: the ingestion refuses the file, naming it, and keeps none of it
    ingested = warehouse.ingest()
    assert not ingested.ok
    assert f"{path}: cannot be read as CSV of shop.orders" in ingested.output
    assert "Expected Number of Columns: 16 Found: 17" in ingested.output
    assert warehouse.scalar("select count(*) from shop.orders") == 0
