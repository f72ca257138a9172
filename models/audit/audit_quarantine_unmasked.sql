{#-
    Every row the warehouse did not take as delivered, with its reason: rows rejected in
    staging (unparseable, incomplete or impossible values), staged rows rejected by the
    referential checks of the intermediate layer (orphans and the children of rejected orders),
    and rows staged after a repair (disposition 'repaired').

    The raw values as delivered, personal data included: for data engineers who debug loads
    (schema audit_restricted, never published). Readers get audit_quarantine, whose raw values
    are masked by the classification of the sources (raw_values_masked).
-#}

with

{% for landing in landing_tables() %}
{{ landing.table }}_rejected as (

    select
        '{{ landing.source }}' as source_name,
        '{{ landing.table }}' as source_table,
        'staging' as check_stage,
        'rejected' as disposition,
        quarantine_reason as reason_code,
        cast({{ landing.key }} as {{ dbt.type_string() }}) as entity_id,
        source_file,
        load_date,
        loaded_at,
        raw_values,
        {{ readers_raw_values(landing.source, landing.table) }} as raw_values_masked
    from {{ ref(landing.base_model) }}
    where row_fate = 'quarantined'

),

{% endfor %}
customers_cdc_repaired as (

    select
        'shop' as source_name,
        'customers_cdc' as source_table,
        'staging' as check_stage,
        'repaired' as disposition,
        repair_reason as reason_code,
        cast(customer_id as {{ dbt.type_string() }}) as entity_id,
        source_file,
        load_date,
        loaded_at,
        raw_values,
        {{ readers_raw_values('shop', 'customers_cdc') }} as raw_values_masked
    from {{ ref('base_shop__customer_changes') }}
    where row_fate = 'staged' and repair_reason is not null

),

{% for landing in landing_tables() if landing.checked_model %}
{{ landing.table }}_orphaned as (

    select
        'shop' as source_name,
        '{{ landing.table }}' as source_table,
        'integrity' as check_stage,
        'rejected' as disposition,
        checked_rows.integrity_reason as reason_code,
        cast(checked_rows.{{ landing.key }} as {{ dbt.type_string() }}) as entity_id,
        base_rows.source_file,
        base_rows.load_date,
        base_rows.loaded_at,
        base_rows.raw_values,
        base_rows.{{ readers_raw_values('shop', landing.table) }} as raw_values_masked
    from {{ ref(landing.checked_model) }} as checked_rows
    inner join {{ ref(landing.base_model) }} as base_rows
        on
            checked_rows.{{ landing.key }} = base_rows.{{ landing.key }}
            and base_rows.row_fate = 'staged'
    where checked_rows.integrity_reason is not null

),

{% endfor %}
unioned as (

    {% for landing in landing_tables() %}
    select * from {{ landing.table }}_rejected
    union all
    {% endfor %}
    {% for landing in landing_tables() if landing.checked_model %}
    select * from {{ landing.table }}_orphaned
    union all
    {% endfor %}
    select * from customers_cdc_repaired

),

numbered as (

    {#- identical rows in one file are told apart by their occurrence number #}
    select
        *,
        row_number() over (
            partition by source_table, check_stage, reason_code, source_file, raw_values
            order by loaded_at
        ) as occurrence
    from unioned

),

final as (

    select
        {{ generate_surrogate_key([
            'source_table', 'check_stage', 'reason_code', 'source_file', 'raw_values', 'occurrence',
        ]) }} as quarantine_key,
        source_name,
        source_table,
        check_stage,
        disposition,
        reason_code,
        entity_id,
        source_file,
        load_date,
        loaded_at,
        raw_values,
        raw_values_masked
    from numbered

)

select * from final
