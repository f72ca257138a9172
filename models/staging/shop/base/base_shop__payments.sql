{{ config(unique_key='payment_id') }}

{#- read by position: only after the landing contract tests have checked every header -#}
-- depends_on: {{ ref('base_landing__csv_headers') }}

with

source as (

    {{ raw_rows_since_last_ingestion(source('shop', 'payments')) }}

),

typed as (

    select
        {{ cast_or_null(clean_text('payment_id'), dbt.type_bigint()) }} as payment_id,
        {{ cast_or_null(clean_text('order_id'), dbt.type_bigint()) }} as order_id,
        {{ clean_code('payment_type') }} as payment_type,
        {{ clean_code('payment_method') }} as payment_method,
        {{ clean_code('status') }} as payment_status,
        {{ parse_decimal('amount') }} as amount,
        {{ clean_iso_code('currency') }} as currency,
        {{ parse_timestamp_utc('created_at') }} as created_at,
        {{ known_load_time('_loaded_at') }} as loaded_at,
        {{ load_date_from_path('filename') }} as load_date,
        filename as source_file,
        _ingestion_id as ingestion_id,
        {{ raw_values_json([
            'payment_id', 'order_id', 'payment_type', 'payment_method', 'status', 'amount',
            'currency', 'created_at', '_loaded_at',
        ]) }} as raw_values
    from source

),

validated as (

    select
        *,
        {{ raw_row_key() }} as raw_row_key,
        case
            when payment_id is null or order_id is null then 'missing_key'
            when created_at is null or loaded_at is null then 'invalid_timestamp'
            when {{ outside_calendar(['created_at']) }}
                then 'out_of_range_timestamp'
            when {{ invalid_text([
                'payment_type', 'payment_method', 'payment_status', 'currency',
            ]) }}
                then 'invalid_text'
            when created_at > loaded_at then 'future_timestamp'
            when amount is null or amount < 0 then 'invalid_amount'
            when
                payment_type not in ('charge', 'refund') or payment_type is null
                or payment_status not in ('succeeded', 'failed') or payment_status is null
                or payment_method not in ('card', 'paypal', 'bank_transfer', 'gift_card')
                or payment_method is null
                then 'invalid_value'
        end as reject_reason
    from typed

),

rows_to_rank as (

    {{ with_stored_rows_of_touched_units('validated', ['payment_id']) }}

),

copies as (

    {{ rank_copies(
        'rows_to_rank',
        ['payment_id'],
        'loaded_at, source_file, raw_values',
        payload=[
            'order_id', 'payment_type', 'payment_method', 'payment_status', 'amount', 'currency',
            'created_at',
        ],
    ) }}

),

final as (

    {{ assign_row_fate('copies') }}

)

select * from final
