{#-
    What the warehouse knew of each order, and when: every accepted version of an accepted order
    (the superseded ones too) with the load time from which it was the newest known version
    (known_from) and the load time of the first newer version (known_until). A version loaded
    after a newer one (out of order) is never the newest known and gets no row.
-#}
with

order_versions as (

    select * from {{ ref('base_shop__orders') }}
    where row_fate in ('staged', 'superseded')

),

accepted_orders as (

    select order_id from {{ ref('int_shop__orders_checked') }}
    where integrity_reason is null

),

accepted_versions as (

    select order_versions.*
    from order_versions
    inner join accepted_orders
        on order_versions.order_id = accepted_orders.order_id

),

with_successor as (

    select
        *,
        {#- the first load of any newer version ends this one's reign -#}
        min(loaded_at) over (
            partition by order_id
            order by updated_at desc
            rows between unbounded preceding and 1 preceding
        ) as newer_version_loaded_at,
        min(loaded_at) over (partition by order_id) as order_first_loaded_at
    from accepted_versions

),

final as (

    select
        {{ generate_surrogate_key(['order_id', 'updated_at']) }} as order_version_key,
        order_id,
        customer_id,
        status as order_status,
        currency,
        order_total,
        placed_at,
        updated_at,
        loaded_at as known_from,
        newer_version_loaded_at as known_until,
        order_first_loaded_at
    from with_successor
    where newer_version_loaded_at is null or newer_version_loaded_at > loaded_at

)

select * from final
