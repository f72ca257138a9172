"""Each rule of the marts fails when what it guards is broken."""

from __future__ import annotations

import pytest

from testsupport.testing import Warehouse


def test_all_mart_rules_pass_on_the_built_warehouse(built: Warehouse):
    result = built.dbt("test", "-s", "marts", "assert_no_raw_pii_published")
    assert result.ok, result.output[-3000:]


def test_overlapping_scd2_windows_fail(tampered: Warehouse):
    tampered.execute("update marts.dim_customers set valid_to = valid_to + interval 1 hour "
                     "where customer_id = (select min(customer_id) from marts.dim_customers where version_number = 2) "
                     "and version_number = 1")
    result = tampered.dbt("test", "-s", "dim_customers", "--exclude", "test_type:unit")
    assert not result.ok
    assert result.status("scd2_windows_are_valid_dim_customers_customer_id") == "fail"
    assert result.failures("scd2_windows_are_valid_dim_customers_customer_id") == 1


def test_two_current_versions_fail(tampered: Warehouse):
    tampered.execute("update marts.dim_customers set is_current = true, valid_to = timestamp '9999-12-31' "
                     "where customer_id = (select min(customer_id) from marts.dim_customers where version_number = 2) "
                     "and version_number = 1")
    assert tampered.scalar("select count(*) from marts.dim_customers where is_current") > tampered.scalar(
        "select count(distinct customer_id) from marts.dim_customers")
    result = tampered.dbt("test", "-s", "dim_customers", "--exclude", "test_type:unit")
    assert not result.ok
    assert "scd2_windows_are_valid_dim_customers_customer_id" in result.failing()


def test_a_fact_pointing_to_the_wrong_version_fails(tampered: Warehouse):
    # the customer's current version, on an order placed before it began
    tampered.execute("""
        update marts.fct_orders set customer_key = (
            select d.customer_key from marts.dim_customers as d
            where d.customer_id = fct_orders.customer_id and d.is_current)
        where order_id = (
            select min(o.order_id) from marts.fct_orders as o
            inner join marts.dim_customers as d on o.customer_id = d.customer_id
            where d.is_current and d.version_number > 1 and o.placed_at < d.valid_from)""")
    result = tampered.dbt("test", "-s", "fct_orders", "--exclude", "test_type:unit")
    assert not result.ok
    assert result.outcome("relationships_valid_at_fct_orders_customer_key") == ("fail", 1)


def test_a_missing_key_where_a_version_was_valid_fails(tampered: Warehouse):
    # fct_order_items.product_key is declared not null: the contract itself refuses this
    with pytest.raises(Exception, match="NOT NULL"):
        tampered.execute("update marts.fct_order_items set product_key = null "
                         "where order_item_id = (select min(order_item_id) from marts.fct_order_items)")
    # on a nullable key, the as-of test is what catches it
    tampered.execute("update marts.fct_web_events set product_key = null "
                     "where event_id = (select min(event_id) from marts.fct_web_events where product_id is not null)")
    result = tampered.dbt("test", "-s", "fct_web_events", "--exclude", "test_type:unit")
    assert not result.ok
    assert result.outcome("relationships_valid_at_fct_web_events_product_key") == ("fail", 1)
