"""Nothing is lost: every raw row is staged, quarantined with its reason, or a resolved duplicate."""

from __future__ import annotations

from testsupport.testing import Warehouse

BASE_MODELS = {
    "customers_cdc": "base_shop__customer_changes",
    "products": "base_shop__products",
    "orders": "base_shop__orders",
    "order_items": "base_shop__order_items",
    "payments": "base_shop__payments",
    "events": "base_web__events",
}
FATES = ("staged", "duplicate", "superseded")


def assert_matches_manifest(warehouse: Warehouse) -> None:
    """The warehouse did with each raw row exactly what the generator's manifest says it must."""
    manifest = warehouse.manifest()["tables"]
    accounting = {row[0]: row[1:] for row in warehouse.query(
        "select source_table, raw_rows, staged_rows, quarantined_rows, duplicate_rows, superseded_rows, "
        "integrity_rejected_rows, accepted_rows from audit.audit_row_accounting")}
    for table, base in BASE_MODELS.items():
        expected = manifest[table]["expect"]
        raw, staged, quarantined, duplicates, superseded, integrity_rejected, accepted = accounting[table]
        assert raw == manifest[table]["rows"], table
        assert raw == staged + quarantined + duplicates + superseded, table
        fates = dict(warehouse.query(f"select row_fate, count(*) from staging.{base} group by 1"))
        for fate in FATES:
            assert fates.get(fate, 0) == expected.get(fate, 0), (table, fate)
        reasons = dict(warehouse.query(
            "select reason_code, count(*) from audit.audit_quarantine "
            "where source_table = ? and check_stage = 'staging' and disposition = 'rejected' group by 1",
            [table]))
        assert reasons == {k: v for k, v in expected.items() if k not in FATES}, table
        integrity = dict(manifest[table].get("integrity", {"accepted": staged}))
        assert accepted == integrity.pop("accepted"), table
        found = dict(warehouse.query(
            "select reason_code, count(*) from audit.audit_quarantine "
            "where source_table = ? and check_stage = 'integrity' group by 1", [table]))
        assert found == integrity, table
        assert integrity_rejected == sum(integrity.values()), table


def test_every_raw_row_has_the_fate_the_manifest_expects(built: Warehouse):
    assert_matches_manifest(built)


def test_every_copy_class_of_dirt_is_in_quarantine_with_its_reason(built: Warehouse):
    manifest = built.manifest()["tables"]
    for table, stats in manifest.items():
        for dirt_class, injected in stats["copies"].items():
            if dirt_class == "duplicate_row":
                resolved = built.scalar(
                    f"select count(*) from staging.{BASE_MODELS[table]} where row_fate = 'duplicate'")
                assert resolved >= injected, table
            else:
                quarantined = built.scalar(
                    "select count(*) from audit.audit_quarantine where source_table = ? and reason_code = ?",
                    [table, dirt_class])
                assert quarantined >= injected > 0, (table, dirt_class)


def test_invalid_emails_are_repaired_and_listed_not_dropped(built: Warehouse):
    expected = built.manifest()["tables"]["customers_cdc"]["in_place_kept"]["invalid_email"]
    assert expected > 0
    repaired = built.scalar("select count(*) from audit.audit_quarantine "
                            "where disposition = 'repaired' and reason_code = 'invalid_email'")
    nulled = built.scalar("select count(*) from staging.stg_shop__customer_changes "
                          "where not is_email_valid and email is null")
    assert repaired == nulled == expected


def test_quarantined_rows_keep_their_file_load_date_and_raw_values(built: Warehouse):
    incomplete = built.scalar(
        "select count(*) from audit.audit_quarantine "
        "where source_file is null or load_date is null or raw_values is null or reason_code is null")
    assert incomplete == 0
    sample = built.query("select source_file, raw_values from audit.audit_quarantine "
                         "where source_table = 'order_items' and reason_code = 'invalid_quantity' limit 1")
    source_file, raw_values = sample[0]
    assert source_file.endswith(".csv") and '"quantity"' in raw_values


def test_orphans_are_caught_by_the_referential_checks(built: Warehouse):
    integrity = built.manifest()["tables"]
    for table, reason in [("orders", "unknown_customer"), ("orders", "internal_test_account"),
                          ("orders", "order_without_valid_items"), ("order_items", "unknown_product"),
                          ("order_items", "parent_order_rejected"), ("payments", "parent_order_rejected")]:
        expected = integrity[table]["integrity"][reason]
        found = built.scalar("select count(*) from audit.audit_quarantine "
                             "where source_table = ? and check_stage = 'integrity' and reason_code = ?",
                             [table, reason])
        assert found == expected > 0, (table, reason)


def test_accounting_holds_after_the_next_days_load(warehouse: Warehouse):
    warehouse.generate(scale=0.03, days=20)
    warehouse.build(tests=False)
    assert_matches_manifest(warehouse)
    warehouse.next_day()
    warehouse.next_day()
    warehouse.build()
    assert_matches_manifest(warehouse)


def test_an_empty_change_file_is_ingested_logged_and_warned_by_name(built: Warehouse):
    """The generator's quiet export: one day the CDC feed sends a 0-byte file and that day's
    events come with the next file. Nothing stops, nothing is silent: the ledger has the file
    with row_count 0, the ingestion log says 'empty', and the warning test lists it by name."""
    empty = built.manifest()["tables"]["customers_cdc"]["empty_files"]
    assert len(empty) == 1
    name = f"%/shop/customers_cdc/{empty[0]}.jsonl"
    assert built.query("select row_count from landing.ingested_files where file_path like ?", [name]) == [(0,)]
    assert built.scalar("select count(*) from landing.ingestion_log where file_path like ? and outcome = 'empty'",
                        [name]) == 1
    assert built.query("select count(*), count(*) filter (where file_path like ?) "
                       "from test_failures.landing_file_has_rows", [name]) == [(1, 1)]
