{{ config(unique_key=['product_id', 'load_date']) }}

{#- read by position: only after the landing contract tests have checked every header -#}
-- depends_on: {{ ref('base_landing__csv_headers') }}

with

source as (

    {{ raw_rows_since_last_ingestion(source('shop', 'products')) }}

),

typed as (

    select
        {{ cast_or_null(clean_text('product_id'), dbt.type_bigint()) }} as product_id,
        {{ clean_text('sku') }} as sku,
        {{ clean_text('product_name') }} as product_name,
        {#- the category code is the display name in snake case: ' Home & kitchen' -> home_kitchen #}
        trim(
            both '_' from {{ regex_replace_all(clean_code('category'), '[^a-z0-9]+', '_') }}
        ) as category_code,
        {{ clean_code('brand') }} as brand_code,
        {{ parse_decimal('price') }} as list_price,
        {{ clean_iso_code('currency') }} as currency,
        {{ parse_timestamp_utc('updated_at') }} as updated_at,
        {{ known_load_time('_loaded_at') }} as loaded_at,
        {{ load_date_from_path('filename') }} as load_date,
        filename as source_file,
        _ingestion_id as ingestion_id,
        {{ raw_values_json([
            'product_id', 'sku', 'product_name', 'category', 'brand', 'price', 'currency',
            'updated_at', '_loaded_at',
        ]) }} as raw_values
    from source

),

validated as (

    select
        *,
        {{ raw_row_key() }} as raw_row_key,
        case
            when product_id is null then 'missing_key'
            when updated_at is null or loaded_at is null then 'invalid_timestamp'
            when {{ outside_calendar(['updated_at']) }}
                then 'out_of_range_timestamp'
            when {{ invalid_text([
                'sku', 'product_name', 'category_code', 'brand_code', 'currency',
            ]) }}
                then 'invalid_text'
            when updated_at > loaded_at then 'future_timestamp'
            when list_price is null or list_price < 0 then 'invalid_price'
            when
                category_code is null or category_code = '' or brand_code is null
                or product_name is null or currency is null
                then 'invalid_value'
        end as reject_reason
    from typed

),

rows_to_rank as (

    {{ with_stored_rows_of_touched_units('validated', ['product_id', 'load_date'], 'product_id') }}

),

copies as (

    {{ rank_copies(
        'rows_to_rank',
        ['product_id', 'load_date'],
        'loaded_at, source_file, raw_values',
        payload=[
            'sku', 'product_name', 'category_code', 'brand_code', 'list_price', 'currency',
            'updated_at',
        ],
    ) }}

),

final as (

    {{ assign_row_fate('copies', 'product_id', 'load_date desc') }}

)

select * from final
