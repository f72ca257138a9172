{#- Cross-source reconciliation, row by row: every purchase event of the clickstream names an
    accepted order, over the settled period (var reconciliation_settle_days before the newest
    load: a purchase can arrive before its order's file). A few unmatched purchases only
    warn; more than 100 stop the build. The share-based
    tolerance test (assert_web_purchases_reconcile_within_tolerance) errors as well. -#}
{{ config(severity='error', warn_if='>0', error_if='>100') }}

with

settled as (

    select {{ dbt.dateadd('day', -1 * var('reconciliation_settle_days'), 'max(loaded_at)') }} as cutoff
    from {{ ref('fct_web_events') }}

),

purchases as (

    select * from {{ ref('fct_web_events') }}
    where
        event_type = 'purchase'
        and occurred_at < (select settled.cutoff from settled)

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
