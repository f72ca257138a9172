{#-
    Everything the customer features count, in one long table with the time each row was
    known to the warehouse: one row per signal row of a customer. A row counts for a feature
    as of a time T when it happened before T (event_at), was loaded before T (known_from)
    and was not yet replaced by newer knowledge (known_until, null when it never was):
    a cancelled version of an order replaces the version before it from its load on, a late
    event that merges two web sessions ends the second session's start.
-#}
with

order_versions as (

    select * from {{ ref('int_shop__order_versions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

staged_order_items as (

    select * from {{ ref('int_shop__order_items_checked') }}
    where integrity_reason is null

),

products as (

    select * from {{ ref('dim_products') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

web_events as (

    select * from {{ ref('int_web__customer_events_known') }}

),

customers as (

    select * from {{ ref('int_shop__customer_lifespans') }}

),

first_loaded_items as (

    select
        order_id,
        min(loaded_at) as first_item_loaded_at
    from staged_order_items
    group by 1

),

first_known_orders as (

    {#- an order counts once it could be accepted: the order, its customer and a valid line loaded #}
    select
        order_versions.order_id,
        order_versions.customer_id,
        order_versions.placed_at,
        greatest(
            min(order_versions.order_first_loaded_at),
            min(customers.known_from),
            min(first_loaded_items.first_item_loaded_at)
        ) as order_first_loaded_at
    from order_versions
    inner join customers
        on order_versions.customer_id = customers.customer_id
    inner join first_loaded_items
        on order_versions.order_id = first_loaded_items.order_id
    group by 1, 2, 3

),

known_versions as (

    select
        order_versions.order_version_key,
        order_versions.order_id,
        order_versions.customer_id,
        order_versions.order_status,
        order_versions.order_total,
        order_versions.placed_at,
        order_versions.known_until,
        orders.rate_to_usd,
        greatest(order_versions.known_from, first_known_orders.order_first_loaded_at) as known_from
    from order_versions
    inner join orders
        on order_versions.order_id = orders.order_id
    inner join first_known_orders
        on order_versions.order_id = first_known_orders.order_id

),

order_placed as (

    select
        customer_id,
        'order_placed' as signal_name,
        cast(order_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        placed_at as event_at,
        order_first_loaded_at as known_from,
        cast(null as {{ dbt.type_timestamp() }}) as known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from first_known_orders

),

order_version_values as (

    {#- the value of each order-version signal; a version counts for the signals it is not 0 for #}
    select
        customer_id,
        order_version_key,
        placed_at,
        known_from,
        known_until,
        case when order_status != 'cancelled' then order_total * rate_to_usd else 0 end as order_value_usd,
        case when order_status != 'cancelled' then 1 else 0 end as order_kept,
        case when order_status = 'cancelled' then 1 else 0 end as order_cancelled,
        case when order_status = 'returned' then 1 else 0 end as order_returned
    from known_versions

),

order_version_signals as (

    select
        customer_id,
        'order_value_usd' as signal_name,
        order_version_key as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        placed_at as event_at,
        known_from,
        known_until,
        cast(order_value_usd as decimal(18, 2)) as signal_value
    from order_version_values
    where order_value_usd != 0
    union all
    select
        customer_id,
        'order_kept' as signal_name,
        order_version_key as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        placed_at as event_at,
        known_from,
        known_until,
        cast(order_kept as decimal(18, 2)) as signal_value
    from order_version_values
    where order_kept != 0
    union all
    select
        customer_id,
        'order_cancelled' as signal_name,
        order_version_key as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        placed_at as event_at,
        known_from,
        known_until,
        cast(order_cancelled as decimal(18, 2)) as signal_value
    from order_version_values
    where order_cancelled != 0
    union all
    select
        customer_id,
        'order_returned' as signal_name,
        order_version_key as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        placed_at as event_at,
        known_from,
        known_until,
        cast(order_returned as decimal(18, 2)) as signal_value
    from order_version_values
    where order_returned != 0

),

category_spend as (

    select
        order_items.customer_id,
        'category_spend_usd' as signal_name,
        cast(order_items.order_item_id as {{ dbt.type_string() }}) as source_row_id,
        products.category_code,
        order_items.placed_at as event_at,
        greatest(staged_order_items.loaded_at, first_known_orders.order_first_loaded_at) as known_from,
        cast(null as {{ dbt.type_timestamp() }}) as known_until,
        cast(order_items.line_amount_usd as decimal(18, 2)) as signal_value
    from order_items
    inner join staged_order_items
        on order_items.order_item_id = staged_order_items.order_item_id
    inner join first_known_orders
        on order_items.order_id = first_known_orders.order_id
    inner join products
        on order_items.product_key = products.product_key

),

failed_payments as (

    select
        customer_id,
        'payment_failed' as signal_name,
        cast(payment_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        created_at as event_at,
        loaded_at as known_from,
        cast(null as {{ dbt.type_timestamp() }}) as known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from payments
    where payment_status = 'failed'

),

web_signals as (

    {#- a session start counts until a late event merges its session into an earlier one; a
        cart line settles 24 hours after the add-to-cart, and is abandoned unless a purchase
        followed it #}
    select
        customer_id,
        'session_start' as signal_name,
        cast(event_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        occurred_at as event_at,
        known_from,
        least(known_until, session_start_known_until) as known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from web_events
    union all
    select
        customer_id,
        'product_view' as signal_name,
        cast(event_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        occurred_at as event_at,
        known_from,
        known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from web_events
    where event_type = 'product_view'
    union all
    select
        customer_id,
        'add_to_cart' as signal_name,
        cast(event_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        occurred_at as event_at,
        known_from,
        known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from web_events
    where event_type = 'add_to_cart'
    union all
    select
        customer_id,
        'cart_settled' as signal_name,
        cast(event_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        occurred_at as event_at,
        greatest(known_from, {{ dbt.dateadd('hour', 24, 'occurred_at') }}) as known_from,
        known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from web_events
    where event_type = 'add_to_cart'
    union all
    select
        customer_id,
        'cart_abandoned' as signal_name,
        cast(event_id as {{ dbt.type_string() }}) as source_row_id,
        cast(null as {{ dbt.type_string() }}) as category_code,
        occurred_at as event_at,
        greatest(known_from, {{ dbt.dateadd('hour', 24, 'occurred_at') }}) as known_from,
        least(known_until, purchase_followup_known_at) as known_until,
        cast(1 as decimal(18, 2)) as signal_value
    from web_events
    where event_type = 'add_to_cart'

),

all_signals as (

    select * from order_placed
    union all
    select * from order_version_signals
    union all
    select * from category_spend
    union all
    select * from failed_payments
    union all
    select * from web_signals

),

final as (

    select *
    from all_signals
    {#- a row replaced before (or when) it was loaded never counted: leave it out #}
    where known_until is null or known_until > known_from

)

select * from final
