with

payments as (

    select * from {{ ref('stg_shop__payments') }}

),

orders as (

    select * from {{ ref('int_shop__orders_checked') }}

),

final as (

    select
        payments.*,
        case
            when orders.order_id is null then 'unknown_order'
            when orders.integrity_reason is not null then 'parent_order_rejected'
        end as integrity_reason
    from payments
    left join orders
        on payments.order_id = orders.order_id

)

select * from final
