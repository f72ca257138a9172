{#- Nobody orders before signing up, and nobody orders after their account was deleted. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select
        customer_id,
        min(signed_up_at) as signed_up_at,
        min(case when is_deleted then valid_from end) as deleted_at
    from {{ ref('dim_customers') }}
    group by 1

)

select
    orders.order_id,
    orders.customer_id,
    orders.placed_at,
    customers.signed_up_at,
    customers.deleted_at
from orders
inner join customers
    on orders.customer_id = customers.customer_id
where
    orders.placed_at < customers.signed_up_at
    or orders.placed_at >= customers.deleted_at
