{#-
    Where every raw row went, per source table. The raw count is read from the landing files
    themselves and the quarantined count from audit_quarantine, so the balance
    raw = staged + quarantined + duplicate + superseded proves that no row was lost between the
    files, staging and the quarantine. The second balance proves the same for the referential
    checks: staged = accepted + rejected by the integrity checks. The third follows the
    accepted rows into the table that publishes them: accepted = published + withheld, where
    withheld rows are left out by a stated rule (bot events; a customer change overtaken in
    the same instant by one with a later lsn), so a row an incremental model loses is caught.
-#}

with

quarantine as (

    select * from {{ ref('audit_quarantine') }}

),

raw_counts as (

    {% for landing in landing_tables() %}
    select
        '{{ landing.source }}' as source_name,
        '{{ landing.table }}' as source_table,
        count(*) as raw_rows
    from {{ source(landing.source, landing.table) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

fate_counts as (

    {% for landing in landing_tables() %}
    select
        '{{ landing.table }}' as source_table,
        sum(case when row_fate = 'staged' then 1 else 0 end) as staged_rows,
        sum(case when row_fate = 'duplicate' then 1 else 0 end) as duplicate_rows,
        sum(case when row_fate = 'superseded' then 1 else 0 end) as superseded_rows
    from {{ ref(landing.base_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

accepted_counts as (

    {% for landing in landing_tables() %}
    select
        '{{ landing.table }}' as source_table,
        count(*) as accepted_rows
    {%- if landing.checked_model is none %}
    from {{ ref(landing.base_model) }}
    where row_fate = 'staged'
    {%- else %}
    from {{ ref(landing.checked_model) }}
    where integrity_reason is null
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

published_counts as (

    {#- one row per accepted change, order, line, payment and event; products: the staged
        products that have a version in dim_products #}
    select
        'customers_cdc' as source_table,
        count(*) as published_rows
    from {{ ref('dim_customers') }}
    union all
    select
        'products' as source_table,
        count(*) as published_rows
    from {{ ref('stg_shop__products') }}
    where product_id in (select dim_products.product_id from {{ ref('dim_products') }} as dim_products)
    union all
    select
        'orders' as source_table,
        count(*) as published_rows
    from {{ ref('fct_orders') }}
    union all
    select
        'order_items' as source_table,
        count(*) as published_rows
    from {{ ref('fct_order_items') }}
    union all
    select
        'payments' as source_table,
        count(*) as published_rows
    from {{ ref('fct_payments') }}
    union all
    select
        'events' as source_table,
        count(*) as published_rows
    from {{ ref('fct_web_events') }}

),

overtaken_changes as (

    {#- a customer change followed in the same instant by one with a later lsn: the customer's
        history keeps only the last (int_shop__customer_history) #}
    select
        lsn,
        lsn < max(lsn) over (partition by customer_id, committed_at) as is_overtaken
    from {{ ref('stg_shop__customer_changes') }}

),

withheld_counts as (

    select
        'customers_cdc' as source_table,
        count(*) as withheld_rows
    from overtaken_changes
    where is_overtaken
    union all
    select
        'events' as source_table,
        count(*) as withheld_rows
    from {{ ref('stg_web__events') }}
    where is_bot

),

quarantine_counts as (

    select
        source_table,
        sum(
            case when check_stage = 'staging' and disposition = 'rejected' then 1 else 0 end
        ) as quarantined_rows,
        sum(case when check_stage = 'integrity' then 1 else 0 end) as integrity_rejected_rows,
        sum(case when disposition = 'repaired' then 1 else 0 end) as repaired_rows
    from quarantine
    group by 1

),

final as (

    select
        raw_counts.source_name,
        raw_counts.source_table,
        cast(raw_counts.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(coalesce(fate_counts.staged_rows, 0) as {{ dbt.type_bigint() }}) as staged_rows,
        cast(coalesce(quarantine_counts.quarantined_rows, 0) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(coalesce(fate_counts.duplicate_rows, 0) as {{ dbt.type_bigint() }}) as duplicate_rows,
        cast(coalesce(fate_counts.superseded_rows, 0) as {{ dbt.type_bigint() }}) as superseded_rows,
        cast(coalesce(quarantine_counts.repaired_rows, 0) as {{ dbt.type_bigint() }}) as repaired_rows,
        cast(
            coalesce(quarantine_counts.integrity_rejected_rows, 0) as {{ dbt.type_bigint() }}
        ) as integrity_rejected_rows,
        cast(coalesce(accepted_counts.accepted_rows, 0) as {{ dbt.type_bigint() }}) as accepted_rows,
        cast(coalesce(published_counts.published_rows, 0) as {{ dbt.type_bigint() }}) as published_rows,
        cast(coalesce(withheld_counts.withheld_rows, 0) as {{ dbt.type_bigint() }}) as withheld_rows
    from raw_counts
    left join fate_counts
        on raw_counts.source_table = fate_counts.source_table
    left join quarantine_counts
        on raw_counts.source_table = quarantine_counts.source_table
    left join accepted_counts
        on raw_counts.source_table = accepted_counts.source_table
    left join published_counts
        on raw_counts.source_table = published_counts.source_table
    left join withheld_counts
        on raw_counts.source_table = withheld_counts.source_table

)

select * from final
