{#-
    The as-of dates the ML features can be computed for, one row. An as-of date D stands for
    the time D + 1 day 00:00 UTC; it is complete once a load newer than that time has arrived
    (loads carry their own load time, so nothing loaded before it can still come). Labels need
    their whole window loaded: orders arrive up to label_settle_days after they are placed.
-#}
with

load_times as (

    {%- for landing in landing_tables() if landing.bounds_features %}
    select
        '{{ landing.table }}' as source_table,
        max(loaded_at) as newest_loaded_at
    from {{ ref(landing.staging_model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

customers as (

    select * from {{ ref('int_shop__customer_lifespans') }}

),

bounds as (

    select
        (select cast(min(customers.known_from) as date) from customers) as first_as_of_date,
        max(newest_loaded_at) as newest_loaded_at,
        max(case when source_table = 'orders' then newest_loaded_at end) as newest_order_loaded_at
    from load_times

),

final as (

    select
        first_as_of_date,
        cast({{ dbt.dateadd('day', -1, 'newest_loaded_at') }} as date) as last_as_of_date,
        newest_loaded_at,
        {#- orders are complete through this date; a label window must end by it #}
        cast({{ dbt.dateadd('day', -1 * var('label_settle_days'), 'newest_order_loaded_at') }} as date)
            as orders_complete_through
    from bounds

)

select * from final
