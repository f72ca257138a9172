with

changes as (

    select * from {{ ref('base_shop__customer_changes') }}
    where row_fate = 'staged'

),

final as (

    select
        lsn,
        customer_id,
        cdc_operation,
        committed_at,
        email,
        is_email_valid,
        first_name,
        last_name,
        phone,
        city,
        country_code,
        segment,
        signed_up_at,
        loaded_at,
        load_date,
        source_file,
        ingestion_id,
        cdc_operation = 'd' as is_delete
    from changes

)

select * from final
