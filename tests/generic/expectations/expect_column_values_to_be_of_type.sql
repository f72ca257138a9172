{# The column exists and has the type column_type (compared case-insensitively, ignoring
   blanks, and through normalized_type, so DECIMAL(18,2) is numeric(18,2) on PostgreSQL).
   Unlike the original, a column that does not exist fails: it is not of the type. #}
{% test expect_column_values_to_be_of_type(model, column_name, column_type) %}
{%- set relation_columns = adapter.get_columns_in_relation(model) if execute else [] -%}
{%- set found = [] -%}
{%- for column in relation_columns if column.name | lower == column_name | lower -%}
    {%- do found.append(normalized_type(column.data_type)) -%}
{%- endfor -%}
{%- set wanted = normalized_type(column_type) -%}
select
    '{{ column_name }}' as column_name,
    '{{ found[0] if found else "(missing)" }}' as actual_type,
    '{{ wanted }}' as expected_type
where {{ 'true' if execute and (not found or found[0] != wanted) else 'false' }}
{% endtest %}
