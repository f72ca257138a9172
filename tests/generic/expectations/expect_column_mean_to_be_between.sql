{# The mean of the column (per group_by group) lies within the bounds. The mean of no values
   (an empty table, all nulls) is null, which passes, as in dbt-expectations. #}
{% test expect_column_mean_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
{{ expectation_violations(
    model,
    expectation_within_bounds('avg(' ~ column_name ~ ')', min_value, max_value, strictly),
    group_by=group_by,
    row_condition=row_condition
) }}
{% endtest %}
