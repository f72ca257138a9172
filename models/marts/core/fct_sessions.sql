{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='anonymous_id',
        partition_by=['visitor_bucket'],
        on_schema_change='fail',
    )
}}

-- depends_on: {{ ref('int_web__identity_map') }}
-- depends_on: {{ ref('base_shop__customer_changes') }}

{# Rebuilt per visitor, like fct_web_events, and from it; its own watermark, so a run that
    stopped after fct_web_events but before this model is caught up by the next run. #}

with

web_events as (

    select * from {{ ref('fct_web_events') }}

),

{% if is_incremental() %}
{#- every new change row of any fate: a change can also take back another (a contradicting copy
    quarantines a staged change; a late creation stages changes that waited for it) #}
customer_changes as (

    select * from {{ ref('base_shop__customer_changes') }}
    where customer_id is not null

),

identity_map as (

    select * from {{ ref('int_web__identity_map') }}

),

visitors_to_refresh as (

    {{ visitors_to_refresh('web_events', 'last_ingestion_id') }}

),

visitor_events as (

    select web_events.*
    from web_events
    where
        {{ incremental_replace_unit('web_events.anonymous_id', visitor_bucket('web_events.anonymous_id')) }}
        in (select visitors_to_refresh.unit from visitors_to_refresh)

),
{% else %}
visitor_events as (

    select * from web_events

),
{% endif %}

first_events as (

    select
        session_id,
        customer_key,
        row_number() over (partition by session_id order by occurred_at, event_id) as event_rank
    from visitor_events

),

session_totals as (

    select
        session_id,
        anonymous_id,
        min(session_number) as session_number,
        max(customer_id) as customer_id,
        min(occurred_at) as session_started_at,
        max(occurred_at) as session_ended_at,
        count(*) as event_count,
        count(case when event_type = 'page_view' then 1 end) as page_view_count,
        count(case when event_type = 'product_view' then 1 end) as product_view_count,
        count(case when event_type = 'add_to_cart' then 1 end) as add_to_cart_count,
        count(case when event_type = 'remove_from_cart' then 1 end) as remove_from_cart_count,
        count(case when event_type = 'checkout' then 1 end) > 0 as has_checkout,
        count(case when event_type = 'purchase' then 1 end) > 0 as has_purchase,
        max(case when is_logged_in then 1 else 0 end) = 1 as has_login,
        max(loaded_at) as last_loaded_at,
        max(ingestion_id) as last_ingestion_id
    from visitor_events
    group by 1, 2

),

final as (

    select
        session_totals.session_id,
        session_totals.anonymous_id,
        session_totals.session_number,
        session_totals.customer_id,
        first_events.customer_key,
        session_totals.session_started_at,
        session_totals.session_ended_at,
        cast(session_totals.session_started_at as date) as session_date,
        {{ date_key('session_totals.session_started_at') }} as session_date_key,
        cast(
            {{ dbt.datediff('session_totals.session_started_at', 'session_totals.session_ended_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as duration_seconds,
        session_totals.event_count,
        session_totals.page_view_count,
        session_totals.product_view_count,
        session_totals.add_to_cart_count,
        session_totals.remove_from_cart_count,
        session_totals.has_checkout,
        session_totals.has_purchase,
        session_totals.has_login,
        session_totals.add_to_cart_count > 0 and not session_totals.has_purchase as is_cart_abandoned,
        session_totals.last_loaded_at,
        session_totals.last_ingestion_id,
        {{ visitor_bucket('session_totals.anonymous_id') }} as visitor_bucket
    from session_totals
    inner join first_events
        on
            session_totals.session_id = first_events.session_id
            and first_events.event_rank = 1

)

select * from final
