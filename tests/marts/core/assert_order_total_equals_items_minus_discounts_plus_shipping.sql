{#- An order's total is its lines minus their discounts plus shipping, to the cent, and its
    subtotal and discount are the sums of its lines. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

line_totals as (

    select
        order_id,
        sum(quantity * unit_price) as lines_subtotal,
        sum(discount_amount) as lines_discount
    from order_items
    group by 1

)

select
    orders.order_id,
    orders.items_subtotal,
    line_totals.lines_subtotal,
    orders.discount_amount,
    line_totals.lines_discount,
    orders.shipping_amount,
    orders.order_total
from orders
left join line_totals
    on orders.order_id = line_totals.order_id
where
    orders.order_total != orders.items_subtotal - orders.discount_amount + orders.shipping_amount
    or line_totals.order_id is null
    or orders.items_subtotal != line_totals.lines_subtotal
    or orders.discount_amount != line_totals.lines_discount
