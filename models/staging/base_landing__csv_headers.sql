{#-
    The CSV header lines as the ingestion recorded them, one per ingested file, on every engine.
-#}

with

headers as (

    select * from {{ source('landing', 'csv_headers') }}

),

final as (

    select
        source_name,
        source_table,
        source_file,
        header
    from headers

)

select * from final
