"""Each rule of the marts fails when what it guards is broken."""

from __future__ import annotations

import shutil

import pytest

from testsupport.testing import Warehouse


@pytest.fixture
def tampered(built: Warehouse, tmp_path) -> Warehouse:
    """A private copy of the built warehouse, to break."""
    copy = Warehouse(tmp_path)
    shutil.copytree(built.landing, copy.landing)
    shutil.copy(built.path, copy.path)
    return copy


def test_all_mart_rules_pass_on_the_built_warehouse(built: Warehouse):
    result = built.dbt("test", "-s", "marts", "assert_no_raw_pii_published")
    assert result.ok, result.output[-3000:]


def test_overlapping_scd2_windows_fail(tampered: Warehouse):
    tampered.execute("update marts.dim_customers set valid_to = valid_to + interval 1 hour "
                     "where customer_id = (select min(customer_id) from marts.dim_customers where version_number = 2) "
                     "and version_number = 1")
    result = tampered.dbt("test", "-s", "dim_customers", "--exclude", "test_type:unit")
    assert not result.ok
    assert "FAIL 1 scd2_windows_are_valid_dim_customers_customer_id" in result.output


def test_two_current_versions_fail(tampered: Warehouse):
    tampered.execute("update marts.dim_customers set is_current = true, valid_to = timestamp '9999-12-31' "
                     "where customer_id = (select min(customer_id) from marts.dim_customers where version_number = 2) "
                     "and version_number = 1")
    assert tampered.scalar("select count(*) from marts.dim_customers where is_current") > tampered.scalar(
        "select count(distinct customer_id) from marts.dim_customers")
    result = tampered.dbt("test", "-s", "dim_customers", "--exclude", "test_type:unit")
    assert not result.ok
    assert "scd2_windows_are_valid_dim_customers_customer_id" in result.output


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
    assert "FAIL 1 relationships_valid_at_fct_orders_customer_key" in result.output


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
    assert "FAIL 1 relationships_valid_at_fct_web_events_product_key" in result.output


@pytest.mark.parametrize(("table", "column", "value"), [
    ("marts.obt_order_items", "product_name", "jane.doe@example.com"),
    ("marts.obt_order_items", "product_name", "+1-202-555-0147"),
    # every published schema is scanned, not only the marts
    ("ml.ml_customer_features_daily", "top_category_90d", "jane.doe@example.com"),
    ("reference.countries", "country_name", "+1-202-555-0147"),
])
def test_raw_pii_in_any_published_column_fails(tampered: Warehouse, table: str, column: str, value: str):
    tampered.execute(f"update {table} set {column} = '{value}' where {column} = (select min({column}) from {table})")
    result = tampered.dbt("test", "-s", "assert_no_raw_pii_published")
    assert not result.ok
    assert "FAIL" in result.output and "assert_no_raw_pii_published" in result.output


@pytest.mark.parametrize(("field", "value"), [("first_name", "Jane"), ("last_name", "Doe"),
                                              ("email", "x@y"), ("phone", "5550147")])
def test_an_unmasked_field_in_the_published_raw_values_fails(tampered: Warehouse, field: str, value: str):
    """Names match no pattern: the classification (sources' meta pii) finds them."""
    tampered.execute(f"""
        update audit.audit_quarantine
        set raw_values = json_object('lsn', '1', '{field}', '{value}')::varchar
        where quarantine_key = (select min(quarantine_key) from audit.audit_quarantine
                                where source_table = 'customers_cdc')""")
    result = tampered.dbt("test", "-s", "assert_no_raw_pii_published")
    assert not result.ok
    failures = tampered.query("select finding, sample_value from test_failures.assert_no_raw_pii_published")
    assert (f"raw field {field} ({ {'first_name': 'name', 'last_name': 'name'}.get(field, field)}) not masked",
            value) in failures


def test_a_classified_column_in_a_published_model_fails(tampered: Warehouse):
    tampered.execute("alter table marts.obt_customers add column first_name varchar")
    tampered.execute("update marts.obt_customers set first_name = 'X***'")
    result = tampered.dbt("test", "-s", "assert_no_raw_pii_published")
    assert not result.ok
    findings = {f for (f,) in tampered.query("select distinct finding from test_failures.assert_no_raw_pii_published")}
    assert findings == {"a classified column (name) is published"}


def test_an_obt_that_disagrees_with_the_star_fails(tampered: Warehouse):
    tampered.execute("delete from marts.obt_order_items "
                     "where order_item_id = (select max(order_item_id) from marts.obt_order_items)")
    tampered.execute("update marts.obt_customers set order_count = order_count + 1 "
                     "where customer_id = (select min(customer_id) from marts.obt_customers)")
    result = tampered.dbt("test", "-s", "assert_obt_order_items_agrees_with_star",
                          "assert_obt_customers_agrees_with_star")
    assert "FAIL 1 assert_obt_order_items_agrees_with_star" in result.output
    assert "FAIL 1 assert_obt_customers_agrees_with_star" in result.output
