{{ config(unique_key=['order_id', 'updated_at']) }}

{#- read by position: only after the landing contract tests have checked every header -#}
-- depends_on: {{ ref('base_landing__csv_headers') }}

with

source as (

    {{ raw_rows_since_last_ingestion(source('shop', 'orders')) }}

),

typed as (

    select
        {{ cast_or_null(clean_text('order_id'), dbt.type_bigint()) }} as order_id,
        {{ cast_or_null(clean_text('customer_id'), dbt.type_bigint()) }} as customer_id,
        {{ clean_code('status') }} as status,
        {{ clean_iso_code('currency') }} as currency,
        {{ parse_decimal('items_subtotal') }} as items_subtotal,
        {{ parse_decimal('discount_amount') }} as discount_amount,
        {{ parse_decimal('shipping_amount') }} as shipping_amount,
        {{ parse_decimal('order_total') }} as order_total,
        {{ parse_timestamp_utc('placed_at') }} as placed_at,
        {{ parse_timestamp_utc('paid_at') }} as paid_at,
        {{ parse_timestamp_utc('shipped_at') }} as shipped_at,
        {{ parse_timestamp_utc('delivered_at') }} as delivered_at,
        {{ parse_timestamp_utc('cancelled_at') }} as cancelled_at,
        {{ parse_timestamp_utc('returned_at') }} as returned_at,
        {{ parse_timestamp_utc('updated_at') }} as updated_at,
        {{ known_load_time('_loaded_at') }} as loaded_at,
        {{ load_date_from_path('filename') }} as load_date,
        filename as source_file,
        _ingestion_id as ingestion_id,
        {{ raw_values_json([
            'order_id', 'customer_id', 'status', 'currency', 'items_subtotal', 'discount_amount',
            'shipping_amount', 'order_total', 'placed_at', 'paid_at', 'shipped_at',
            'delivered_at', 'cancelled_at', 'returned_at', 'updated_at', '_loaded_at',
        ]) }} as raw_values,
        {{ any_unparseable_timestamp([
            'paid_at', 'shipped_at', 'delivered_at', 'cancelled_at', 'returned_at',
        ]) }} as has_unparseable_status_timestamp
    from source

),

validated as (

    select
        *,
        {{ raw_row_key() }} as raw_row_key,
        case
            when order_id is null or customer_id is null then 'missing_key'
            when placed_at is null or updated_at is null or loaded_at is null
                then 'invalid_timestamp'
            when has_unparseable_status_timestamp then 'invalid_timestamp'
            when {{ outside_calendar([
                'placed_at', 'paid_at', 'shipped_at', 'delivered_at', 'cancelled_at', 'returned_at',
                'updated_at',
            ]) }}
                then 'out_of_range_timestamp'
            when {{ invalid_text(['status', 'currency']) }}
                then 'invalid_text'
            when placed_at > loaded_at or updated_at > loaded_at then 'future_timestamp'
            when
                status not in ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned')
                or status is null
                then 'invalid_value'
            when
                items_subtotal is null or discount_amount is null
                or shipping_amount is null or order_total is null
                or items_subtotal < 0 or discount_amount < 0
                or shipping_amount < 0 or order_total < 0
                then 'invalid_amount'
        end as reject_reason
    from typed

),

rows_to_rank as (

    {{ with_stored_rows_of_touched_units('validated', ['order_id', 'updated_at'], 'order_id') }}

),

copies as (

    {{ rank_copies(
        'rows_to_rank',
        ['order_id', 'updated_at'],
        'loaded_at, source_file, raw_values',
        payload=[
            'customer_id', 'status', 'currency', 'items_subtotal', 'discount_amount',
            'shipping_amount', 'order_total', 'placed_at', 'paid_at', 'shipped_at', 'delivered_at',
            'cancelled_at', 'returned_at',
        ],
    ) }}

),

final as (

    {{ assign_row_fate('copies', 'order_id', 'updated_at desc') }}

)

select * from final
