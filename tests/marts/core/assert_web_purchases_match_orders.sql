{#- Cross-source reconciliation, row by row: every purchase event of the clickstream names an
    accepted order. A purchase can arrive before its order (the order's file a day late), so a
    few unmatched purchases only warn; more than 100 stop the build. The share-based
    tolerance test (assert_web_purchases_reconcile_within_tolerance) errors as well. -#}
{{ config(severity='error', warn_if='>0', error_if='>100') }}

with

purchases as (

    select * from {{ ref('fct_web_events') }}
    where event_type = 'purchase'

),

orders as (

    select * from {{ ref('fct_orders') }}

)

select
    purchases.event_id,
    purchases.order_id,
    purchases.occurred_at
from purchases
left join orders
    on purchases.order_id = orders.order_id
where orders.order_id is null
