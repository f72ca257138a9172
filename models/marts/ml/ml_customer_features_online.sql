{#-
    The newest feature vector of every customer, for serving: the features as of the newest
    complete as-of date (or the var online_as_of_date), one row per customer known and not
    deleted then. Same definitions as ml_customer_features_daily (the var customer_features
    and the feature macros) but evaluated directly: each measure is the sum of the signal
    rows whose first and last counting dates enclose the as-of date. The test
    assert_online_features_match_offline proves the two evaluations agree.
-#}
{%- set categories = get_column_values(ref('product_categories'), 'category_code', order_by='category_code') %}
{%- set measures = customer_feature_measures(categories) %}

with

signals as (

    select * from {{ ref('ml_customer_signals') }}

),

customers as (

    select * from {{ ref('int_shop__customer_lifespans') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

serving_date as (

    {%- if var('online_as_of_date', none) %}
    {%- set as_of_date = "cast('" ~ var('online_as_of_date') ~ "' as date)" %}
    {%- else %}
    {%- set as_of_date = 'last_as_of_date' %}
    {%- endif %}
    select {{ as_of_date }} as as_of_date
    from bounds

),

population as (

    select
        customers.customer_id,
        customers.signed_up_at,
        serving_date.as_of_date
    from customers
    cross join serving_date
    where
        cast(customers.known_from as date) <= serving_date.as_of_date
        and (
            customers.deletion_known_at is null
            or cast(customers.deletion_known_at as date) > serving_date.as_of_date
        )

),

measure_sums as (

    {#- sums in hundredths, as integers, exactly as the daily model sums them #}
    select
        signals.customer_id,
        {%- for measure in measures %}
        sum(
            case
                when
                    {{ signal_matches_measure(measure, 'signals') }}
                    and {{ signal_first_date('signals.event_at', 'signals.known_from') }} <= serving_date.as_of_date
                    and {{ signal_last_date(measure.window_days, 'signals.event_at', 'signals.known_until') }}
                    >= serving_date.as_of_date
                    then cast(round(signals.signal_value * 100) as {{ type_double() }})
                else 0
            end
        ) as {{ measure.name }},
        {%- endfor %}
        {%- for feature in customer_features(['days_since_last']) %}
        max(
            case
                when
                    signals.signal_name = '{{ feature.signal }}'
                    and {{ signal_first_date('signals.event_at', 'signals.known_from') }} <= serving_date.as_of_date
                    then cast(signals.event_at as date)
            end
        ) as last_{{ feature.signal }}_date,
        {%- endfor %}
        count(*) as signal_count
    from signals
    cross join serving_date
    group by 1

),

measured as (

    select
        population.customer_id,
        population.as_of_date,
        {%- for feature in customer_features(['days_since_last']) %}
        measure_sums.last_{{ feature.signal }}_date,
        {%- endfor %}
        {%- for measure in measures %}
        coalesce(measure_sums.{{ measure.name }}, 0) as {{ measure.name }},
        {%- endfor %}
        population.signed_up_at
    from population
    left join measure_sums
        on population.customer_id = measure_sums.customer_id

),

final as (

    select
        {{ generate_surrogate_key(['customer_id', 'as_of_date']) }} as customer_as_of_key,
        customer_id,
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }}) as as_of_at,
        {{ customer_feature_columns(categories, as_of_date='as_of_date', scale=100) }}
    from measured

)

select * from final
