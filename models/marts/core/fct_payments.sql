with

payments as (

    select * from {{ ref('int_shop__payments_checked') }}
    where integrity_reason is null

),

orders as (

    select * from {{ ref('int_shop__orders_checked') }}
    where integrity_reason is null

),

customers as (

    select * from {{ ref('dim_customers') }}

),

exchange_rates as (

    select * from {{ ref('currency_exchange_rates') }}

),

final as (

    select
        payments.payment_id,
        payments.order_id,
        customers.customer_key,
        orders.customer_id,
        cast(payments.created_at as date) as payment_date,
        {{ date_key('payments.created_at') }} as payment_date_key,
        payments.payment_type,
        payments.payment_method,
        payments.payment_status,
        payments.currency,
        payments.amount,
        case when payments.payment_type = 'refund' then -payments.amount else payments.amount end as signed_amount,
        cast(payments.amount * exchange_rates.rate_to_usd as decimal(18, 2)) as amount_usd,
        payments.payment_status = 'succeeded' as is_succeeded,
        payments.created_at,
        payments.loaded_at
    from payments
    inner join orders
        on payments.order_id = orders.order_id
    left join customers
        on
            orders.customer_id = customers.customer_id
            and payments.created_at >= customers.valid_from
            and payments.created_at < customers.valid_to
    left join exchange_rates
        on
            payments.currency = exchange_rates.currency_code
            and cast({{ dbt.date_trunc('month', 'payments.created_at') }} as date) = exchange_rates.rate_month

)

select * from final
