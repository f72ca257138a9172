"""The anomaly tests: quiet on normal days, warning on an outage or a late load the generator injects."""

from __future__ import annotations

from datetime import date

from test_accounting import assert_matches_manifest

from shopdw.generator.generate import generate_history, parse_anomaly
from testsupport.testing import Warehouse

ANOMALY_TESTS = [f"{model}_{kind}_anomaly"
                 for model in ("base_shop__orders", "base_shop__order_items", "base_shop__payments", "base_web__events")
                 for kind in ("daily_volume", "load_delay")]


def test_no_anomaly_is_reported_on_normal_days(built: Warehouse):
    result = built.dbt("test", "-s", *ANOMALY_TESTS)
    assert result.ok
    for name in ANOMALY_TESTS:
        assert result.status(name) == "pass", name


def test_an_outage_and_a_late_load_are_reported(warehouse: Warehouse):
    last_day = date(2026, 6, 30)
    generate_history(warehouse.landing, scale=0.2, days=30, end_date=last_day, force=True, progress=False,
                     anomalies=[parse_anomaly("events:2026-06-30:volume=0.1"),
                                parse_anomaly("orders:2026-06-30:delay_hours=30"),
                                parse_anomaly("payments:2026-06-30:volume=0")])
    # the anomaly tests warn: the build goes on (the outage is on the last, not yet settled,
    # day, which the purchase/order reconciliation leaves out)
    warehouse.build()
    assert_matches_manifest(warehouse)
    result = warehouse.dbt("test", "-s", *ANOMALY_TESTS)
    assert result.outcome("base_web__events_daily_volume_anomaly") == ("warn", 1)
    assert result.outcome("base_shop__orders_load_delay_anomaly") == ("warn", 1)
    assert result.status("base_web__events_load_delay_anomaly") == "pass"
    assert result.status("base_shop__orders_daily_volume_anomaly") == "pass"
    # no payment at all on the last day (no file): the newest day is scored as 0, not skipped
    assert not (warehouse.landing / "shop" / "payments" / "2026-06-30.csv").exists()
    assert result.outcome("base_shop__payments_daily_volume_anomaly") == ("warn", 1)
    assert warehouse.query("select metric_date, metric_value "
                           "from test_failures.base_shop__payments_daily_volume_anomaly"
                           ) == [(last_day, 0.0)]


def test_bad_anomaly_specifications_are_refused_clearly():
    import pytest

    for text in ["events:2026-06-30", "nope:2026-06-30:volume=0.2", "events:2026-06-30:volume=1.5",
                 "events:June:volume=0.2"]:
        with pytest.raises(ValueError, match="bad anomaly"):
            parse_anomaly(text)
