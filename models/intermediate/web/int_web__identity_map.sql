{#-
    Identity stitching: the customer behind each visitor (anonymous_id), known once the visitor
    logs in on that device. Every event of the visitor, before the login too, is attributed to
    that customer. A device used by several customers is attributed to the first who logged in.
-#}
with

events as (

    select * from {{ ref('stg_web__events') }}
    where customer_id is not null and not is_bot

),

ranked_logins as (

    select
        anonymous_id,
        customer_id,
        occurred_at,
        row_number() over (partition by anonymous_id order by occurred_at, event_id) as login_rank
    from events

),

final as (

    select
        anonymous_id,
        customer_id,
        occurred_at as first_identified_at
    from ranked_logins
    where login_rank = 1

)

select * from final
