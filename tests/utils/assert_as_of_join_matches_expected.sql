{#-
    The as-of join on fixed rows, through the dispatched macro (DuckDB: asof join) and through
    the portable default (what PostgreSQL and Spark run), against the expected matches: a
    state on the same date matches, an earlier one carries forward, none before gives nulls,
    and keys never mix. Any row returned is a wrong, missing or extra match.
-#}

{%- set left_rows = [
    (1, '2026-01-01'), (1, '2026-01-02'), (1, '2026-01-04'), (1, '2026-01-05'), (1, '2026-01-09'),
    (2, '2026-01-03'), (3, '2026-01-01'),
] %}
{%- set right_rows = [(1, '2026-01-02', 'a'), (1, '2026-01-05', 'b'), (3, '2026-01-01', 'c'), (4, '2025-12-01', 'd')] %}
{#- (entity, left date, expected state or none) #}
{%- set expected_rows = [
    (1, '2026-01-01', none), (1, '2026-01-02', 'a'), (1, '2026-01-04', 'a'), (1, '2026-01-05', 'b'),
    (1, '2026-01-09', 'b'), (2, '2026-01-03', none), (3, '2026-01-01', 'c'),
] %}

with

left_rows as (

    {%- for entity_id, at_date in left_rows %}
    select
        {{ entity_id }} as entity_id,
        cast('{{ at_date }}' as date) as at_date
    {{- '' if loop.last else ' union all' }}
    {%- endfor %}

),

right_rows as (

    {%- for entity_id, from_date, state in right_rows %}
    select
        {{ entity_id }} as entity_id,
        cast('{{ from_date }}' as date) as from_date,
        cast('{{ state }}' as {{ dbt.type_string() }}) as state
    {{- '' if loop.last else ' union all' }}
    {%- endfor %}

),

expected as (

    {%- for entity_id, at_date, state in expected_rows %}
    select
        {{ entity_id }} as entity_id,
        cast('{{ at_date }}' as date) as at_date,
        cast({{ "'" ~ state ~ "'" if state else 'null' }} as {{ dbt.type_string() }}) as state
    {{- '' if loop.last else ' union all' }}
    {%- endfor %}

),

dispatched as (

    select
        left_rows.entity_id,
        left_rows.at_date,
        right_rows.state
    from {{ as_of_join('left_rows', 'right_rows', 'entity_id', 'at_date', 'from_date') }}

),

portable as (

    select
        left_rows.entity_id,
        left_rows.at_date,
        right_rows.state
    from {{ shop_warehouse.default__shop_as_of_join('left_rows', 'right_rows', 'entity_id', 'at_date', 'from_date') }}

),

dispatched_extra as (

    select * from dispatched
    except all
    select * from expected

),

dispatched_missing as (

    select * from expected
    except all
    select * from dispatched

),

portable_extra as (

    select * from portable
    except all
    select * from expected

),

portable_missing as (

    select * from expected
    except all
    select * from portable

),

differences as (

    {#- except all: a duplicated match is an extra row too #}
    select
        'dispatched: wrong or extra' as problem,
        entity_id,
        at_date,
        state
    from dispatched_extra
    union all
    select
        'dispatched: missing' as problem,
        entity_id,
        at_date,
        state
    from dispatched_missing
    union all
    select
        'portable: wrong or extra' as problem,
        entity_id,
        at_date,
        state
    from portable_extra
    union all
    select
        'portable: missing' as problem,
        entity_id,
        at_date,
        state
    from portable_missing

)

select * from differences
