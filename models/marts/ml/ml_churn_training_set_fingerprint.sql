{#-
    One row that identifies a build of the training set: its size, label rate and splits, the
    vars that shaped it, and a content hash (md5 over the sorted hashes of all its rows and
    columns). The same inputs and vars give the same hash; the Parquet export writes it beside
    the file, so a model can record exactly which data it was trained on.
-#}
{%- set feature_names = customer_features() | map(attribute='name') | list %}
{%- set columns = ['customer_id', 'as_of_date', 'split'] + feature_names + ['churned'] %}

with

training_set as (

    select * from {{ ref('ml_churn_training_set') }}

),

row_hashes as (

    select {{ generate_surrogate_key(columns) }} as row_hash
    from training_set

),

content as (

    select
        md5(coalesce({{ sorted_string_agg('row_hash', "''") }}, '')) as content_hash
    from row_hashes

),

summary as (

    select
        cast(count(*) as {{ dbt.type_bigint() }}) as sample_count,
        cast(coalesce(sum(case when churned then 1 else 0 end), 0) as {{ dbt.type_bigint() }}) as churned_count,
        cast(coalesce(sum(case when split = 'train' then 1 else 0 end), 0) as {{ dbt.type_bigint() }}) as train_count,
        cast(coalesce(sum(case when split = 'valid' then 1 else 0 end), 0) as {{ dbt.type_bigint() }}) as valid_count,
        cast(coalesce(sum(case when split = 'test' then 1 else 0 end), 0) as {{ dbt.type_bigint() }}) as test_count,
        min(as_of_date) as first_as_of_date,
        max(as_of_date) as last_as_of_date
    from training_set

),

final as (

    select
        summary.*,
        cast(summary.churned_count as {{ type_double() }}) / nullif(summary.sample_count, 0) as churn_rate,
        content.content_hash,
        '{{ columns | length }} columns; churn_label_days={{ var("churn_label_days") }}, '
        || 'churn_sample_every_days={{ var("churn_sample_every_days") }}, '
        || 'churn_warmup_days={{ var("churn_warmup_days") }}, churn_test_days={{ var("churn_test_days") }}, '
        || 'churn_valid_days={{ var("churn_valid_days") }}' as build_vars
    from summary
    cross join content

)

select * from final
