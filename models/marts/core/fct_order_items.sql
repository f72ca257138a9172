{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='order_id',
        partition_by=['order_date'],
        on_schema_change='fail',
        post_hook=[
            "{{ delete_orders_no_longer_accepted(this) }}",
        ],
    )
}}

-- depends_on: {{ ref('base_shop__customer_changes') }}
-- depends_on: {{ ref('base_shop__orders') }}

with

order_items as (

    select * from {{ ref('int_shop__order_items_checked') }}
    where integrity_reason is null

),

orders as (

    select * from {{ ref('int_shop__orders_checked') }}
    where integrity_reason is null

),

customers as (

    select * from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

exchange_rates as (

    select * from {{ ref('currency_exchange_rates') }}

),

{% if is_incremental() %}
{#- every new change row of any fate: a change can also take back another (a contradicting copy
    quarantines a staged change; a late creation stages changes that waited for it) #}
customer_changes as (

    select * from {{ ref('base_shop__customer_changes') }}
    where customer_id is not null

),

{#- every order touched by an ingestion since the watermark: new lines, a new version of the order
    (a line can wait for its order), or a change of its customer (a CDC event delivered late
    can change which customer version was valid when the order was placed) #}
orders_to_refresh as (

    select order_items.order_id
    from order_items
    where order_items.ingestion_id > {{ incremental_watermark('input_ingestion_id') }}
    union
    select orders.order_id
    from orders
    where orders.ingestion_id > {{ incremental_watermark('input_ingestion_id') }}
    union
    {#- a new row of the order of any fate: a contradicting copy can take back the staged
        version, and the order falls back to an older one (conflicting_duplicate) #}
    select base_orders.order_id
    from {{ ref('base_shop__orders') }} as base_orders
    where
        base_orders.ingestion_id > {{ incremental_watermark('input_ingestion_id') }}
        and base_orders.order_id is not null
    union
    select orders.order_id
    from orders
    inner join customer_changes
        on orders.customer_id = customer_changes.customer_id
    where customer_changes.ingestion_id > {{ incremental_watermark('input_ingestion_id') }}

),

{#- the units rebuilt whole: the touched orders (delete+insert by order_id), or on Spark every
    order date they have now or had before (insert_overwrite of order_date partitions) #}
units_to_refresh as (

    select {{ incremental_replace_unit('orders.order_id', 'cast(orders.placed_at as date)') }} as unit
    from orders
    inner join orders_to_refresh
        on orders.order_id = orders_to_refresh.order_id
    union
    select {{ incremental_replace_unit('existing.order_id', 'existing.order_date') }} as unit
    from {{ this }} as existing
    inner join orders_to_refresh
        on existing.order_id = orders_to_refresh.order_id

),

{% endif %}
final as (

    select
        order_items.order_item_id,
        order_items.order_id,
        customers.customer_key,
        products.product_key,
        orders.customer_id,
        order_items.product_id,
        cast(orders.placed_at as date) as order_date,
        {{ date_key('orders.placed_at') }} as order_date_key,
        orders.placed_at,
        order_items.quantity,
        cast(orders.currency as {{ dbt.type_string() }}) as currency,
        order_items.unit_price,
        order_items.discount_amount,
        order_items.line_amount,
        cast(order_items.line_amount * exchange_rates.rate_to_usd as decimal(18, 2)) as line_amount_usd,
        greatest(order_items.ingestion_id, orders.ingestion_id) as input_ingestion_id
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join customers
        on
            orders.customer_id = customers.customer_id
            and orders.placed_at >= customers.valid_from
            and orders.placed_at < customers.valid_to
    left join products
        on
            order_items.product_id = products.product_id
            and orders.placed_at >= products.valid_from
            and orders.placed_at < products.valid_to
    left join exchange_rates
        on
            orders.currency = exchange_rates.currency_code
            and cast({{ dbt.date_trunc('month', 'orders.placed_at') }} as date) = exchange_rates.rate_month
    {%- if is_incremental() %}
    where
        {{ incremental_replace_unit('order_items.order_id', 'cast(orders.placed_at as date)') }}
        in (select units_to_refresh.unit from units_to_refresh)
    {%- endif %}

)

select * from final
