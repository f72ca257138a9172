{#-
    Drift monitor: warns when a monitored feature's distribution in the newest sample week has
    moved away from the reference weeks (PSI above drift_psi_threshold, 0.25 by default: the
    usual line for a shift that needs a look; weeks of fewer than drift_min_sample_size
    customers are not judged). Returns the drifted features with their PSI
    and KS statistic. A warning, not an error: drift is news for the data scientists, not a
    broken build.
-#}
{{ config(severity='warn') }}

with

drift as (

    select * from {{ ref('ml_feature_drift_weekly') }}

),

newest as (

    select max(as_of_date) as as_of_date from drift

),

final as (

    select
        drift.feature_name,
        drift.as_of_date,
        drift.sample_size,
        drift.psi,
        drift.ks_statistic
    from drift
    inner join newest
        on drift.as_of_date = newest.as_of_date
    where drift.is_monitored and drift.is_drifted

)

select * from final
