with

events as (

    select * from {{ ref('base_web__events') }}
    where row_fate = 'staged'

),

final as (

    select
        event_id,
        event_type,
        occurred_at,
        received_at,
        anonymous_id,
        customer_id,
        page_url,
        product_id,
        order_id,
        user_agent,
        is_bot,
        loaded_at,
        load_date,
        source_file,
        ingestion_id
    from events

)

select * from final
