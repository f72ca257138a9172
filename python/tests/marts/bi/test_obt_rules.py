"""The one-big-table marts agree with the star they flatten."""

from __future__ import annotations

from testsupport.testing import Warehouse


def test_an_obt_that_disagrees_with_the_star_fails(tampered: Warehouse):
    tampered.execute("delete from marts.obt_order_items "
                     "where order_item_id = (select max(order_item_id) from marts.obt_order_items)")
    tampered.execute("update marts.obt_customers set order_count = order_count + 1 "
                     "where customer_id = (select min(customer_id) from marts.obt_customers)")
    result = tampered.dbt("test", "-s", "assert_obt_order_items_agrees_with_star",
                          "assert_obt_customers_agrees_with_star")
    assert result.outcome("assert_obt_order_items_agrees_with_star") == ("fail", 1)
    assert result.outcome("assert_obt_customers_agrees_with_star") == ("fail", 1)
