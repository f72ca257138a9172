{# Every value of the column lies within [min_value, max_value] (open bounds when strictly);
   a null is outside. Same arguments as dbt_expectations. #}
{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) %}
select {{ column_name }} as value
from {{ model }}
{{ expectation_where(row_condition) }}
{{ 'and' if row_condition else 'where' }} {{ expectation_outside_bounds(column_name, min_value, max_value, strictly) }}
{% endtest %}
