{{ config(unique_key='event_id') }}

with

source as (

    {{ raw_rows_since_last_ingestion(source('web', 'events')) }}

),

typed as (

    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_code('event_type') }} as event_type,
        {{ parse_timestamp_utc('occurred_at') }} as occurred_at,
        {{ parse_timestamp_utc('received_at') }} as received_at,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ cast_or_null(clean_text('customer_id'), dbt.type_bigint()) }} as customer_id,
        {{ clean_text('page_url') }} as page_url,
        {{ cast_or_null(clean_text('product_id'), dbt.type_bigint()) }} as product_id,
        {{ cast_or_null(clean_text('order_id'), dbt.type_bigint()) }} as order_id,
        {{ clean_text('user_agent') }} as user_agent,
        {{ regex_matches(clean_text('user_agent'), var('bot_user_agent_pattern')) }} as is_bot,
        {{ known_load_time('_loaded_at') }} as loaded_at,
        {{ load_date_from_path('filename') }} as load_date,
        filename as source_file,
        _ingestion_id as ingestion_id,
        {{ raw_values_json([
            'event_id', 'event_type', 'occurred_at', 'received_at', 'anonymous_id',
            'customer_id', 'page_url', 'product_id', 'order_id', 'user_agent', '_loaded_at',
        ]) }} as raw_values
    from source

),

validated as (

    select
        *,
        {{ raw_row_key() }} as raw_row_key,
        case
            when event_id is null or anonymous_id is null then 'missing_key'
            when occurred_at is null or received_at is null or loaded_at is null
                then 'invalid_timestamp'
            when {{ outside_calendar(['occurred_at', 'received_at']) }}
                then 'out_of_range_timestamp'
            when {{ invalid_text([
                'event_id', 'event_type', 'anonymous_id', 'page_url', 'user_agent',
            ]) }}
                then 'invalid_text'
            when
                occurred_at > {{ dbt.dateadd('minute', var('clock_skew_tolerance_minutes'), 'received_at') }}
                or received_at > loaded_at
                then 'future_timestamp'
            when
                event_type not in (
                    'page_view', 'product_view', 'add_to_cart', 'remove_from_cart',
                    'login', 'checkout', 'purchase'
                ) or event_type is null
                then 'invalid_value'
        end as reject_reason
    from typed

),

rows_to_rank as (

    {{ with_stored_rows_of_touched_units('validated', ['event_id']) }}

),

copies as (

    {{ rank_copies(
        'rows_to_rank',
        ['event_id'],
        'received_at, loaded_at, source_file, raw_values',
        payload=[
            'event_type', 'occurred_at', 'anonymous_id', 'customer_id', 'page_url', 'product_id',
            'order_id', 'user_agent',
        ],
    ) }}

),

final as (

    {{ assign_row_fate('copies') }}

)

select * from final
