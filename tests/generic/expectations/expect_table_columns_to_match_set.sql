{# The table has exactly the columns of column_list, in any order (names compared after
   `transform`, upper by default). One row per missing or unexpected column. #}
{% test expect_table_columns_to_match_set(model, column_list, transform='upper') %}
{%- set relation_columns = adapter.get_columns_in_relation(model) if execute else [] -%}
{%- set actual = relation_columns | map(attribute='name') | map(transform) | list -%}
{%- set expected = column_list | map(transform) | list -%}
with checks as (
    {%- for column in expected if column not in actual %}
    select '{{ column }}' as column_name, 'missing' as problem
    union all
    {%- endfor %}
    {%- for column in actual if column not in expected %}
    select '{{ column }}' as column_name, 'unexpected' as problem
    union all
    {%- endfor %}
    select cast(null as {{ dbt.type_string() }}) as column_name, cast(null as {{ dbt.type_string() }}) as problem
    where 1 = 0
)
select * from checks
{% endtest %}
