{#
    SCD type 2 windows of one natural key must tile time: every version starts before it ends,
    each version ends exactly when the next starts (no overlap, no gap), exactly one version is
    current, and only the current one runs to the far future (var scd_far_future).

    Arguments: natural_key (the entity's key column), valid_from, valid_to, is_current
    (column names, defaulting to those). Returns one row per violation with its kind.
#}
{% test scd2_windows_are_valid(model, natural_key, valid_from='valid_from', valid_to='valid_to', is_current='is_current') %}

with

versions as (

    select
        {{ natural_key }} as natural_key,
        {{ valid_from }} as valid_from,
        {{ valid_to }} as valid_to,
        {{ is_current }} as is_current,
        lead({{ valid_from }}) over (partition by {{ natural_key }} order by {{ valid_from }}) as next_valid_from
    from {{ model }}

),

far_future as (

    select cast('{{ var("scd_far_future") }}' as {{ dbt.type_timestamp() }}) as valid_to

),

violations as (

    select natural_key, valid_from, 'valid_from not before valid_to' as violation
    from versions
    where not valid_from < valid_to
    union all
    select natural_key, valid_from, 'overlaps the next version' as violation
    from versions
    where next_valid_from < valid_to
    union all
    select natural_key, valid_from, 'gap before the next version' as violation
    from versions
    where next_valid_from > valid_to
    union all
    select versions.natural_key, versions.valid_from, 'open-ended but not current' as violation
    from versions
    cross join far_future
    where versions.valid_to = far_future.valid_to and not versions.is_current
    union all
    select versions.natural_key, versions.valid_from, 'current but closed' as violation
    from versions
    cross join far_future
    where versions.is_current and versions.valid_to != far_future.valid_to
    union all
    select natural_key, min(valid_from), 'not exactly one current version' as violation
    from versions
    group by natural_key
    having sum(case when is_current then 1 else 0 end) != 1

)

select * from violations

{% endtest %}
