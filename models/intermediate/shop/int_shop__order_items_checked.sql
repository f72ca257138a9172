with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}

),

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

customers as (

    select * from {{ ref('int_shop__customer_registry') }}

),

products as (

    select * from {{ ref('stg_shop__products') }}

),

final as (

    select
        order_items.*,
        case
            when orders.order_id is null then 'unknown_order'
            when
                customers.customer_id is null
                or customers.is_internal_test_account
                or not customers.has_staged_changes
                then 'parent_order_rejected'
            when products.product_id is null then 'unknown_product'
        end as integrity_reason
    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join customers
        on orders.customer_id = customers.customer_id
    left join products
        on order_items.product_id = products.product_id

)

select * from final
