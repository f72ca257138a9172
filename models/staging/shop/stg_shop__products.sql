with

products as (

    select * from {{ ref('base_shop__products') }}

),

latest_extract as (

    select max(load_date) as load_date
    from products

),

accepted as (

    select * from products
    where row_fate in ('staged', 'superseded')

),

appearances as (

    select
        product_id,
        min(load_date) as first_extract_date,
        max(load_date) as last_extract_date
    from products
    where product_id is not null
    group by 1

),

latest_state as (

    select * from accepted
    where row_fate = 'staged'

),

final as (

    select
        latest_state.product_id,
        latest_state.sku,
        latest_state.product_name,
        latest_state.category_code,
        latest_state.brand_code,
        latest_state.list_price,
        latest_state.currency,
        latest_state.updated_at,
        appearances.first_extract_date,
        appearances.last_extract_date,
        latest_state.load_date as state_extract_date,
        latest_state.loaded_at,
        latest_state.source_file,
        latest_state.ingestion_id,
        appearances.last_extract_date = latest_extract.load_date as is_in_latest_extract
    from latest_state
    inner join appearances
        on latest_state.product_id = appearances.product_id
    cross join latest_extract

)

select * from final
