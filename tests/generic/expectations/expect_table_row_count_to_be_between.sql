{# The row count lies within the bounds: of the table (an empty table counts 0), or of each
   group_by group (an empty table has no group, so it passes). #}
{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
{{ expectation_violations(
    model,
    expectation_within_bounds('count(*)', min_value, max_value, strictly),
    group_by=group_by,
    row_condition=row_condition
) }}
{% endtest %}
