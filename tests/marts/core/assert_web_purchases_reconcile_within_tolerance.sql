{#- Cross-source reconciliation, in total, over the settled period (var
    reconciliation_settle_days before the newest load): at most var reconciliation_tolerance
    (a share) of the purchase events may lack an accepted order, and at most that share of the
    accepted orders may lack a purchase event. -#}
with

settled as (

    select {{ dbt.dateadd('day', -1 * var('reconciliation_settle_days'), 'max(loaded_at)') }} as cutoff
    from {{ ref('fct_web_events') }}

),

purchases as (

    select * from {{ ref('fct_web_events') }}
    where event_type = 'purchase'

),

orders as (

    select * from {{ ref('fct_orders') }}

),

settled_purchases as (

    select * from purchases
    where occurred_at < (select settled.cutoff from settled)

),

settled_orders as (

    select * from orders
    where placed_at < (select settled.cutoff from settled)

),

purchase_matches as (

    select
        count(*) as purchase_count,
        sum(case when orders.order_id is null then 1 else 0 end) as unmatched_purchases
    from settled_purchases
    left join orders
        on settled_purchases.order_id = orders.order_id

),

order_matches as (

    select
        count(*) as order_count,
        sum(case when purchases.order_id is null then 1 else 0 end) as orders_without_purchase
    from settled_orders
    left join purchases
        on settled_orders.order_id = purchases.order_id

)

select
    purchase_matches.purchase_count,
    purchase_matches.unmatched_purchases,
    order_matches.order_count,
    order_matches.orders_without_purchase
from purchase_matches
cross join order_matches
where
    purchase_matches.unmatched_purchases
    > {{ var('reconciliation_tolerance') }} * purchase_matches.purchase_count
    or order_matches.orders_without_purchase
    > {{ var('reconciliation_tolerance') }} * order_matches.order_count
