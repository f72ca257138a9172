{#-
    The quarantine as readers see it (the data-quality dashboard, analysts): every row the
    warehouse did not take as delivered, with its reason, and its raw values with the personal
    ones masked. The complete raw values stay in audit_restricted.audit_quarantine_unmasked.
-#}

with

quarantine as (

    select * from {{ ref('audit_quarantine_unmasked') }}

),

final as (

    select
        quarantine_key,
        source_name,
        source_table,
        check_stage,
        disposition,
        reason_code,
        entity_id,
        source_file,
        load_date,
        loaded_at,
        raw_values_masked as raw_values
    from quarantine

)

select * from final
