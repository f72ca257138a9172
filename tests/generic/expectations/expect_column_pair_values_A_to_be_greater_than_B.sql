{# column_A > column_B (>= with or_equal) on every row where both are present. #}
{% test expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal=false, row_condition=none) %}
select {{ column_A }} as value_a, {{ column_B }} as value_b
from {{ model }}
{{ expectation_where(row_condition) }}
{{ 'and' if row_condition else 'where' }} {{ column_A }} is not null and {{ column_B }} is not null
    and not ({{ column_A }} {{ '>=' if or_equal else '>' }} {{ column_B }})
{% endtest %}
