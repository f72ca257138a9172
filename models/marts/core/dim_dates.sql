{%- set fiscal_start = var('fiscal_year_start_month') -%}

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('dim_dates_start') ~ "' as date)",
        "cast('" ~ var('dim_dates_end') ~ "' as date)",
    ) }}

),

coverage as (

    select * from {{ ref('int_shop__data_coverage') }}

),

parts as (

    select
        cast(date_day as date) as date_day,
        cast({{ date_part('year', 'date_day') }} as integer) as calendar_year,
        cast({{ date_part('quarter', 'date_day') }} as integer) as calendar_quarter,
        cast({{ date_part('month', 'date_day') }} as integer) as month_of_year,
        cast({{ date_part('day', 'date_day') }} as integer) as day_of_month,
        cast({{ date_part('isodow', 'date_day') }} as integer) as iso_day_of_week,
        cast({{ date_part('week', 'date_day') }} as integer) as iso_week_of_year,
        cast({{ date_part('doy', 'date_day') }} as integer) as day_of_year
    from days

),

calendar as (

    select
        cast(
            calendar_year * 10000 + month_of_year * 100 + day_of_month as integer
        ) as date_key,
        date_day,
        calendar_year,
        calendar_quarter,
        month_of_year,
        case month_of_year
            {%- for name in ['January', 'February', 'March', 'April', 'May', 'June', 'July',
                'August', 'September', 'October', 'November', 'December'] %}
            when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as month_name,
        day_of_month,
        day_of_year,
        iso_day_of_week,
        case iso_day_of_week
            {%- for name in ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday',
                'Sunday'] %}
            when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as day_name,
        iso_week_of_year,
        iso_day_of_week >= 6 as is_weekend,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        {#- fiscal year named after the calendar year it ends in (FY2026 = Feb 2025 - Jan 2026) #}
        calendar_year + case when month_of_year >= {{ fiscal_start }} then 1 else 0 end
        - case when {{ fiscal_start }} = 1 then 1 else 0 end as fiscal_year,
        cast(floor(mod(month_of_year - {{ fiscal_start }} + 12, 12) / 3) + 1 as integer) as fiscal_quarter,
        cast(mod(month_of_year - {{ fiscal_start }} + 12, 12) + 1 as integer) as fiscal_month
    from parts

),

days_checked as (

    select
        calendar.*,
        coalesce(
            calendar.date_day >= coverage.first_data_date
            and calendar.date_day <= coverage.settled_through_date,
            false
        ) as is_complete_day
    from calendar
    cross join coverage

),

final as (

    {#- a period is complete when every one of its days is: a dashboard drops the partial
        first and last months (or weeks) instead of showing them as dips #}
    select
        *,
        min(case when is_complete_day then 1 else 0 end) over (partition by week_start_date) = 1
            as is_complete_week,
        min(case when is_complete_day then 1 else 0 end) over (partition by month_start_date) = 1
            as is_complete_month
    from days_checked

)

select * from final
