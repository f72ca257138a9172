"""The raw-data generator: deterministic, scalable, next-day mode, clear errors."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from shopdw.cli import main
from shopdw.generator import reference
from shopdw.generator.generate import generate_history
from testsupport.testing import PROJECT_DIR, Warehouse


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file() and p.name != "_manifest.json"
    }


def count_rows(root: Path, folder: str) -> int:
    total = 0
    for path in (root / folder).iterdir():
        with path.open() as handle:
            lines = sum(1 for _ in handle)
        total += lines - (1 if path.suffix == ".csv" else 0)
    return total


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path):
    kwargs = dict(scale=0.02, days=10, end_date=date(2026, 3, 31), progress=False)
    generate_history(tmp_path / "a", seed=7, **kwargs)
    generate_history(tmp_path / "b", seed=7, **kwargs)
    generate_history(tmp_path / "c", seed=8, **kwargs)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_manifest_counts_the_rows_actually_written(tmp_path):
    result = generate_history(tmp_path, scale=0.02, days=12, end_date=date(2026, 3, 31), progress=False)
    folders = {"customers_cdc": "shop/customers_cdc", "products": "shop/products", "orders": "shop/orders",
               "order_items": "shop/order_items", "payments": "shop/payments", "events": "web/events"}
    for table, folder in folders.items():
        stats = result.manifest["tables"][table]
        assert count_rows(tmp_path, folder) == stats["rows"], table
        assert sum(stats["expect"].values()) == stats["rows"], table
    assert result.rows_written == sum(t["rows"] for t in result.manifest["tables"].values())


def test_every_dirt_class_is_injected_even_at_a_tiny_scale(tmp_path):
    manifest = generate_history(tmp_path, scale=0.01, days=8, end_date=date(2026, 3, 31),
                                progress=False).manifest
    tables = manifest["tables"]
    for table, stats in tables.items():
        assert stats["copies"].get("duplicate_row", 0) >= 2, table
        assert stats["copies"].get("missing_key", 0) >= 2, table
    assert tables["order_items"]["copies"]["invalid_quantity"] >= 2
    assert tables["order_items"]["copies"]["invalid_price"] >= 2
    assert tables["products"]["copies"]["invalid_price"] >= 2
    assert tables["payments"]["copies"]["invalid_amount"] >= 2
    assert tables["orders"]["copies"]["future_timestamp"] >= 2
    assert tables["events"]["copies"]["future_timestamp"] >= 2
    assert tables["customers_cdc"]["in_place"]["invalid_email"] >= 2
    assert tables["orders"]["in_place"]["mixed_utc_offset"] >= 2
    assert tables["orders"]["integrity"]["unknown_customer"] >= 2
    assert tables["order_items"]["integrity"]["unknown_product"] >= 2
    assert tables["orders"]["integrity"]["internal_test_account"] >= 1
    assert manifest["schema_change"]["renamed"] == {"category": "category_name"}


def test_volumes_grow_linearly_with_the_scale_factor(tmp_path):
    small = generate_history(tmp_path / "s", scale=0.05, days=30, end_date=date(2026, 3, 31),
                             progress=False).manifest["tables"]
    large = generate_history(tmp_path / "l", scale=0.2, days=30, end_date=date(2026, 3, 31),
                             progress=False).manifest["tables"]
    for table in ("orders", "order_items", "events", "products"):
        ratio = large[table]["rows"] / small[table]["rows"]
        assert 3.2 < ratio < 4.8, (table, ratio)


def test_sf1_volumes_are_about_what_the_readme_promises(tmp_path):
    """SF1 is ~10k customers, 1k products, 100k orders and 1M events a year: checked on 10 % of a year."""
    tables = generate_history(tmp_path, scale=1, days=37, end_date=date(2026, 3, 31),
                              progress=False).manifest["tables"]
    assert 8_000 < tables["orders"]["expect"]["staged"] < 12_500
    assert 80_000 < tables["events"]["expect"]["staged"] < 125_000
    assert 800 < tables["products"]["current"] < 1_300


def test_next_day_adds_one_day_and_leaves_history_untouched(warehouse: Warehouse):
    warehouse.generate(scale=0.05, days=10)
    before = digest(warehouse.landing)
    first = warehouse.manifest()
    result = warehouse.next_day()
    after = digest(warehouse.landing)
    assert result.days_written == ["2026-07-01"]
    assert {k: v for k, v in after.items() if k in before} == before
    added = sorted(set(after) - set(before))
    assert "shop/orders/2026-07-01.csv" in added and "web/events/2026-07-01.jsonl" in added
    assert all("2026-07-01" in name for name in added)
    manifest = warehouse.manifest()
    assert manifest["last_load_date"] == "2026-07-01"
    assert manifest["tables"]["orders"]["rows"] > first["tables"]["orders"]["rows"]
    # the next day carries new versions of orders delivered before (status changes)
    with (warehouse.landing / "shop/orders/2026-07-01.csv").open() as handle:
        new_ids = {row["order_id"] for row in csv.DictReader(handle)}
    old_ids = set()
    for path in (warehouse.landing / "shop/orders").glob("2026-06-*.csv"):
        with path.open() as handle:
            old_ids |= {row["order_id"] for row in csv.DictReader(handle)}
    assert new_ids & old_ids


def test_cli_refuses_to_overwrite_and_explains_a_missing_landing_zone(tmp_path, capsys):
    target = tmp_path / "landing"
    assert main(["generate", "--out", str(target), "--scale", "0.01", "--days", "3",
                 "--end-date", "2026-03-31", "--quiet"]) == 0
    assert main(["generate", "--out", str(target), "--scale", "0.01", "--days", "3", "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["next-day", "--out", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert "_manifest.json is missing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["generate", "--scale", "not-a-number"])


def test_committed_seeds_equal_the_generators_reference_data():
    for name, (header, rows) in reference.seed_tables().items():
        with (PROJECT_DIR / "seeds" / f"{name}.csv").open() as handle:
            committed = list(csv.reader(handle))
        assert committed[0] == header, name
        assert committed[1:] == [[str(v) for v in row] for row in rows], name


def test_manifest_is_valid_json_with_the_generator_config(tmp_path):
    generate_history(tmp_path, scale=0.01, days=3, end_date=date(2026, 3, 31), seed=5, progress=False)
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert manifest["config"]["seed"] == 5
    assert manifest["first_load_date"] == "2026-03-29" and manifest["last_load_date"] == "2026-03-31"


def test_the_generated_files_carry_exactly_the_columns_the_sources_declare(tmp_path):
    """The ingestion reads each landing table with the YAML's column list (the one contract):
    every generated file has those columns, in order (CSV header) or as its keys (JSON), except
    the one extract that carries the declared schema change."""
    from shopdw.generator.landing_sources import landing_tables

    generate_history(tmp_path, scale=0.01, days=3, end_date=date(2026, 3, 31), seed=5, progress=False)
    schema_change = json.loads((tmp_path / "_manifest.json").read_text())["schema_change"]["file"]
    tables = landing_tables()
    assert {(t.source_name, t.name) for t in tables} == {
        ("shop", "customers_cdc"), ("shop", "products"), ("shop", "orders"), ("shop", "order_items"),
        ("shop", "payments"), ("web", "events")}
    for table in tables:
        files = sorted(tmp_path.glob(table.files))
        assert files, table
        for path in files:
            if str(path.relative_to(tmp_path)) == schema_change:
                continue
            with path.open(newline="") as handle:
                first = handle.readline()
            columns = next(csv.reader([first])) if table.format == "csv" else list(json.loads(first))
            assert tuple(columns) == table.columns, path


def test_some_orders_arrive_days_before_their_customer(tmp_path):
    """Accounts created at checkout whose creation the CDC feed delivers one to three days late:
    their order's file comes first. Counted from the files themselves, as the manifest says."""
    manifest = generate_history(tmp_path, scale=0.1, days=30, end_date=date(2026, 6, 30), progress=False).manifest
    customer_arrival: dict[str, str] = {}
    for path in sorted((tmp_path / "shop" / "customers_cdc").iterdir()):
        for line in path.read_text().splitlines():
            customer_id = json.loads(line).get("customer_id")
            if customer_id is not None:
                customer_arrival.setdefault(str(customer_id), path.stem)
    order_arrival: dict[str, tuple[str, str]] = {}
    for path in sorted((tmp_path / "shop" / "orders").iterdir()):
        with path.open() as handle:
            for row in csv.DictReader(handle):
                if row["order_id"] and row["customer_id"]:
                    order_arrival.setdefault(row["order_id"], (path.stem, row["customer_id"]))
    early = [order for order, (day, customer) in order_arrival.items()
             if customer in customer_arrival and day < customer_arrival[customer]]
    assert len(early) == manifest["tables"]["orders"]["arrived_before_customer"] >= 2
