{#
    Anomaly detection on a daily metric, in the manner of elementary: the metric of each of the
    last `detection_days` days is scored against the `training_days` days before it,
    z = (value - mean) / stddev, and fails when |z| > threshold. Days without a row count as 0
    (an outage is an anomaly, not a gap). Scoring starts once `min_training_days` days exist.

    Arguments: date_column (the day a row belongs to, e.g. load_date); metric (an aggregate
    over the day's rows; default count(*), i.e. volume; e.g. the hours a load arrived after
    its day for freshness); training_days (14), threshold (3), detection_days (1),
    min_training_days (7), min_stddev (0: a floor for a metric that is usually constant);
    last_day (a scalar SQL expression: the newest day that should have rows, such as the newest
    file in the ingestion ledger, so that a last day without a row is scored as 0; default the
    newest day with a row).
#}
{% test expect_daily_metric_within_zscore(model, date_column, metric='count(*)', training_days=14, threshold=3, detection_days=1, min_training_days=7, min_stddev=0, last_day=none) %}

with

daily as (

    select
        cast({{ date_column }} as date) as metric_date,
        cast({{ metric }} as {{ dbt.type_float() }}) as metric_value
    from {{ model }}
    where {{ date_column }} is not null
    group by 1

),

days as (

    select dim_dates.date_day as metric_date
    from {{ ref('dim_dates') }} as dim_dates
    where
        dim_dates.date_day between (select min(metric_date) from daily)
        and {{ last_day or '(select max(metric_date) from daily)' }}

),

series as (

    select
        days.metric_date,
        coalesce(daily.metric_value, 0) as metric_value
    from days
    left join daily
        on days.metric_date = daily.metric_date

),

scored as (

    select
        metric_date,
        metric_value,
        avg(metric_value) over training as training_mean,
        stddev_samp(metric_value) over training as training_stddev,
        count(*) over training as training_days
    from series
    window training as (order by metric_date rows between {{ training_days }} preceding and 1 preceding)

),

latest as (

    select max(metric_date) as metric_date from series

)

select
    scored.metric_date,
    scored.metric_value,
    scored.training_mean,
    scored.training_stddev,
    (scored.metric_value - scored.training_mean)
    / greatest(coalesce(scored.training_stddev, 0), {{ min_stddev }}, 1e-9) as z_score
from scored
cross join latest
where
    scored.metric_date > {{ dbt.dateadd('day', -1 * detection_days, 'latest.metric_date') }}
    and scored.training_days >= {{ min_training_days }}
    and abs(scored.metric_value - scored.training_mean)
    > {{ threshold }} * greatest(coalesce(scored.training_stddev, 0), {{ min_stddev }}, 1e-9)

{% endtest %}
