{#-
    Training-serving parity: the online features (evaluated directly at one as-of date) equal
    the daily offline features of the same date, customer by customer and feature by feature,
    and both have the same customers. Fails with the rows that differ.
-#}
{{ config(severity='error') }}

with

online as (

    select * from {{ ref('ml_customer_features_online') }}

),

daily as (

    select * from {{ ref('ml_customer_features_daily') }}

),

online_date as (

    select max(as_of_date) as as_of_date from online

),

offline as (

    select daily.*
    from daily
    inner join online_date
        on daily.as_of_date = online_date.as_of_date

),

final as (

    select
        coalesce(online.customer_id, offline.customer_id) as customer_id,
        coalesce(online.as_of_date, offline.as_of_date) as as_of_date,
        case
            when online.customer_id is null then 'missing online'
            when offline.customer_id is null then 'missing offline'
            else 'features differ'
        end as difference
    from online
    full outer join offline
        on online.customer_id = offline.customer_id
    where
        online.customer_id is null
        or offline.customer_id is null
        {%- for feature in customer_features() %}
        or not ({{ null_safe_equal('online.' ~ feature.name, 'offline.' ~ feature.name) }})
        {%- endfor %}

)

select * from final
