{# The column exists and has the type column_type (compared case-insensitively, ignoring
   blanks). Unlike the original, a column that does not exist fails: it is not of the type. #}
{% test expect_column_values_to_be_of_type(model, column_name, column_type) %}
{%- set relation_columns = adapter.get_columns_in_relation(model) if execute else [] -%}
{%- set found = [] -%}
{%- for column in relation_columns if column.name | lower == column_name | lower -%}
    {%- do found.append(column.data_type | lower | replace(' ', '')) -%}
{%- endfor -%}
{%- set wanted = column_type | lower | replace(' ', '') -%}
select
    '{{ column_name }}' as column_name,
    '{{ found[0] if found else "(missing)" }}' as actual_type,
    '{{ wanted }}' as expected_type
where {{ 'true' if execute and (not found or found[0] != wanted) else 'false' }}
{% endtest %}
