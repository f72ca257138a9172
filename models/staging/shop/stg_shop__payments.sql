with

payments as (

    select * from {{ ref('base_shop__payments') }}
    where row_fate = 'staged'

),

final as (

    select
        payment_id,
        order_id,
        payment_type,
        payment_method,
        payment_status,
        amount,
        currency,
        created_at,
        loaded_at,
        load_date,
        source_file,
        ingestion_id
    from payments

)

select * from final
