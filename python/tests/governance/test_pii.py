"""No raw personal data where readers reach: assert_no_raw_pii_published catches each kind of leak."""

from __future__ import annotations

import pytest

from testsupport.testing import Warehouse


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
    assert result.status("assert_no_raw_pii_published") == "fail"


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
