{# The newest value of the column, leaving out values after now(), is at most `interval`
   `datepart`s old. now() is dbt_date's: in the time zone of the var dbt_date:time_zone. No
   value at all (an empty table, only nulls) fails. #}
{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) %}
with newest as (
    select max(cast({{ column_name }} as {{ dbt.type_timestamp() }})) as newest_value
    from {{ model }}
    where
        cast({{ column_name }} as {{ dbt.type_timestamp() }}) <= {{ expectation_now() }}
        {%- if row_condition %}
        and ({{ row_condition }})
        {%- endif %}
)

select newest_value
from newest
where
    coalesce(newest_value, cast('1970-01-01' as {{ dbt.type_timestamp() }}))
    < cast({{ dbt.dateadd(datepart, interval * -1, expectation_now()) }} as {{ dbt.type_timestamp() }})
{% endtest %}
