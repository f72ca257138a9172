{#
    True when any of the timestamps lies outside the warehouse's calendar, dim_dates'
    [dim_dates_start, dim_dates_end): a fact would carry a date key the calendar lacks (an
    epoch-zero 1970-01-01 from a source's default, a year typed as 2206). Null when none is
    outside and one is null (a missing optional time), false otherwise.
#}
{% macro outside_calendar(columns) -%}
    (
        {%- for column in columns %}
        {{ column }} < cast('{{ var("dim_dates_start") }}' as {{ dbt.type_timestamp() }})
        or {{ column }} >= cast('{{ var("dim_dates_end") }}' as {{ dbt.type_timestamp() }})
        {{- ' or' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
