{{ config(unique_key='lsn') }}

{%- set raw_columns = [
    'lsn', 'op', 'committed_at', 'customer_id', 'email', 'first_name', 'last_name',
    'phone', 'city', 'country_code', 'segment', 'signed_up_at', '_loaded_at',
] %}

with

source as (

    {{ raw_rows_since_last_ingestion(source('shop', 'customers_cdc')) }}

),

typed as (

    select
        {{ cast_or_null(clean_text('lsn'), dbt.type_bigint()) }} as lsn,
        {{ clean_code('op') }} as cdc_operation,
        {{ parse_timestamp_utc('committed_at') }} as committed_at,
        {{ cast_or_null(clean_text('customer_id'), dbt.type_bigint()) }} as customer_id,
        lower({{ clean_text('email') }}) as email_raw,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('city') }} as city,
        {{ clean_iso_code('country_code') }} as country_code,
        {{ clean_code('segment') }} as segment,
        {{ parse_timestamp_utc('signed_up_at') }} as signed_up_at,
        {{ known_load_time('_loaded_at') }} as loaded_at,
        {{ load_date_from_path('filename') }} as load_date,
        filename as source_file,
        _ingestion_id as ingestion_id,
        {{ raw_values_json(raw_columns) }} as raw_values,
        {#- what readers may see of them: the personal values masked (sources' meta pii) #}
        {{ raw_values_json(raw_columns, pii_classes=pii_columns('shop', 'customers_cdc')) }} as raw_values_masked
    from source

),

emails_checked as (

    select
        *,
        {{ is_valid_email('email_raw') }} as is_email_valid,
        {{ dbt.split_part('email_raw', "'@'", -1) }} as email_domain
    from typed

),

validated as (

    select
        *,
        {{ raw_row_key() }} as raw_row_key,
        case when is_email_valid then email_raw end as email,
        case when email_raw is not null and not is_email_valid then 'invalid_email' end as repair_reason,
        case
            when customer_id is null or lsn is null then 'missing_key'
            when committed_at is null or signed_up_at is null or loaded_at is null
                then 'invalid_timestamp'
            when {{ outside_calendar(['committed_at', 'signed_up_at']) }}
                then 'out_of_range_timestamp'
            when {{ invalid_text([
                'first_name', 'last_name', 'email_raw', 'phone', 'city', 'country_code', 'segment',
            ]) }}
                then 'invalid_text'
            when committed_at > loaded_at then 'future_timestamp'
            when
                is_email_valid
                and email_domain in ({{ string_literals(var('internal_test_email_domains')) }})
                then 'internal_test_account'
            when
                cdc_operation not in ('r', 'c', 'u', 'd') or cdc_operation is null
                or segment not in ('standard', 'silver', 'gold') or segment is null
                or {{ dbt.length('country_code') }} != 2 or country_code is null
                then 'invalid_value'
        end as reject_reason
    from emails_checked

),

rows_to_rank as (

    {{ with_stored_rows_of_touched_units('validated', ['lsn'], related_key='customer_id') }}

),

copies as (

    {{ rank_copies(
        'rows_to_rank',
        ['lsn'],
        'loaded_at, source_file, raw_values',
        payload=[
            'cdc_operation', 'committed_at', 'customer_id', 'email_raw', 'first_name', 'last_name',
            'phone', 'city', 'country_code', 'segment', 'signed_up_at',
        ],
    ) }}

),

creations as (

    {#- when the feed created each customer: its first valid snapshot read or insert #}
    select
        customer_id,
        min(committed_at) as created_at
    from copies
    where
        reject_reason is null
        and not is_conflicting_copy
        and cdc_operation in ('r', 'c')
    group by 1

),

creations_checked as (

    {#- an update or delete of a customer the feed has not created by then refers to nobody:
        quarantined until the creation arrives (a later file that brings it stages the change
        again, as a full refresh would) #}
    select
        copies.*,
        case
            when
                copies.cdc_operation in ('u', 'd')
                and (creations.created_at is null or creations.created_at > copies.committed_at)
                then 'unknown_customer'
        end as context_reason
    from copies
    left join creations
        on copies.customer_id = creations.customer_id

),

final as (

    {{ assign_row_fate('creations_checked', context_reason='context_reason') }}

)

select * from final
