with

orders as (

    select * from {{ ref('int_shop__orders_checked') }}
    where integrity_reason is null

),

order_items as (

    select * from {{ ref('int_shop__order_items_checked') }}
    where integrity_reason is null

),

customers as (

    select * from {{ ref('dim_customers') }}

),

exchange_rates as (

    select * from {{ ref('currency_exchange_rates') }}

),

item_totals as (

    select
        order_id,
        count(*) as item_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as unit_count
    from order_items
    group by 1

),

final as (

    select
        orders.order_id,
        customers.customer_key,
        orders.customer_id,
        cast(orders.placed_at as date) as order_date,
        {{ date_key('orders.placed_at') }} as order_date_key,
        orders.order_status,
        orders.currency,
        orders.items_subtotal,
        orders.discount_amount,
        orders.shipping_amount,
        orders.order_total,
        exchange_rates.rate_to_usd,
        cast(orders.items_subtotal * exchange_rates.rate_to_usd as decimal(18, 2)) as items_subtotal_usd,
        cast(orders.discount_amount * exchange_rates.rate_to_usd as decimal(18, 2)) as discount_amount_usd,
        cast(orders.shipping_amount * exchange_rates.rate_to_usd as decimal(18, 2)) as shipping_amount_usd,
        cast(orders.order_total * exchange_rates.rate_to_usd as decimal(18, 2)) as order_total_usd,
        item_totals.item_count,
        item_totals.unit_count,
        orders.placed_at,
        orders.paid_at,
        orders.shipped_at,
        orders.delivered_at,
        orders.cancelled_at,
        orders.returned_at,
        orders.order_status = 'cancelled' as is_cancelled,
        orders.order_status = 'returned' as is_returned,
        orders.delivered_at is not null as is_delivered,
        orders.updated_at as status_updated_at,
        orders.loaded_at
    from orders
    inner join item_totals
        on orders.order_id = item_totals.order_id
    left join customers
        on
            orders.customer_id = customers.customer_id
            and orders.placed_at >= customers.valid_from
            and orders.placed_at < customers.valid_to
    left join exchange_rates
        on
            orders.currency = exchange_rates.currency_code
            and cast({{ dbt.date_trunc('month', 'orders.placed_at') }} as date) = exchange_rates.rate_month

)

select * from final
