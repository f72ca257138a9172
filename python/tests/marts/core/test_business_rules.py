"""Each business rule fails on the violation it names; failing rows are kept in the audit schema."""

from __future__ import annotations

import pytest

from testsupport.testing import Warehouse

RULES = {
    "assert_order_total_equals_items_minus_discounts_plus_shipping":
        "update marts.fct_orders set order_total = order_total + 0.01 "
        "where order_id = (select min(order_id) from marts.fct_orders)",
    "assert_delivered_orders_are_paid":
        "delete from marts.fct_payments where payment_type = 'charge' and order_id = "
        "(select min(order_id) from marts.fct_orders where is_delivered)",
    "assert_refunds_never_exceed_payments":
        "insert into marts.fct_payments select * replace (payment_id + 100000000 as payment_id, "
        "'refund' as payment_type, amount * 2 as amount) from marts.fct_payments where payment_id = "
        "(select min(payment_id) from marts.fct_payments where payment_type = 'charge' and is_succeeded)",
    "assert_no_order_before_customer_signup":
        "update marts.fct_orders set placed_at = timestamp '2001-01-01 00:00:00' "
        "where order_id = (select min(order_id) from marts.fct_orders)",
    "assert_order_status_timestamps_in_order":
        "update marts.fct_orders set delivered_at = shipped_at - interval 1 day "
        "where order_id = (select min(order_id) from marts.fct_orders where delivered_at is not null)",
    "assert_web_purchases_reconcile_within_tolerance":
        "update marts.fct_web_events set order_id = order_id + 100000000 where event_type = 'purchase'",
}


def test_every_business_rule_holds_on_the_built_warehouse(built: Warehouse):
    result = built.dbt("test", "-s", *RULES, "assert_web_purchases_match_orders")
    assert result.ok, result.output[-3000:]
    for rule in RULES:
        assert result.status(rule) == "pass", rule


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_business_rule_fails_on_its_violation(tampered: Warehouse, rule: str):
    tampered.execute(RULES[rule])
    result = tampered.dbt("test", "-s", rule)
    assert not result.ok
    assert result.status(rule) == "fail" and result.failures(rule) >= 1, rule
    # the failing rows can be queried in a table named after the rule
    assert tampered.scalar(f"select count(*) from test_failures.{rule}") >= 1


def test_unmatched_purchases_warn_row_by_row_within_the_tolerance(tampered: Warehouse):
    # the earliest purchase: inside the settled period that the reconciliation looks at
    tampered.execute("update marts.fct_web_events set order_id = order_id + 100000000 where event_id = "
                 "(select event_id from marts.fct_web_events where event_type = 'purchase' "
                 "order by occurred_at limit 1)")
    result = tampered.dbt("test", "-s", "assert_web_purchases_match_orders",
                      "assert_web_purchases_reconcile_within_tolerance")
    assert result.ok
    assert result.status("assert_web_purchases_match_orders") == "warn"
    assert result.failures("assert_web_purchases_match_orders") == 1
    assert result.status("assert_web_purchases_reconcile_within_tolerance") == "pass"


def test_unmatched_purchases_error_beyond_the_absolute_threshold(tampered: Warehouse):
    tampered.execute("update marts.fct_web_events set order_id = order_id + 100000000 where event_type = 'purchase'")
    unmatched = tampered.scalar("select count(*) from marts.fct_web_events where event_type = 'purchase' and "
                            "occurred_at < (select max(loaded_at) - interval 6 day from marts.fct_web_events)")
    assert unmatched > 100
    result = tampered.dbt("test", "-s", "assert_web_purchases_match_orders")
    assert not result.ok and result.status("assert_web_purchases_match_orders") == "fail"
    assert result.failures("assert_web_purchases_match_orders") == unmatched


def test_every_run_appends_its_test_results_to_the_history(tampered: Warehouse):
    before = tampered.scalar("select count(distinct invocation_id) from audit.dq_test_results")
    tampered.execute(RULES["assert_refunds_never_exceed_payments"])
    tampered.dbt("test", "-s", "assert_refunds_never_exceed_payments", "assert_delivered_orders_are_paid")
    rows = dict(tampered.query("select test_name, status from audit.dq_test_results where invocation_id = "
                           "(select max_by(invocation_id, run_started_at) from audit.dq_test_results)"))
    assert rows == {"assert_refunds_never_exceed_payments": "fail", "assert_delivered_orders_are_paid": "pass"}
    assert tampered.scalar("select count(distinct invocation_id) from audit.dq_test_results") == before + 1
    assert tampered.dbt("run", "-s", "dq_test_results_daily").ok
    assert tampered.scalar("select fail_count from quality.dq_test_results_daily "
                       "where test_name = 'assert_refunds_never_exceed_payments'") == 1
