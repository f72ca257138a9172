{# No null in the column, among the rows of row_condition (e.g. paid orders have paid_at). #}
{% test expect_column_values_to_not_be_null(model, column_name, row_condition=none) %}
{{ expectation_violations(model, column_name ~ ' is not null', row_condition=row_condition) }}
{% endtest %}
