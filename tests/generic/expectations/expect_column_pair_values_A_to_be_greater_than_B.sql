{# column_A > column_B (>= with or_equal) on every row; a null on either side passes. #}
{% test expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal=false, row_condition=none) %}
{{ expectation_violations(
    model,
    column_A ~ (' >= ' if or_equal else ' > ') ~ column_B,
    row_condition=row_condition
) }}
{% endtest %}
