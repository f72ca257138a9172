{#-
    Web events of customers as the warehouse knew them over time: one row per non-bot event
    and period of attribution to a customer. A logged-in event belongs to its own customer
    from its load on; an anonymous event belongs to the customer of its visitor's identity
    period, from the later of its own load and the period's start until the period ends.
    Two more moments make the session and cart signals of the ML features point-in-time:
    - session_start_known_until: an event starts a session until an earlier event of the
      visitor less than the session timeout before it is loaded (a late event can merge it
      into an earlier session); null when it never stops being a start.
    - purchase_followup_known_at: for an add to cart, the load of the first purchase of the
      visitor within 24 hours after it; null when no purchase followed.
    Incremental by visitor: every column depends on the visitor's own events only, so a run
    rebuilds the visitors with newly ingested events, whole (delete+insert on anonymous_id;
    on Spark their visitor_bucket partitions).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='anonymous_id',
        partition_by=['visitor_bucket'],
        on_schema_change='fail',
    )
}}

with

{% if is_incremental() %}
visitors_to_refresh as (

    select distinct {{ incremental_replace_unit('anonymous_id', visitor_bucket('anonymous_id')) }} as unit
    from {{ ref('stg_web__events') }}
    where ingestion_id > {{ incremental_watermark('ingestion_id') }}

),

{% endif %}
events as (

    select staged_events.*
    from {{ ref('stg_web__events') }} as staged_events
    {%- if is_incremental() %}
    inner join visitors_to_refresh
        on
            {{ incremental_replace_unit('staged_events.anonymous_id', visitor_bucket('staged_events.anonymous_id')) }}
            = visitors_to_refresh.unit
    {%- endif %}
    where not staged_events.is_bot

),

identity_periods as (

    select * from {{ ref('int_web__identity_periods') }}

),

earlier_neighbours as (

    select
        events.event_id,
        min(neighbours.loaded_at) as first_earlier_neighbour_loaded_at
    from events
    inner join events as neighbours
        on
            events.anonymous_id = neighbours.anonymous_id
            and events.occurred_at >= neighbours.occurred_at
            and {{ dbt.dateadd('minute', -1 * var('session_timeout_minutes'), 'events.occurred_at') }}
            <= neighbours.occurred_at
            and (
                events.occurred_at > neighbours.occurred_at
                or events.event_id > neighbours.event_id
            )
    group by 1

),

purchase_followups as (

    select
        carts.event_id,
        min(purchases.loaded_at) as purchase_followup_known_at
    from events as carts
    inner join events as purchases
        on
            carts.anonymous_id = purchases.anonymous_id
            and carts.occurred_at <= purchases.occurred_at
            and {{ dbt.dateadd('hour', 24, 'carts.occurred_at') }} >= purchases.occurred_at
            and purchases.event_type = 'purchase'
    where carts.event_type = 'add_to_cart'
    group by 1

),

own_customer as (

    select
        events.event_id,
        events.customer_id,
        events.loaded_at as known_from,
        cast(null as {{ dbt.type_timestamp() }}) as known_until
    from events
    where events.customer_id is not null

),

stitched_customer as (

    select
        events.event_id,
        identity_periods.customer_id,
        greatest(events.loaded_at, identity_periods.known_from) as known_from,
        identity_periods.known_until
    from events
    inner join identity_periods
        on events.anonymous_id = identity_periods.anonymous_id
    where
        events.customer_id is null
        and (
            identity_periods.known_until is null
            or identity_periods.known_until > greatest(events.loaded_at, identity_periods.known_from)
        )

),

attributions as (

    select * from own_customer
    union all
    select * from stitched_customer

),

final as (

    select
        events.event_id,
        attributions.customer_id,
        events.anonymous_id,
        events.event_type,
        events.occurred_at,
        events.product_id,
        events.loaded_at,
        attributions.known_from,
        attributions.known_until,
        earlier_neighbours.first_earlier_neighbour_loaded_at as session_start_known_until,
        purchase_followups.purchase_followup_known_at,
        events.ingestion_id,
        {{ visitor_bucket('events.anonymous_id') }} as visitor_bucket
    from events
    inner join attributions
        on events.event_id = attributions.event_id
    left join earlier_neighbours
        on events.event_id = earlier_neighbours.event_id
    left join purchase_followups
        on events.event_id = purchase_followups.event_id

)

select * from final
