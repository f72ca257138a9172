with

snapshot as (

    select * from {{ ref('snp_shop__products') }}

),

categories as (

    select * from {{ ref('product_categories') }}

),

staged_products as (

    select * from {{ ref('stg_shop__products') }}

),

versions as (

    select
        *,
        cast(
            row_number() over (partition by product_id order by dbt_valid_from) as {{ dbt.type_bigint() }}
        ) as version_number
    from snapshot

),

{#- products discontinued before the first snapshot never entered it: they keep their last
    known state as one version, deleted, valid for all time #}

discontinued_before_history as (

    select
        staged_products.product_id,
        cast(staged_products.state_extract_date as {{ dbt.type_timestamp() }}) as dbt_valid_from,
        cast('{{ var("scd_far_future") }}' as {{ dbt.type_timestamp() }}) as dbt_valid_to,
        'True' as dbt_is_deleted,
        staged_products.sku,
        staged_products.product_name,
        staged_products.category_code,
        staged_products.brand_code,
        staged_products.list_price,
        staged_products.currency,
        1 as version_number
    from staged_products
    left join snapshot
        on staged_products.product_id = snapshot.product_id
    where snapshot.product_id is null

),

all_versions as (

    select
        product_id,
        dbt_valid_from,
        dbt_valid_to,
        dbt_is_deleted,
        sku,
        product_name,
        category_code,
        brand_code,
        list_price,
        currency,
        version_number
    from versions
    union all
    select * from discontinued_before_history

),

final as (

    select
        {{ generate_surrogate_key(['versions.product_id', 'versions.dbt_valid_from']) }} as product_key,
        versions.product_id,
        versions.version_number,
        {#- history starts with the first snapshot: its versions are extended back in time, so
            facts older than the first snapshot join the first version known #}
        case
            when versions.version_number = 1 then cast('{{ var("scd_far_past") }}' as {{ dbt.type_timestamp() }})
            else versions.dbt_valid_from
        end as valid_from,
        versions.dbt_valid_to as valid_to,
        versions.dbt_valid_to = cast('{{ var("scd_far_future") }}' as {{ dbt.type_timestamp() }}) as is_current,
        coalesce(versions.dbt_is_deleted = 'True', false) as is_deleted,
        versions.dbt_valid_from as snapshot_valid_from,
        versions.sku,
        versions.product_name,
        versions.category_code,
        categories.category_name,
        categories.department,
        versions.brand_code,
        versions.list_price,
        versions.currency
    from all_versions as versions
    left join categories
        on versions.category_code = categories.category_code

)

select * from final
