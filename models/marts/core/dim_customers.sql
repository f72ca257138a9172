with

history as (

    select * from {{ ref('int_shop__customer_history') }}

),

countries as (

    select * from {{ ref('countries') }}

),

final as (

    select
        {{ generate_surrogate_key(['history.customer_id', 'history.changed_at']) }} as customer_key,
        history.customer_id,
        history.version_number,
        history.valid_from,
        history.valid_to,
        history.is_current,
        history.is_deleted,
        {#- no raw PII in marts (the sources' meta pii): the email only hashed (joinable)
            and masked (readable), the phone masked, no names #}
        case when history.email is not null then {{ dbt.hash('history.email') }} end as email_hash,
        {{ mask_pii('history.email', 'email') }} as email_masked,
        history.is_email_valid,
        {{ mask_pii('history.phone', 'phone') }} as phone_masked,
        history.city,
        history.country_code,
        countries.country_name,
        countries.region,
        countries.currency_code as home_currency,
        history.segment,
        history.signed_up_at
    from history
    left join countries
        on history.country_code = countries.country_code

)

select * from final
