with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

customers as (

    select * from {{ ref('int_shop__customer_registry') }}

),

order_items as (

    select * from {{ ref('int_shop__order_items_checked') }}

),

orders_with_valid_items as (

    select distinct order_id
    from order_items
    where integrity_reason is null

),

final as (

    select
        orders.*,
        case
            when customers.is_internal_test_account then 'internal_test_account'
            when customers.customer_id is null or not customers.has_staged_changes
                then 'unknown_customer'
            when orders_with_valid_items.order_id is null then 'order_without_valid_items'
        end as integrity_reason
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    left join orders_with_valid_items
        on orders.order_id = orders_with_valid_items.order_id

)

select * from final
