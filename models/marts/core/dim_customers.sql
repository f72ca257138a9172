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
        {#- no raw PII in marts: the email only hashed (joinable) and masked (readable) #}
        case when history.email is not null then {{ dbt.hash('history.email') }} end as email_hash,
        case
            when history.email is not null then
                {{ dbt.concat([
                    "left(history.email, 1)",
                    "'***@'",
                    dbt.split_part('history.email', "'@'", -1),
                ]) }}
        end as email_masked,
        history.is_email_valid,
        case
            when history.phone is not null then {{ dbt.concat(["'***'", "right(history.phone, 4)"]) }}
        end as phone_masked,
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
