{#-
    SCD type 2 history of customers, derived from the CDC change log: exact from the first
    event on, whatever order the events were delivered in.
-#}
with

changes as (

    select * from {{ ref('stg_shop__customer_changes') }}

),

last_change_per_instant as (

    {#- two changes of one customer committed in the same instant: the later lsn wins #}
    select
        *,
        row_number() over (
            partition by customer_id, committed_at
            order by lsn desc
        ) as instant_rank
    from changes

),

ordered as (

    select
        *,
        {#- row_number is a 32-bit integer on Spark, 64-bit elsewhere: the contract says bigint #}
        cast(
            row_number() over (partition by customer_id order by committed_at) as {{ dbt.type_bigint() }}
        ) as version_number,
        lead(committed_at) over (partition by customer_id order by committed_at) as next_committed_at
    from last_change_per_instant
    where instant_rank = 1

),

final as (

    select
        customer_id,
        version_number,
        lsn,
        cdc_operation,
        is_delete as is_deleted,
        committed_at as changed_at,
        {#- the first version also covers the time before the feed knew the customer (a
            snapshot read at the start of the feed), back to the signup #}
        case
            when version_number = 1 and signed_up_at < committed_at then signed_up_at
            else committed_at
        end as valid_from,
        coalesce(
            next_committed_at, cast('{{ var("scd_far_future") }}' as {{ dbt.type_timestamp() }})
        ) as valid_to,
        next_committed_at is null as is_current,
        email,
        is_email_valid,
        phone,
        city,
        country_code,
        segment,
        signed_up_at,
        loaded_at
    from ordered

)

select * from final
