{# The newest value of the column is at most `interval` `datepart`s old. An empty table or a
   column of nulls fails: no data is not recent data. #}
{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) %}
with latest as (
    select max({{ column_name }}) as latest_value
    from {{ model }}
    {{ expectation_where(row_condition) }}
)
select latest_value
from latest
where latest_value is null
    or latest_value < {{ dbt.dateadd(datepart, -1 * interval, dbt.current_timestamp()) }}
{% endtest %}
