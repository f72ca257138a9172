{#-
    Leakage test for the training set: train, valid and test follow each other in time, and
    between two splits lies at least the label window, so no label of an earlier split looks
    into the as-of dates of a later one. Every sample is labelled, and no sample's label window
    ends after the newest complete day of orders. Returns a row per broken promise.
-#}
{{ config(severity='error') }}

with

training_set as (

    select * from {{ ref('ml_churn_training_set') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

splits as (

    select
        split,
        min(as_of_date) as first_as_of_date,
        max(as_of_date) as last_as_of_date
    from training_set
    group by 1

),

ordered_splits as (

    select
        earlier.split as earlier_split,
        later.split as later_split,
        earlier.last_as_of_date,
        later.first_as_of_date
    from splits as earlier
    inner join splits as later
        on
            (earlier.split = 'train' and later.split = 'valid')
            or (earlier.split = 'valid' and later.split = 'test')
            or (earlier.split = 'train' and later.split = 'test')

),

violations as (

    select
        earlier_split || ' overlaps or is too close to ' || later_split as violation,
        last_as_of_date as as_of_date
    from ordered_splits
    where
        cast({{ dbt.dateadd('day', var('churn_label_days'), 'last_as_of_date') }} as date)
        >= first_as_of_date
    union all
    select
        'unlabelled sample' as violation,
        as_of_date
    from training_set
    where churned is null
    union all
    select
        'label window not fully loaded' as violation,
        training_set.as_of_date
    from training_set
    cross join bounds
    where
        cast({{ dbt.dateadd('day', var('churn_label_days'), 'training_set.as_of_date') }} as date)
        > bounds.orders_complete_through
    union all
    select
        'unknown split' as violation,
        as_of_date
    from training_set
    where split not in ('train', 'valid', 'test') or split is null

)

select * from violations
