{# Every non-null value of the column is one of value_set. #}
{% test expect_column_values_to_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
select {{ column_name }} as value
from {{ model }}
{{ expectation_where(row_condition) }}
{{ 'and' if row_condition else 'where' }} {{ column_name }} is not null
    and {{ column_name }} not in (
        {%- for value in value_set -%}
        {%- if quote_values %}'{{ value | replace("'", "''") }}'{% else %}{{ value }}{% endif %}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{% endtest %}
