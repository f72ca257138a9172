with

products as (

    select * from {{ ref('stg_shop__products') }}

),

final as (

    select
        product_id,
        sku,
        product_name,
        category_code,
        brand_code,
        list_price,
        currency,
        updated_at
    from products
    where is_in_latest_extract

)

select * from final
