{# The combination of column_list is unique. ignore_row_if: 'all_values_are_missing' (default)
   skips rows whose columns are all null, 'any_value_is_missing' skips rows with any null. #}
{% test expect_compound_columns_to_be_unique(model, column_list, quote_columns=false, ignore_row_if='all_values_are_missing', row_condition=none) %}
{%- set columns = column_list | map('string') | list -%}
{%- set columns = columns | map(adapter.quote) | list if quote_columns else columns -%}
{%- set joiner = ' and ' if ignore_row_if == 'all_values_are_missing' else ' or ' -%}
select {{ columns | join(', ') }}, count(*) as duplicate_count
from {{ model }}
where not (
    {%- for column in columns %}{{ column }} is null{{ joiner if not loop.last }}{% endfor -%}
)
{%- if row_condition %}
    and {{ row_condition }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
