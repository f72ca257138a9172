{#-
    PostgreSQL and Spark: the CSV header lines as the loader (shopdw load) read them from the
    landing files. DuckDB reads the files itself (the Python model of the same name).
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
