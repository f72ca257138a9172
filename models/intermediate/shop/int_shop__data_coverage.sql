{#-
    Which days the warehouse holds completely, one row: from the first day with orders to the
    newest day that has settled. Files arrive up to reconciliation_settle_days late (events up
    to 5 days, an order's file a day), so the days after newest load - that many days can
    still grow. dim_dates marks days, weeks and months against it, so a dashboard can drop a
    partial first or last period instead of showing it as a dip.
-#}
with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

events as (

    select * from {{ ref('stg_web__events') }}

),

load_times as (

    select max(loaded_at) as newest_loaded_at from orders
    union all
    select max(loaded_at) as newest_loaded_at from events

),

final as (

    select
        (select cast(min(orders.placed_at) as date) from orders) as first_data_date,
        cast(max(newest_loaded_at) as date) as newest_load_date,
        cast({{ dbt.dateadd('day', -1 * var('reconciliation_settle_days'), 'max(newest_loaded_at)') }} as date)
            as settled_through_date
    from load_times

)

select * from final
