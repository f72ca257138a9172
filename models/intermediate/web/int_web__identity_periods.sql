{#-
    Identity stitching as it was known over time. int_web__identity_map gives each visitor
    (anonymous_id) the customer of its first login by event time; a login can arrive late, so
    at an earlier moment the warehouse may have known another login, or none. Each row is a
    period of load time [known_from, known_until) during which the login of customer_id was
    the earliest known login of the visitor; at any moment at most one period is in force.
-#}
with

logins as (

    select * from {{ ref('stg_web__events') }}
    where customer_id is not null and not is_bot

),

with_earlier as (

    select
        anonymous_id,
        customer_id,
        event_id,
        occurred_at,
        loaded_at,
        {#- the first load of any login earlier in event time overrides this one -#}
        min(loaded_at) over (
            partition by anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_login_loaded_at
    from logins

),

final as (

    select
        anonymous_id,
        customer_id,
        event_id as login_event_id,
        occurred_at as login_occurred_at,
        loaded_at as known_from,
        earlier_login_loaded_at as known_until
    from with_earlier
    where earlier_login_loaded_at is null or earlier_login_loaded_at > loaded_at

)

select * from final
