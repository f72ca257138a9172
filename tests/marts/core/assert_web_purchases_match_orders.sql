{#- Cross-source reconciliation, row by row: every purchase event of the clickstream names an
    accepted order. A purchase can arrive before its order (the order's file a day late), so
    this lists them for a look (severity warn); the tolerance test below stops the build. -#}
{{ config(severity='warn') }}

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
