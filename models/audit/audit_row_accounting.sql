{#-
    Where every raw row went, per source table. The raw count is read from the landing files
    themselves and the quarantined count from audit_quarantine, so the balance
    raw = staged + quarantined + duplicate + superseded proves that no row was lost between the
    files, staging and the quarantine. The second balance proves the same for the referential
    checks: staged = accepted + rejected by integrity checks.
-#}
{%- set tables = [
    ('shop', 'customers_cdc', 'base_shop__customer_changes', none),
    ('shop', 'products', 'base_shop__products', none),
    ('shop', 'orders', 'base_shop__orders', 'int_shop__orders_checked'),
    ('shop', 'order_items', 'base_shop__order_items', 'int_shop__order_items_checked'),
    ('shop', 'payments', 'base_shop__payments', 'int_shop__payments_checked'),
    ('web', 'events', 'base_web__events', none),
] -%}

with

quarantine as (

    select * from {{ ref('audit_quarantine') }}

),

{% for source_name, table_name, base_model, checked_model in tables %}
{{ table_name }}_counts as (

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as source_table,
        (select count(*) from {{ source(source_name, table_name) }}) as raw_rows,
        (select count(*) from {{ ref(base_model) }} where row_fate = 'staged') as staged_rows,
        (
            select count(*) from quarantine
            where source_table = '{{ table_name }}'
                and check_stage = 'staging' and disposition = 'rejected'
        ) as quarantined_rows,
        (select count(*) from {{ ref(base_model) }} where row_fate = 'duplicate') as duplicate_rows,
        (select count(*) from {{ ref(base_model) }} where row_fate = 'superseded') as superseded_rows,
        (
            select count(*) from quarantine
            where source_table = '{{ table_name }}' and disposition = 'repaired'
        ) as repaired_rows,
        (
            select count(*) from quarantine
            where source_table = '{{ table_name }}' and check_stage = 'integrity'
        ) as integrity_rejected_rows,
        {%- if checked_model is none %}
        (select count(*) from {{ ref(base_model) }} where row_fate = 'staged') as accepted_rows
        {%- else %}
        (select count(*) from {{ ref(checked_model) }} where integrity_reason is null) as accepted_rows
        {%- endif %}

),

{% endfor %}
final as (

    {% for source_name, table_name, base_model, checked_model in tables %}
    select * from {{ table_name }}_counts
    {{ 'union all' if not loop.last }}
    {% endfor %}

)

select * from final
