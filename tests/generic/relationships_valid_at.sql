{#
    A fact's surrogate key must name the dimension version that was valid when the fact
    happened. Fails on every fact row whose key
      - points to no version, or to a version of another entity (natural key mismatch), or to
        a version whose window [valid_from, valid_to) does not contain the event time;
      - is null although a version of its entity was valid at the event time.

    Arguments: to (the dimension), field (its surrogate key), natural_key (the fact's natural
    key column), to_natural_key (the dimension's, default the same name), event_at (the fact's
    event time), valid_from, valid_to (the dimension's window columns).
#}
{% test relationships_valid_at(model, column_name, to, field, natural_key, event_at, to_natural_key=none, valid_from='valid_from', valid_to='valid_to') %}

{%- set dim_key = to_natural_key or natural_key -%}

with

facts as (

    select
        {{ column_name }} as fact_key,
        {{ natural_key }} as natural_key,
        {{ event_at }} as event_at
    from {{ model }}
    where {{ natural_key }} is not null

),

dimension as (

    select
        {{ field }} as dim_key,
        {{ dim_key }} as natural_key,
        {{ valid_from }} as valid_from,
        {{ valid_to }} as valid_to
    from {{ to }}

),

pointed as (

    select
        facts.*,
        dimension.dim_key
    from facts
    left join dimension
        on
            facts.fact_key = dimension.dim_key
            and facts.natural_key = dimension.natural_key
            and facts.event_at >= dimension.valid_from
            and facts.event_at < dimension.valid_to

),

valid_versions as (

    select
        facts.fact_key,
        facts.natural_key,
        facts.event_at
    from facts
    inner join dimension
        on
            facts.natural_key = dimension.natural_key
            and facts.event_at >= dimension.valid_from
            and facts.event_at < dimension.valid_to
    where facts.fact_key is null

)

select fact_key, natural_key, event_at, 'key not valid at event time' as violation
from pointed
where fact_key is not null and dim_key is null
union all
select fact_key, natural_key, event_at, 'key missing though a version was valid' as violation
from valid_versions

{% endtest %}
