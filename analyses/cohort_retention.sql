{#-
    Cohort retention for the retention dashboard: customers by the month they signed up, and
    for each month since signup (0 = the signup month) the share of the cohort that placed
    an order not cancelled in that month. One row per (cohort month, months since signup).
    Only cohorts that signed up within the order history of the marts are shown: an older
    cohort's first months are not in the warehouse, and its curve would start in the middle.
-#}
with

customers as (

    select * from {{ ref('obt_customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

cohorts as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'signed_up_at') }} as date) as cohort_month
    from customers

),

history as (

    select min(cast({{ dbt.date_trunc('month', 'order_date') }} as date)) as first_order_month
    from orders

),

observed_cohorts as (

    select cohorts.*
    from cohorts
    cross join history
    where cohorts.cohort_month >= history.first_order_month

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_size
    from observed_cohorts
    group by 1

),

order_months as (

    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month
    from orders
    where not is_cancelled

),

activity as (

    select
        cohorts.cohort_month,
        {{ dbt.datediff('cohorts.cohort_month', 'order_months.order_month', 'month') }}
            as months_since_signup,
        count(distinct order_months.customer_id) as active_customers
    from order_months
    inner join observed_cohorts as cohorts on order_months.customer_id = cohorts.customer_id
    group by 1, 2

),

final as (

    select
        activity.cohort_month,
        activity.months_since_signup,
        cohort_sizes.cohort_size,
        activity.active_customers,
        cast(activity.active_customers as {{ dbt.type_numeric() }})
        / cohort_sizes.cohort_size as retention_rate
    from activity
    inner join cohort_sizes on activity.cohort_month = cohort_sizes.cohort_month
    where activity.months_since_signup >= 0

)

select * from final
order by 1, 2
