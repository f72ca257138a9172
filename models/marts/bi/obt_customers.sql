{#- Each customer as they are now, with their lifetime order, revenue and web activity. #}
with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_current

),

orders as (

    select * from {{ ref('fct_orders') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

order_totals as (

    select
        customer_id,
        count(*) as order_count,
        count(case when not is_cancelled then 1 end) as completed_order_count,
        count(case when is_cancelled then 1 end) as cancelled_order_count,
        count(case when is_returned then 1 end) as returned_order_count,
        sum(case when not is_cancelled then order_total_usd else 0 end) as gross_revenue_usd,
        cast(sum(unit_count) as {{ dbt.type_bigint() }}) as unit_count,
        min(placed_at) as first_order_at,
        max(placed_at) as last_order_at
    from orders
    group by 1

),

payment_totals as (

    select
        customer_id,
        sum(case when payment_type = 'refund' and is_succeeded then amount_usd else 0 end) as refunded_usd,
        count(case when payment_type = 'charge' and not is_succeeded then 1 end) as failed_payment_count
    from payments
    group by 1

),

session_totals as (

    select
        customer_id,
        count(*) as session_count,
        count(case when has_purchase then 1 end) as purchase_session_count,
        max(session_started_at) as last_session_at
    from sessions
    where customer_id is not null
    group by 1

),

final as (

    select
        customers.customer_id,
        customers.customer_key as current_customer_key,
        customers.segment,
        customers.country_code,
        customers.country_name,
        customers.region,
        customers.city,
        customers.email_masked,
        customers.is_deleted,
        customers.signed_up_at,
        customers.version_number as version_count,
        cast(coalesce(order_totals.gross_revenue_usd, 0) as decimal(18, 2)) as gross_revenue_usd,
        cast(coalesce(payment_totals.refunded_usd, 0) as decimal(18, 2)) as refunded_usd,
        cast(
            coalesce(order_totals.gross_revenue_usd, 0) - coalesce(payment_totals.refunded_usd, 0)
            as decimal(18, 2)
        ) as net_revenue_usd,
        order_totals.first_order_at,
        order_totals.last_order_at,
        session_totals.last_session_at,
        coalesce(order_totals.order_count, 0) as order_count,
        coalesce(order_totals.completed_order_count, 0) as completed_order_count,
        coalesce(order_totals.cancelled_order_count, 0) as cancelled_order_count,
        coalesce(order_totals.returned_order_count, 0) as returned_order_count,
        coalesce(order_totals.unit_count, 0) as unit_count,
        coalesce(payment_totals.failed_payment_count, 0) as failed_payment_count,
        coalesce(session_totals.session_count, 0) as session_count,
        coalesce(session_totals.purchase_session_count, 0) as purchase_session_count
    from customers
    left join order_totals
        on customers.customer_id = order_totals.customer_id
    left join payment_totals
        on customers.customer_id = payment_totals.customer_id
    left join session_totals
        on customers.customer_id = session_totals.customer_id

)

select * from final
