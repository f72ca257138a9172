{#- A delivered order was paid: its succeeded charges cover its total. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_delivered

),

payments as (

    select * from {{ ref('fct_payments') }}

),

charged as (

    select
        order_id,
        sum(amount) as charged_amount
    from payments
    where payment_type = 'charge' and is_succeeded
    group by 1

)

select
    orders.order_id,
    orders.order_total,
    charged.charged_amount
from orders
left join charged
    on orders.order_id = charged.order_id
where coalesce(charged.charged_amount, 0) < orders.order_total
