"""Every expectation-style generic test fails on the violation it names, and passes on clean data."""

from __future__ import annotations

import pytest

from testsupport.testing import Warehouse

CASES = {
    "expect_column_values_to_be_between_fct_order_items_quantity":
        ["update marts.fct_order_items set quantity = 0 "
         "where order_item_id = (select min(order_item_id) from marts.fct_order_items)"],
    "expect_column_values_to_be_in_set_fct_orders_order_status":
        ["update marts.fct_orders set order_status = 'lost' "
         "where order_id = (select min(order_id) from marts.fct_orders)"],
    "expect_column_values_to_match_regex_dim_customers_email_masked":
        ["update marts.dim_customers set email_masked = 'plain@example.com' "
         "where customer_key = (select min(customer_key) from marts.dim_customers where email_masked is not null)"],
    "expect_column_values_to_not_be_null_fct_orders_paid_at":
        ["update marts.fct_orders set paid_at = null "
         "where order_id = (select min(order_id) from marts.fct_orders where order_status = 'delivered')"],
    "expect_compound_columns_to_be_unique_dim_customers_customer_id__valid_from":
        ["insert into marts.dim_customers select * replace (md5(customer_key) as customer_key) "
         "from marts.dim_customers where customer_key = (select min(customer_key) from marts.dim_customers)"],
    "expect_column_pair_values_A_to_be_greater_than_B_fct_orders_shipped_at__paid_at":
        ["update marts.fct_orders set shipped_at = paid_at - interval 1 hour "
         "where order_id = (select min(order_id) from marts.fct_orders where shipped_at is not null)"],
    "expect_table_row_count_to_be_between_fct_orders":
        ["delete from marts.fct_orders"],
    "expect_column_mean_to_be_between_fct_orders_order_total_usd":
        ["update marts.fct_orders set order_total_usd = order_total_usd * 1000"],
    "expect_column_proportion_of_unique_values_to_be_between_fct_web_events_session_id":
        ["update marts.fct_web_events set session_id = 'one session for all'"],
    "expect_table_columns_to_match_set_fct_payments":
        ["alter table marts.fct_payments add column surprise integer"],
    "expect_column_values_to_be_of_type_fct_orders_order_total_usd":
        ["alter table marts.fct_orders alter order_total_usd type double"],
}


def test_every_expectation_passes_on_the_built_warehouse(built: Warehouse):
    result = built.dbt("test", "-s", "test_name:expect*")
    assert result.ok, result.output[-3000:]
    for name in CASES:
        assert result.status(name) == "pass", name


@pytest.mark.parametrize("test_name", sorted(CASES))
def test_each_expectation_fails_on_its_violation(tampered: Warehouse, test_name: str):
    for statement in CASES[test_name]:
        tampered.execute(statement)
    result = tampered.dbt("test", "-s", f"{test_name}*")
    assert not result.ok
    assert any(name.startswith(test_name) for name in result.failing()), result.failing()


def test_not_null_with_row_condition_ignores_rows_outside_the_condition(tampered: Warehouse):
    tampered.execute("update marts.fct_orders set paid_at = null where order_status = 'placed'")
    result = tampered.dbt("test", "-s", "expect_column_values_to_not_be_null_fct_orders_paid_at*")
    assert result.ok, result.output[-2000:]


def test_recent_data_warns_on_stale_data_and_passes_on_fresh(tampered: Warehouse):
    stale = tampered.dbt("test", "-s", "expect_row_values_to_have_recent_data*")
    assert stale.ok and stale.outcome("expect_row_values_to_have_recent_data") == ("warn", 1)
    tampered.execute("update marts.fct_web_events set loaded_at = now()::timestamp "
                 "where event_id = (select min(event_id) from marts.fct_web_events)")
    fresh = tampered.dbt("test", "-s", "expect_row_values_to_have_recent_data*")
    assert fresh.ok and fresh.status("expect_row_values_to_have_recent_data") == "pass"


def test_null_rate_warns_above_its_threshold(tampered: Warehouse):
    tampered.execute("update marts.fct_web_events set customer_id = null")
    result = tampered.dbt("test", "-s", "expect_column_null_rate_to_be_below*")
    assert result.ok and result.outcome("expect_column_null_rate_to_be_below_fct_web_events_customer_id") == ("warn", 1)
