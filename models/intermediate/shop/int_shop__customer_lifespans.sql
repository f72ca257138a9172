{#-
    When the warehouse came to know each customer and when it learnt of the deletion: the
    population of the point-in-time ML features. Load times, not commit times: a customer
    whose creation reaches the warehouse a day late is not there to be scored before.
-#}
with

customer_changes as (

    select * from {{ ref('stg_shop__customer_changes') }}

),

registry as (

    select * from {{ ref('int_shop__customer_registry') }}

),

lifespans as (

    select
        customer_id,
        min(signed_up_at) as signed_up_at,
        min(loaded_at) as known_from,
        min(case when is_delete then loaded_at end) as deletion_known_at
    from customer_changes
    group by 1

),

final as (

    select lifespans.*
    from lifespans
    inner join registry
        on lifespans.customer_id = registry.customer_id
    where not registry.is_internal_test_account

)

select * from final
