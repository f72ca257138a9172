{# No null in the column, among the rows of row_condition (e.g. paid orders have paid_at). #}
{% test expect_column_values_to_not_be_null(model, column_name, row_condition=none) %}
select *
from {{ model }}
{{ expectation_where(row_condition) }}
{{ 'and' if row_condition else 'where' }} {{ column_name }} is null
{% endtest %}
