{# Every value of the column is one of value_set; a null is in no set, so it fails. With
   quote_values (default) the values are compared as text; a value may contain a quote. #}
{% test expect_column_values_to_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
with tested as (
    select {{ column_name }} as value_field
    from {{ model }}
    {{ expectation_where(row_condition) }}
),

allowed as (
    {%- for value in value_set %}
    select
        {%- if quote_values %} cast('{{ escape_single_quotes(value | string) }}' as {{ dbt.type_string() }})
        {%- else %} {{ value }}
        {%- endif %} as value_field
    union all
    {%- endfor %}
    select null as value_field
    where 1 = 0
)

select tested.value_field
from tested
left join allowed on tested.value_field = allowed.value_field
where allowed.value_field is null
{% endtest %}
