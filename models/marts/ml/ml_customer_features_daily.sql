{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='as_of_date',
        partition_by=['as_of_date'],
        on_schema_change='fail',
        post_hook="{{ delete_customers_no_longer_in_population(this) }}",
    )
}}

{#-
    The customer features as of every day, point-in-time: one row per customer known (and not
    deleted) at the as-of time and as-of date. Each signal row adds its value to a running
    sum from the first as-of date it counts at and takes it away after the last (the dates
    of macros signal_first_date / signal_last_date), so a whole year of daily features is one
    pass over the signals: one join to the list of running sums (measures), the changes
    pivoted to one row per customer and change date, running sums over those rows only, and
    every as-of date takes its customer's newest state by an as-of join. The features of a past as-of date depend only on rows loaded
    before it: new loads never change them, and an incremental run (the newest dates, plus
    incremental_lookback_hours of dates again) builds what a full refresh builds.
-#}

{%- set categories = get_column_values(ref('product_categories'), 'category_code', order_by='category_code') %}
{%- set measures = customer_feature_measures(categories) %}
{%- set windows = measures | map(attribute='window_days') | unique | list %}
{%- set measure_groups = customer_feature_measure_groups(measures) %}
{%- set lookback_days = incremental_lookback_days() %}

with

signals as (

    select * from {{ ref('ml_customer_signals') }}

),

customers as (

    select * from {{ ref('int_shop__customer_lifespans') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

calendar as (

    select * from {{ ref('dim_dates') }}

),

run_dates as (

    select
        {%- if is_incremental() %}
        greatest(
            bounds.first_as_of_date,
            (
                select cast({{ dbt.dateadd('day', 1 - lookback_days, 'max(as_of_date)') }} as date)
                from {{ this }}
            )
        ) as first_date,
        {%- else %}
        bounds.first_as_of_date as first_date,
        {%- endif %}
        bounds.last_as_of_date as last_date
    from bounds

),

as_of_dates as (

    select calendar.date_day as as_of_date
    from calendar
    inner join run_dates
        on calendar.date_day between run_dates.first_date and run_dates.last_date

),

spine as (

    select
        customers.customer_id,
        customers.signed_up_at,
        as_of_dates.as_of_date
    from customers
    inner join as_of_dates
        on
            as_of_dates.as_of_date >= cast(customers.known_from as date)
            and (
                customers.deletion_known_at is null
                or as_of_dates.as_of_date < cast(customers.deletion_known_at as date)
            )

),

signal_spans as (

    select
        customer_id,
        signal_name,
        category_code,
        {#- in hundredths, as whole numbers in a double: sums stay exact (below 2^53) and
            take 8 bytes, where a sum of bigints is a 16-byte hugeint on DuckDB #}
        cast(round(signal_value * 100) as {{ type_double() }}) as value_hundredths,
        cast(event_at as date) as event_date,
        {%- for window_days in windows %}
        {{ signal_last_date(window_days) }} as last_date_{{ window_days or 'all' }},
        {%- endfor %}
        {{ signal_first_date() }} as first_date
    from signals

),

measures as (

    {#- one row per running sum: its name, signal, window (null: lifetime), category #}
    {%- for measure in measures %}
    select
        '{{ measure.name }}' as measure_name,
        '{{ measure.signal }}' as signal_name,
        cast({{ measure.window_days or 'null' }} as {{ dbt.type_int() }}) as window_days,
        cast({{ "'" ~ measure.category ~ "'" if measure.category else 'null' }} as {{ dbt.type_string() }})
            as category_code
    {{- '' if loop.last else ' union all' }}
    {%- endfor %}

),

measure_spans as (

    {#- every signal row once per running sum it feeds, with the dates it counts on #}
    select
        signal_spans.customer_id,
        measures.measure_name,
        signal_spans.value_hundredths,
        signal_spans.first_date,
        case
            {%- for window_days in windows if window_days %}
            when measures.window_days = {{ window_days }} then signal_spans.last_date_{{ window_days }}
            {%- endfor %}
            else signal_spans.last_date_all
        end as last_date
    from signal_spans
    inner join measures
        on
            signal_spans.signal_name = measures.signal_name
            and (
                measures.category_code is null
                or signal_spans.category_code = measures.category_code
            )

),

changes as (

    {#- +value on the first date a row counts, -value on the day after its last #}
    select
        customer_id,
        first_date as change_date,
        measure_name,
        value_hundredths as delta,
        cast(null as date) as event_date
    from measure_spans
    where first_date <= last_date
    union all
    select
        customer_id,
        cast({{ dbt.dateadd('day', 1, 'last_date') }} as date) as change_date,
        measure_name,
        -1 * value_hundredths as delta,
        cast(null as date) as event_date
    from measure_spans
    where
        first_date <= last_date
        and last_date < (select run_dates.last_date from run_dates)
    {%- for feature in customer_features(['days_since_last']) %}
    union all
    select
        customer_id,
        first_date as change_date,
        'last_{{ feature.signal }}_date' as measure_name,
        0 as delta,
        event_date
    from signal_spans
    where signal_name = '{{ feature.signal }}'
    {%- endfor %}

),

{%- for group in measure_groups %}

pivoted_{{ group.name }} as (

    {#- one row per customer and date with a change of this group's running sums; changes
        before the dates of this run fold into one opening row per customer #}
    select
        changes.customer_id,
        greatest(
            changes.change_date,
            cast({{ dbt.dateadd('day', -1, 'run_dates.first_date') }} as date)
        ) as timeline_date,
        {%- for feature in group.last_dates %}
        max(case when changes.measure_name = 'last_{{ feature.signal }}_date' then changes.event_date end)
            as last_{{ feature.signal }}_date,
        {%- endfor %}
        {%- for measure in group.measures %}
        sum(case when changes.measure_name = '{{ measure.name }}' then changes.delta end) as {{ measure.name }},
        {%- endfor %}
        count(*) as change_rows
    from changes
    cross join run_dates
    where
        changes.change_date <= run_dates.last_date
        and changes.measure_name in (
            {%- for measure in group.measures %}
            '{{ measure.name }}'{{ ',' if not loop.last or group.last_dates }}
            {%- endfor %}
            {%- for feature in group.last_dates %}
            'last_{{ feature.signal }}_date'{{ ',' if not loop.last }}
            {%- endfor %}
        )
    group by 1, 2

),

running_{{ group.name }} as (

    {#- the state after each change date: running sums over the changes only #}
    select
        customer_id,
        {%- for measure in group.measures %}
        coalesce(sum({{ measure.name }}) over customer_changes, 0) as {{ measure.name }},
        {%- endfor %}
        {%- for feature in group.last_dates %}
        max(last_{{ feature.signal }}_date) over customer_changes as last_{{ feature.signal }}_date,
        {%- endfor %}
        timeline_date as state_date
    from pivoted_{{ group.name }}
    window customer_changes as (
        partition by customer_id
        order by timeline_date
        rows between unbounded preceding and current row
    )

),
{%- endfor %}

measured as (

    select
        spine.customer_id,
        spine.as_of_date,
        {%- for group in measure_groups %}
        {%- for feature in group.last_dates %}
        running_{{ group.name }}.last_{{ feature.signal }}_date,
        {%- endfor %}
        {%- for measure in group.measures %}
        coalesce(running_{{ group.name }}.{{ measure.name }}, 0) as {{ measure.name }},
        {%- endfor %}
        {%- endfor %}
        spine.signed_up_at
    {#- each as-of date takes, from every group, the state after its customer's newest change
        on or before it #}
    from {{ as_of_join('spine', 'running_' ~ measure_groups[0].name, 'customer_id', 'as_of_date', 'state_date') }}
    {%- for group in measure_groups[1:] %}
    {{ as_of_join('spine', 'running_' ~ group.name, 'customer_id', 'as_of_date', 'state_date',
        include_left=false) }}
    {%- endfor %}

),

final as (

    select
        {{ generate_surrogate_key(['customer_id', 'as_of_date']) }} as customer_as_of_key,
        customer_id,
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }}) as as_of_at,
        {{ customer_feature_columns(categories, as_of_date='as_of_date', scale=100) }}
    from measured

)

select * from final
