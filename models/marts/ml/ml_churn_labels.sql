{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='customer_as_of_key',
        partition_by=['as_of_date'],
        on_schema_change='fail',
        pre_hook="{{ delete_dates_to_label_again(this) }}",
        post_hook="{{ delete_customers_no_longer_in_population(this) }}",
    )
}}

{#-
    The churn label of every (customer, as-of date) of the daily features: churned when the
    customer places no order in the churn_label_days days after the as-of date (the days
    as_of_date + 1 .. as_of_date + N, i.e. from the as-of time on). The label looks forward,
    so it may use everything known today; it is null while its window is not fully loaded.

    Incremental: a label depends on the customer's next order date after the as-of date and
    on whether its window is loaded. A run labels again
    - the as-of dates the daily features rewrote (the newest incremental_lookback_hours of
      dates, removed first by the pre-hook), and every newer one;
    - the dates whose window became loaded (or stopped being);
    - for each customer whose order dates changed where they matter (the set of next order
      dates the stored labels hold, against the same set from today's orders), the dates from
      the newest unchanged order date before the first change on: earlier labels cannot change.
    On Spark, where rows are replaced by as-of date partition, every row of those dates.
-#}

with

all_features as (

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

{% if is_incremental() %}
labelled as (

    select * from {{ this }}

),

new_dates as (

    {#- the dates after the newest one labelled: new, or rewritten by the daily features (the
        pre-hook removed those) #}
    select coalesce(max(as_of_date), cast('1900-01-01' as date)) as newest_labelled_date
    from labelled

),

observation_changed_dates as (

    {#- the as-of dates whose label window became loaded, or stopped being #}
    select labelled.as_of_date
    from labelled
    cross join bounds
    group by labelled.as_of_date
    having
        max(case when labelled.is_label_observed then 1 else 0 end)
        != max(case when labelled.label_window_end_date <= bounds.orders_complete_through then 1 else 0 end)

),

label_spans as (

    select
        customer_id,
        min(as_of_date) as first_as_of_date,
        max(as_of_date) as last_as_of_date
    from labelled
    group by 1

),

next_order_dates_stored as (

    {#- the next order dates the stored labels hold: a customer's labels are the same while
        this set is #}
    select distinct
        customer_id,
        next_order_date as order_date
    from labelled
    where next_order_date is not null

),

next_order_dates_now as (

    {#- the same set from today's orders: every order date after the customer's first labelled
        date through the last, and the first one after that #}
    select
        order_dates.customer_id,
        order_dates.order_date
    from order_dates
    inner join label_spans
        on order_dates.customer_id = label_spans.customer_id
    where
        order_dates.order_date > label_spans.first_as_of_date
        and order_dates.order_date <= label_spans.last_as_of_date
    union all
    select
        order_dates.customer_id,
        min(order_dates.order_date) as order_date
    from order_dates
    inner join label_spans
        on order_dates.customer_id = label_spans.customer_id
    where order_dates.order_date > label_spans.last_as_of_date
    group by 1

),

changed_order_dates as (

    select
        coalesce(stored.customer_id, now.customer_id) as customer_id,
        coalesce(stored.order_date, now.order_date) as order_date
    from next_order_dates_stored as stored
    full outer join next_order_dates_now as now
        on stored.customer_id = now.customer_id and stored.order_date = now.order_date
    where stored.customer_id is null or now.customer_id is null

),

first_changes as (

    select
        customer_id,
        min(order_date) as first_changed_date
    from changed_order_dates
    group by 1

),

customers_changed as (

    {#- labels before the newest unchanged order date preceding the first change stay #}
    select
        first_changes.customer_id,
        coalesce(max(stored.order_date), cast('1900-01-01' as date)) as relabel_from
    from first_changes
    left join next_order_dates_stored as stored
        on
            first_changes.customer_id = stored.customer_id
            and stored.order_date < first_changes.first_changed_date
    group by 1

),

rows_to_label as (

    select
        all_features.customer_id,
        all_features.as_of_date
    from all_features
    cross join new_dates
    left join customers_changed
        on all_features.customer_id = customers_changed.customer_id
    where
        all_features.as_of_date > new_dates.newest_labelled_date
        or all_features.as_of_date >= customers_changed.relabel_from
        or all_features.as_of_date in (select observation_changed_dates.as_of_date from observation_changed_dates)

),

units_to_label as (

    {#- a row, or on Spark its whole as-of date #}
    select distinct
        {{ incremental_replace_unit('customer_id', '0') }} as customer_unit,
        as_of_date
    from rows_to_label

),

features as (

    select all_features.*
    from all_features
    inner join units_to_label
        on
            {{ incremental_replace_unit('all_features.customer_id', '0') }} = units_to_label.customer_unit
            and all_features.as_of_date = units_to_label.as_of_date

),
{% else %}
features as (

    select * from all_features

),
{% endif %}

timeline as (

    {#- the first order date after each as-of date, by one pass over dates in reverse #}
    select
        customer_id,
        order_date as timeline_date,
        0 as is_as_of_date
    from order_dates
    where customer_id in (select features.customer_id from features)
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

labels as (

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

),

final as (

    {#- churned as 0/1 as well: BI tools average a number (avg(churned_flag) is the churn
        rate of the observed labels); null while the label is not observed #}
    select
        *,
        case when churned then 1 when not churned then 0 end as churned_flag
    from labels

)

select * from final
