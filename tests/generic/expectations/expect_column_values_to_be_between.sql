{# Every value of the column lies within the bounds (exclusive when strictly); a null passes, as
   in dbt-expectations (add not_null where a value is required). #}
{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) %}
{{ expectation_violations(
    model,
    expectation_within_bounds(column_name, min_value, max_value, strictly),
    row_condition=row_condition
) }}
{% endtest %}
