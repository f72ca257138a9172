{#- Cross-source reconciliation, in total: at most var reconciliation_tolerance (a share) of
    the purchase events may lack an accepted order, and of the accepted orders of customers
    who shop on the web at most that share may lack a purchase event. -#}
with

purchases as (

    select * from {{ ref('fct_web_events') }}
    where event_type = 'purchase'

),

orders as (

    select * from {{ ref('fct_orders') }}

),

purchase_matches as (

    select
        count(*) as purchase_count,
        sum(case when orders.order_id is null then 1 else 0 end) as unmatched_purchases
    from purchases
    left join orders
        on purchases.order_id = orders.order_id

),

order_matches as (

    select
        count(*) as order_count,
        sum(case when purchases.order_id is null then 1 else 0 end) as orders_without_purchase
    from orders
    left join purchases
        on orders.order_id = purchases.order_id

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
