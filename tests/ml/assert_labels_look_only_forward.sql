{#-
    Leakage test for the labels: recompute each label from the orders by brute force, at the
    same sample of as-of dates as the feature recompute: churned when no order was placed from
    the as-of time (midnight after the as-of date) to churn_label_days later, null when that
    window ends after the newest complete day of orders. A label that counted an order of the
    as-of date itself (known before the as-of time: a feature, not an outcome), stopped early
    or looked past its window differs here.
-#}
{{ config(severity='error') }}

with

labels as (

    select * from {{ ref('ml_churn_labels') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

check_labels as (

    select labels.*
    from labels
    cross join bounds
    where
        mod(
            {{ dbt.datediff('bounds.first_as_of_date', 'labels.as_of_date', 'day') }},
            {{ var('leakage_check_every_days') }}
        ) = 0

),

orders_in_window as (

    select
        check_labels.customer_id,
        check_labels.as_of_date,
        count(orders.order_id) as order_count
    from check_labels
    inner join orders
        on
            check_labels.customer_id = orders.customer_id
            and {{ dbt.dateadd('day', 1, 'check_labels.as_of_date') }} <= orders.placed_at
            and {{ dbt.dateadd('day', 1 + var('churn_label_days'), 'check_labels.as_of_date') }} > orders.placed_at
    group by 1, 2

),

expected as (

    select
        check_labels.customer_id,
        check_labels.as_of_date,
        check_labels.churned,
        case
            when
                cast({{ dbt.dateadd('day', var('churn_label_days'), 'check_labels.as_of_date') }} as date)
                <= bounds.orders_complete_through
                then coalesce(orders_in_window.order_count, 0) = 0
        end as expected_churned
    from check_labels
    cross join bounds
    left join orders_in_window
        on
            check_labels.customer_id = orders_in_window.customer_id
            and check_labels.as_of_date = orders_in_window.as_of_date

),

final as (

    select *
    from expected
    where not {{ null_safe_equal('churned', 'expected_churned') }}

)

select * from final
