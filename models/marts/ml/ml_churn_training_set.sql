{#-
    The churn model's training set: one row per sample (customer, as-of date), its features as
    of that date (nothing loaded after it), its label, and the split. Samples: the churn
    population of macro in_churn_population (customers with an order in the 90 days before,
    every churn_sample_every_days-th as-of date after a warm-up of churn_warmup_days, the
    longest feature window), labelled samples only. Splits in time: test is the newest churn_test_days of labelled dates,
    valid the churn_valid_days before it, train all before; between two splits a gap of the
    label window (churn_label_days), so that no training label window reaches into the
    validation period and none of validation into test.
-#}
with

features as (

    select * from {{ ref('ml_customer_features_daily') }}

),

labels as (

    select * from {{ ref('ml_churn_labels') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

samples as (

    select
        features.*,
        labels.churned
    from features
    inner join labels
        on features.customer_id = labels.customer_id and features.as_of_date = labels.as_of_date
    cross join bounds
    where
        labels.is_label_observed
        and {{ in_churn_population('features', 'bounds') }}

),

split_bounds as (

    select
        max(as_of_date) as last_sample_date,
        cast({{ dbt.dateadd('day', -1 * var('churn_test_days'), 'max(as_of_date)') }} as date) as test_after,
        cast({{ dbt.dateadd(
            'day', -1 * (var('churn_test_days') + var('churn_label_days') + var('churn_valid_days')), 'max(as_of_date)'
        ) }} as date) as valid_after,
        cast({{ dbt.dateadd(
            'day', -1 * (var('churn_test_days') + var('churn_label_days')), 'max(as_of_date)'
        ) }} as date) as valid_until,
        cast({{ dbt.dateadd(
            'day',
            -1 * (var('churn_test_days') + 2 * var('churn_label_days') + var('churn_valid_days')),
            'max(as_of_date)'
        ) }} as date) as train_until
    from samples

),

final as (

    select
        samples.customer_as_of_key,
        samples.customer_id,
        samples.as_of_date,
        samples.as_of_at,
        case
            when samples.as_of_date > split_bounds.test_after then 'test'
            when samples.as_of_date > split_bounds.valid_after and samples.as_of_date <= split_bounds.valid_until
                then 'valid'
            when samples.as_of_date <= split_bounds.train_until then 'train'
        end as split,
        {%- for feature in customer_features() %}
        samples.{{ feature.name }},
        {%- endfor %}
        samples.churned
    from samples
    cross join split_bounds

)

select * from final
where split is not null
