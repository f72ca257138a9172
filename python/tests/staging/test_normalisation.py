"""Dirt that must be repaired, not rejected: offsets, casing, late and out-of-order deliveries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from shopdw.generator import reference
from testsupport.testing import Warehouse


def as_utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:  # the shop delivers UTC when it gives no offset
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(tzinfo=None)


def test_timestamps_with_any_utc_offset_are_stored_as_the_same_utc_instant(built: Warehouse):
    rows = built.query("select raw_values, placed_at, updated_at from staging.base_shop__orders "
                       "where row_fate != 'quarantined'")
    offsets = 0
    for raw_values, placed_at, updated_at in rows:
        raw = json.loads(raw_values)
        offsets += raw["placed_at"][-6] in "+-"
        assert as_utc(raw["placed_at"]) == placed_at
        assert as_utc(raw["updated_at"]) == updated_at
    assert offsets >= built.manifest()["tables"]["orders"]["in_place"]["mixed_utc_offset"] > 0


def test_client_clocks_are_converted_to_utc(built: Warehouse):
    rows = built.query("select base_web__events.raw_values, stg_web__events.occurred_at "
                       "from staging.stg_web__events "
                       "inner join staging.base_web__events "
                       "on stg_web__events.event_id = base_web__events.event_id "
                       "and base_web__events.row_fate = 'staged'")
    assert rows
    for raw_values, occurred_at in rows:
        assert as_utc(json.loads(raw_values)["occurred_at"]) == occurred_at


def test_messy_categoricals_are_normalised_and_never_rejected(built: Warehouse):
    assert built.scalar("select count(*) from audit.audit_quarantine where reason_code = 'invalid_value'") == 0
    kept = built.manifest()["tables"]
    checks = {
        "orders": ("base_shop__orders", "json_extract_string(raw_values, '$.status') != status",
                   "row_fate in ('staged', 'superseded')"),
        "payments": ("base_shop__payments", "json_extract_string(raw_values, '$.payment_method') != payment_method",
                     "row_fate = 'staged'"),
        "events": ("base_web__events", "json_extract_string(raw_values, '$.event_type') != event_type",
                   "row_fate = 'staged'"),
        "customers_cdc": ("base_shop__customer_changes",
                          "json_extract_string(raw_values, '$.segment') != segment "
                          "or json_extract_string(raw_values, '$.country_code') != country_code",
                          "row_fate = 'staged'"),
        "products": ("base_shop__products",
                     "json_extract_string(raw_values, '$.brand') not in ({brands}) "
                     "or json_extract_string(raw_values, '$.category') not in ({categories})",
                     "row_fate in ('staged', 'superseded')"),
    }
    brands = ", ".join(f"'{b}'" for b in reference.BRANDS)
    categories = ", ".join("'" + c[1].replace("'", "''") + "'" for c in reference.CATEGORIES)
    for table, (model, differs, kept_rows) in checks.items():
        condition = differs.format(brands=brands, categories=categories)
        found = built.scalar(f"select count(*) from staging.{model} where {kept_rows} and ({condition})")
        assert found == kept[table]["in_place_kept"]["messy_categorical"] > 0, table


def test_cdc_events_delivered_late_and_out_of_order_are_all_staged(built: Warehouse):
    expected = built.manifest()["tables"]["customers_cdc"]["late_kept"]
    late = built.scalar("select count(*) from staging.stg_shop__customer_changes "
                        "where load_date > cast(committed_at as date)")
    assert late == expected > 0
    # files are not in log order: a replay must sort by lsn, which is unique
    assert built.scalar("select count(*) - count(distinct lsn) from staging.stg_shop__customer_changes") == 0


def test_late_arriving_events_are_staged_with_both_times(built: Warehouse):
    expected = built.manifest()["tables"]["events"]["late_kept"]
    late = built.scalar("select count(*) from staging.stg_web__events "
                        "where received_at > occurred_at + interval 1 day")
    assert late == expected > 0


def test_the_schema_change_is_absorbed_and_reported(built: Warehouse):
    change = built.manifest()["schema_change"]
    changed_file = change["file"].rsplit("/", 1)[1]
    missing = built.scalar("select count(*) from staging.base_shop__products "
                           "where source_file like ? and row_fate != 'quarantined' and category_code is null",
                           [f"%{changed_file}"])
    assert missing == 0
    result = built.dbt("test", "-s", "shop_products_landing_schema_drift")
    assert result.ok and result.status("shop_products_landing_schema_drift") == "warn"
    assert result.failures("shop_products_landing_schema_drift") == 2
    reported = set(built.query("select column_name, problem from test_failures.shop_products_landing_schema_drift "
                               "where source_file like ?", [f"%{changed_file}"]))
    assert reported == {("category", "renamed_column: category_name -> category"),
                        ("color", "appended_columns")}
