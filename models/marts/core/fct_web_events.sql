{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='anonymous_id',
        partition_by=['visitor_bucket'],
        on_schema_change='fail',
    )
}}

-- depends_on: {{ ref('base_shop__customer_changes') }}

{#
    Sessions and identity depend on a visitor's whole history: a late event can merge two
    sessions, a login today attributes months of anonymous events. So the unit of refresh is
    the visitor: every visitor touched since the watermark is rebuilt whole (delete+insert on
    anonymous_id, which is not unique in the table: dbt deletes all its rows first).
#}

with

events as (

    select * from {{ ref('stg_web__events') }}
    where not is_bot

),

identity_map as (

    select * from {{ ref('int_web__identity_map') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

{% if is_incremental() %}
{#- every new change row of any fate: a change can also take back another (a contradicting copy
    quarantines a staged change; a late creation stages changes that waited for it) #}
customer_changes as (

    select * from {{ ref('base_shop__customer_changes') }}
    where customer_id is not null

),

visitors_to_refresh as (

    {{ visitors_to_refresh('events', 'ingestion_id') }}

),

visitor_events as (

    select events.*
    from events
    where
        {{ incremental_replace_unit('events.anonymous_id', visitor_bucket('events.anonymous_id')) }}
        in (select visitors_to_refresh.unit from visitors_to_refresh)

),
{% else %}
visitor_events as (

    select * from events

),
{% endif %}

with_previous as (

    select
        *,
        lag(occurred_at) over (partition by anonymous_id order by occurred_at, event_id) as previous_occurred_at
    from visitor_events

),

session_starts as (

    select
        *,
        case
            when previous_occurred_at is null then 1
            when occurred_at > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_occurred_at') }}
                then 1
            else 0
        end as is_session_start
    from with_previous

),

numbered as (

    select
        *,
        cast(sum(is_session_start) over (
            partition by anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as session_number
    from session_starts

),

sessionized as (

    select
        *,
        min(occurred_at) over (partition by anonymous_id, session_number) as session_started_at
    from numbered

),

final as (

    select
        sessionized.event_id,
        {{ generate_surrogate_key(['sessionized.anonymous_id', 'sessionized.session_started_at']) }} as session_id,
        sessionized.session_number,
        sessionized.anonymous_id,
        coalesce(sessionized.customer_id, identity_map.customer_id) as customer_id,
        customers.customer_key,
        products.product_key,
        sessionized.customer_id is not null as is_logged_in,
        sessionized.event_type,
        sessionized.occurred_at,
        cast(sessionized.occurred_at as date) as event_date,
        {{ date_key('sessionized.occurred_at') }} as event_date_key,
        sessionized.received_at,
        sessionized.loaded_at,
        sessionized.ingestion_id,
        sessionized.page_url,
        sessionized.product_id,
        sessionized.order_id,
        {{ visitor_bucket('sessionized.anonymous_id') }} as visitor_bucket
    from sessionized
    left join identity_map
        on sessionized.anonymous_id = identity_map.anonymous_id
    left join customers
        on
            coalesce(sessionized.customer_id, identity_map.customer_id) = customers.customer_id
            and sessionized.occurred_at >= customers.valid_from
            and sessionized.occurred_at < customers.valid_to
    left join products
        on
            sessionized.product_id = products.product_id
            and sessionized.occurred_at >= products.valid_from
            and sessionized.occurred_at < products.valid_to

)

select * from final
