{# The combination of column_list is unique: one failing row per combination found more than
   once. ignore_row_if 'all_values_are_missing' (default) leaves out rows whose columns are all
   null, 'any_value_is_missing' rows with any null. quote_columns quotes the names (for names
   with blanks or in mixed case). #}
{% test expect_compound_columns_to_be_unique(model, column_list, quote_columns=false, ignore_row_if='all_values_are_missing', row_condition=none) %}
{%- if not column_list or column_list is string -%}
    {{ exceptions.raise_compiler_error("column_list must be a list of columns, got: " ~ column_list) }}
{%- endif -%}
{%- if ignore_row_if not in ['all_values_are_missing', 'any_value_is_missing'] -%}
    {{ exceptions.raise_compiler_error(
        "ignore_row_if must be all_values_are_missing or any_value_is_missing, got: " ~ ignore_row_if) }}
{%- endif -%}
{%- set columns = [] -%}
{%- for column in column_list -%}
    {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor -%}
{%- set missing_joiner = ' and ' if ignore_row_if == 'all_values_are_missing' else ' or ' -%}
select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    count(*) as n_records
from {{ model }}
where
    not ({% for column in columns %}{{ column }} is null{{ missing_joiner if not loop.last }}{% endfor %})
    {%- if row_condition %}
    and ({{ row_condition }})
    {%- endif %}
group by {% for column in columns %}{{ column }}{{ ', ' if not loop.last }}{% endfor %}
having count(*) > 1
{% endtest %}
