{# The column's type, as the adapter names it (column.dtype), is column_type; both names are
   compared upper-cased and as written, so an alias (int for INTEGER) is another type. A column
   that does not exist passes, as in dbt-expectations; the column list is the business of
   expect_table_columns_to_match_set. #}
{% test expect_column_values_to_be_of_type(model, column_name, column_type) %}
{%- set mismatches = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- if column.name | upper == column_name | upper and column.dtype | upper != column_type | upper -%}
            {%- do mismatches.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- for column in mismatches %}
select
    cast('{{ escape_single_quotes(column.name | upper) }}' as {{ dbt.type_string() }}) as relation_column,
    cast('{{ escape_single_quotes(column.dtype | upper) }}' as {{ dbt.type_string() }}) as relation_column_type
union all
{%- endfor %}
select
    cast(null as {{ dbt.type_string() }}) as relation_column,
    cast(null as {{ dbt.type_string() }}) as relation_column_type
where 1 = 0
{% endtest %}
