with

customer_changes as (

    select * from {{ ref('base_shop__customer_changes') }}
    where customer_id is not null

),

final as (

    select
        customer_id,
        coalesce({{ dbt.bool_or("reject_reason = 'internal_test_account'") }}, false) as is_internal_test_account,
        coalesce({{ dbt.bool_or("row_fate = 'staged'") }}, false) as has_staged_changes,
        min(committed_at) as first_committed_at
    from customer_changes
    group by 1

)

select * from final
