with

orders as (

    select * from {{ ref('base_shop__orders') }}
    where row_fate = 'staged'

),

final as (

    select
        order_id,
        customer_id,
        status as order_status,
        currency,
        items_subtotal,
        discount_amount,
        shipping_amount,
        order_total,
        placed_at,
        paid_at,
        shipped_at,
        delivered_at,
        cancelled_at,
        returned_at,
        updated_at,
        loaded_at,
        load_date,
        source_file,
        ingestion_id
    from orders

)

select * from final
