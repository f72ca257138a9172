{#- obt_customers aggregates the star per customer: its totals must add up to the facts'. A
    web session can name a customer whose creation the CDC feed has not delivered yet (an
    account made at checkout): it joins obt_customers when the customer does. -#}
with

orders as (

    select
        count(*) as order_count,
        sum(case when not is_cancelled then order_total_usd else 0 end) as gross_revenue_usd
    from {{ ref('fct_orders') }}

),

sessions as (

    select count(*) as session_count
    from {{ ref('fct_sessions') }} as fct_sessions
    where
        fct_sessions.customer_id in (
            select dim_customers.customer_id from {{ ref('dim_customers') }} as dim_customers
        )

),

customers as (

    select count(distinct customer_id) as customer_count
    from {{ ref('dim_customers') }}

),

obt as (

    select
        count(*) as customer_count,
        sum(order_count) as order_count,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(session_count) as session_count
    from {{ ref('obt_customers') }}

)

select
    orders.order_count as star_order_count,
    obt.order_count as obt_order_count,
    orders.gross_revenue_usd as star_gross_revenue_usd,
    obt.gross_revenue_usd as obt_gross_revenue_usd,
    sessions.session_count as star_session_count,
    obt.session_count as obt_session_count,
    customers.customer_count as star_customer_count,
    obt.customer_count as obt_customer_count
from orders
cross join sessions
cross join customers
cross join obt
where
    orders.order_count != obt.order_count
    or orders.gross_revenue_usd != obt.gross_revenue_usd
    or sessions.session_count != obt.session_count
    or customers.customer_count != obt.customer_count
