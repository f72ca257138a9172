{#-
    Every row the warehouse did not take as delivered, with its reason: rows rejected in
    staging (unparseable, incomplete or impossible values), staged rows rejected by the
    referential checks of the intermediate layer (orphans and the children of rejected orders),
    and rows staged after a repair (disposition 'repaired').

    The raw values as delivered, personal data included: for data engineers who debug loads
    (schema audit_restricted, never published). Readers get audit_quarantine, whose raw values
    are masked by the classification of the sources (raw_values_masked).
-#}
{%- set staging_checks = [
    ('shop', 'customers_cdc', 'base_shop__customer_changes', 'customer_id'),
    ('shop', 'products', 'base_shop__products', 'product_id'),
    ('shop', 'orders', 'base_shop__orders', 'order_id'),
    ('shop', 'order_items', 'base_shop__order_items', 'order_item_id'),
    ('shop', 'payments', 'base_shop__payments', 'payment_id'),
    ('web', 'events', 'base_web__events', 'event_id'),
] -%}
{%- set integrity_checks = [
    ('orders', 'base_shop__orders', 'int_shop__orders_checked', 'order_id'),
    ('order_items', 'base_shop__order_items', 'int_shop__order_items_checked', 'order_item_id'),
    ('payments', 'base_shop__payments', 'int_shop__payments_checked', 'payment_id'),
] -%}

with

{% for source_name, table_name, base_model, key in staging_checks %}
{{ table_name }}_rejected as (

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as source_table,
        'staging' as check_stage,
        'rejected' as disposition,
        quarantine_reason as reason_code,
        cast({{ key }} as {{ dbt.type_string() }}) as entity_id,
        source_file,
        load_date,
        loaded_at,
        raw_values,
        {{ readers_raw_values(source_name, table_name) }} as raw_values_masked
    from {{ ref(base_model) }}
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

{% for table_name, base_model, checked_model, key in integrity_checks %}
{{ table_name }}_orphaned as (

    select
        'shop' as source_name,
        '{{ table_name }}' as source_table,
        'integrity' as check_stage,
        'rejected' as disposition,
        checked_rows.integrity_reason as reason_code,
        cast(checked_rows.{{ key }} as {{ dbt.type_string() }}) as entity_id,
        base_rows.source_file,
        base_rows.load_date,
        base_rows.loaded_at,
        base_rows.raw_values,
        base_rows.{{ readers_raw_values('shop', table_name) }} as raw_values_masked
    from {{ ref(checked_model) }} as checked_rows
    inner join {{ ref(base_model) }} as base_rows
        on
            checked_rows.{{ key }} = base_rows.{{ key }}
            and base_rows.row_fate = 'staged'
    where checked_rows.integrity_reason is not null

),

{% endfor %}
unioned as (

    {% for source_name, table_name, base_model, key in staging_checks %}
    select * from {{ table_name }}_rejected
    union all
    {% endfor %}
    {% for table_name, base_model, checked_model, key in integrity_checks %}
    select * from {{ table_name }}_orphaned
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
