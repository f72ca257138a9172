with

order_items as (

    select * from {{ ref('base_shop__order_items') }}
    where row_fate = 'staged'

),

final as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        created_at,
        loaded_at,
        load_date,
        source_file,
        ingestion_id,
        cast(quantity * unit_price - discount_amount as decimal(38, 2)) as line_amount
    from order_items

)

select * from final
