{#-
    The churn label of every (customer, as-of date) of the daily features: churned when the
    customer places no order in the churn_label_days days after the as-of date (the days
    as_of_date + 1 .. as_of_date + N, i.e. from the as-of time on). The label looks forward,
    so it may use everything known today; it is null while its window is not fully loaded.
-#}
with

features as (

    select
        customer_id,
        as_of_date
    from {{ ref('ml_customer_features_daily') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

order_dates as (

    select distinct
        customer_id,
        order_date
    from orders

),

timeline as (

    {#- the first order date after each as-of date, by one pass over dates in reverse #}
    select
        customer_id,
        order_date as timeline_date,
        0 as is_as_of_date
    from order_dates
    union all
    select
        customer_id,
        as_of_date as timeline_date,
        1 as is_as_of_date
    from features

),

next_orders as (

    select
        customer_id,
        timeline_date as as_of_date,
        is_as_of_date,
        min(case when is_as_of_date = 0 then timeline_date end) over (
            partition by customer_id
            order by timeline_date desc, is_as_of_date desc
            rows between unbounded preceding and current row
        ) as next_order_date
    from timeline

),

final as (

    select
        {{ generate_surrogate_key(['next_orders.customer_id', 'next_orders.as_of_date']) }} as customer_as_of_key,
        next_orders.customer_id,
        next_orders.as_of_date,
        cast({{ dbt.dateadd('day', var('churn_label_days'), 'next_orders.as_of_date') }} as date)
            as label_window_end_date,
        next_orders.next_order_date,
        cast({{ dbt.dateadd('day', var('churn_label_days'), 'next_orders.as_of_date') }} as date)
        <= bounds.orders_complete_through as is_label_observed,
        case
            when
                cast({{ dbt.dateadd('day', var('churn_label_days'), 'next_orders.as_of_date') }} as date)
                <= bounds.orders_complete_through
                then
                    next_orders.next_order_date is null
                    or next_orders.next_order_date
                    > cast({{ dbt.dateadd('day', var('churn_label_days'), 'next_orders.as_of_date') }} as date)
        end as churned
    from next_orders
    cross join bounds
    where next_orders.is_as_of_date = 1

)

select * from final
