{{ config(unique_key='order_item_id') }}

{#- read by position: only after the landing contract tests have checked every header -#}
-- depends_on: {{ ref('base_landing__csv_headers') }}

with

source as (

    {{ raw_rows_since_last_ingestion(source('shop', 'order_items')) }}

),

typed as (

    select
        {{ cast_or_null(clean_text('order_item_id'), dbt.type_bigint()) }} as order_item_id,
        {{ cast_or_null(clean_text('order_id'), dbt.type_bigint()) }} as order_id,
        {{ cast_or_null(clean_text('product_id'), dbt.type_bigint()) }} as product_id,
        {{ parse_whole_number('quantity') }} as quantity,
        {{ parse_decimal('unit_price') }} as unit_price,
        {{ parse_decimal('discount_amount') }} as discount_amount,
        {{ parse_timestamp_utc('created_at') }} as created_at,
        {{ known_load_time('_loaded_at') }} as loaded_at,
        {{ load_date_from_path('filename') }} as load_date,
        filename as source_file,
        _ingestion_id as ingestion_id,
        {{ raw_values_json([
            'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price',
            'discount_amount', 'created_at', '_loaded_at',
        ]) }} as raw_values
    from source

),

validated as (

    select
        *,
        {{ raw_row_key() }} as raw_row_key,
        case
            when order_item_id is null or order_id is null or product_id is null then 'missing_key'
            when created_at is null or loaded_at is null then 'invalid_timestamp'
            when {{ outside_calendar(['created_at']) }}
                then 'out_of_range_timestamp'
            when created_at > loaded_at then 'future_timestamp'
            when quantity is null or quantity <= 0 or quantity > {{ var('max_line_quantity') }} then 'invalid_quantity'
            when unit_price is null or unit_price < 0 then 'invalid_price'
            when
                discount_amount is null or discount_amount < 0
                or discount_amount > quantity * unit_price
                then 'invalid_amount'
        end as reject_reason
    from typed

),

rows_to_rank as (

    {{ with_stored_rows_of_touched_units('validated', ['order_item_id']) }}

),

copies as (

    {{ rank_copies(
        'rows_to_rank',
        ['order_item_id'],
        'loaded_at, source_file, raw_values',
        payload=[
            'order_id', 'product_id', 'quantity', 'unit_price', 'discount_amount', 'created_at',
        ],
    ) }}

),

final as (

    {{ assign_row_fate('copies') }}

)

select * from final
