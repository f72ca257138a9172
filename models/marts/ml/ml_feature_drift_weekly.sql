{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_replace_strategy(),
        unique_key='as_of_date',
        partition_by=['as_of_date'],
        on_schema_change='fail',
        post_hook="{{ delete_dates_no_longer_sampled(this) }}",
    )
}}

{#-
    Drift of every customer feature, week by week: the population stability index (PSI) of
    the week's distribution against a reference, and for numeric features a KS statistic.
    Population: the churn model's (macro in_churn_population: customers with an order in the
    90 days before, sampled as-of dates after the warm-up), so drift here is drift the model
    sees.
    Reference: its first drift_reference_weeks sample dates. Numeric features are binned at
    the reference's deciles (plus a bin for null), the categorical one by value; a share of 0
    counts as 0.0001 in the PSI. ks_statistic is the largest gap between the two cumulative
    distributions at the reference deciles (a lower bound of the exact KS statistic, which
    would compare at every value). Grain: one row per feature and sample date.
    Incremental: the features of a past as-of date never change, so a run computes only the
    sample dates after the newest one stored, from them and the reference dates. Every date is
    computed again while the reference is not complete yet, and when a stored date's population
    has shrunk since (customers removed from the features: see
    delete_customers_no_longer_in_population), as a full refresh would.
-#}
{%- set categorical = customer_features() | selectattr('data_type', 'equalto', 'varchar')
    | map(attribute='name') | list %}
{%- set numeric = customer_features() | rejectattr('data_type', 'equalto', 'varchar')
    | map(attribute='name') | list %}
{%- set unmonitored = customer_features() | selectattr('drift_monitored', 'defined')
    | rejectattr('drift_monitored') | map(attribute='name') | list %}

with

features as (

    select * from {{ ref('ml_customer_features_daily') }}

),

bounds as (

    select * from {{ ref('int_ml__as_of_bounds') }}

),

population as (

    select features.*
    from features
    cross join bounds
    where
        {{ in_churn_population('features', 'bounds') }}

),

sample_dates as (

    select
        as_of_date,
        dense_rank() over (order by as_of_date) as sample_number
    from (select distinct as_of_date from population) as dates

),

{% if is_incremental() %}
stored as (

    select * from {{ this }}

),

sample_sizes as (

    select
        as_of_date,
        count(*) as sample_size
    from population
    group by 1

),

shrunk_dates as (

    {#- a stored date whose population is not what it was: customers were removed since #}
    select distinct stored.as_of_date
    from stored
    left join sample_sizes
        on stored.as_of_date = sample_sizes.as_of_date
    where coalesce(sample_sizes.sample_size, 0) != stored.sample_size

),

stored_state as (

    select
        coalesce(max(stored.as_of_date), cast('1900-01-01' as date)) as newest_stored_date,
        count(distinct stored.as_of_date) < {{ var('drift_reference_weeks') }}
        or (select count(*) from shrunk_dates) > 0 as is_every_date_due
    from stored

),

computed_dates as (

    select sample_dates.*
    from sample_dates
    cross join stored_state
    where stored_state.is_every_date_due or sample_dates.as_of_date > stored_state.newest_stored_date

),
{% else %}
computed_dates as (

    select * from sample_dates

),
{% endif %}

read_dates as (

    {#- the dates computed, and the reference dates they are compared with #}
    select as_of_date from computed_dates
    union
    select as_of_date from sample_dates
    where sample_number <= {{ var('drift_reference_weeks') }}

),

read_population as (

    select population.*
    from population
    inner join read_dates
        on population.as_of_date = read_dates.as_of_date

),

numeric_values as (

    {%- for name in numeric %}
    select
        read_population.as_of_date,
        '{{ name }}' as feature_name,
        cast(read_population.{{ name }} as {{ type_double() }}) as feature_value
    from read_population
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

categorical_values as (

    {%- for name in categorical %}
    select
        read_population.as_of_date,
        '{{ name }}' as feature_name,
        coalesce(read_population.{{ name }}, '(null)') as bin_label
    from read_population
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

reference_values as (

    select numeric_values.*
    from numeric_values
    inner join sample_dates
        on numeric_values.as_of_date = sample_dates.as_of_date
    where sample_dates.sample_number <= {{ var('drift_reference_weeks') }}

),

reference_tiles as (

    select
        feature_name,
        feature_value,
        ntile(10) over (partition by feature_name order by feature_value) as tile
    from reference_values
    where feature_value is not null

),

reference_edges as (

    {#- decile edges of the reference, one row per feature #}
    select
        feature_name,
        {%- for k in range(1, 10) %}
        max(case when tile = {{ k }} then feature_value end) as edge_{{ k }},
        {%- endfor %}
        count(*) as reference_value_count
    from reference_tiles
    group by 1

),

numeric_binned as (

    select
        numeric_values.as_of_date,
        numeric_values.feature_name,
        case
            when numeric_values.feature_value is null then 0
            {%- for k in range(1, 10) %}
            when numeric_values.feature_value <= reference_edges.edge_{{ k }} then {{ k }}
            {%- endfor %}
            else 10
        end as bin_number
    from numeric_values
    inner join reference_edges
        on numeric_values.feature_name = reference_edges.feature_name

),

binned as (

    select
        as_of_date,
        feature_name,
        cast(bin_number as {{ dbt.type_string() }}) as bin_label,
        bin_number
    from numeric_binned
    union all
    select
        as_of_date,
        feature_name,
        bin_label,
        null as bin_number
    from categorical_values

),

week_counts as (

    select
        as_of_date,
        feature_name,
        bin_label,
        bin_number,
        count(*) as row_count
    from binned
    group by 1, 2, 3, 4

),

reference_counts as (

    select
        week_counts.feature_name,
        week_counts.bin_label,
        week_counts.bin_number,
        sum(week_counts.row_count) as row_count
    from week_counts
    inner join sample_dates
        on week_counts.as_of_date = sample_dates.as_of_date
    where sample_dates.sample_number <= {{ var('drift_reference_weeks') }}
    group by 1, 2, 3

),

bins as (

    select distinct
        feature_name,
        bin_label,
        bin_number
    from week_counts

),

grid as (

    {#- every bin of the reference or of the week, for every week #}
    select
        computed_dates.as_of_date,
        bins.feature_name,
        bins.bin_label,
        bins.bin_number
    from computed_dates
    cross join bins

),

shares as (

    select
        grid.as_of_date,
        grid.feature_name,
        grid.bin_label,
        grid.bin_number,
        coalesce(week_counts.row_count, 0) as week_count,
        coalesce(reference_counts.row_count, 0) as reference_count,
        cast(coalesce(week_counts.row_count, 0) as {{ type_double() }})
        / sum(coalesce(week_counts.row_count, 0)) over (partition by grid.as_of_date, grid.feature_name)
            as week_share,
        cast(coalesce(reference_counts.row_count, 0) as {{ type_double() }})
        / sum(coalesce(reference_counts.row_count, 0)) over (partition by grid.as_of_date, grid.feature_name)
            as reference_share
    from grid
    left join week_counts
        on
            grid.as_of_date = week_counts.as_of_date
            and grid.feature_name = week_counts.feature_name
            and grid.bin_label = week_counts.bin_label
    left join reference_counts
        on
            grid.feature_name = reference_counts.feature_name
            and grid.bin_label = reference_counts.bin_label

),

cumulative as (

    {#- cumulative shares of the non-null values at each decile edge, for the KS statistic #}
    select
        *,
        sum(case when bin_number > 0 then week_count else 0 end) over edge_order
        / nullif(sum(case when bin_number > 0 then week_count else 0 end) over feature_week, 0) as week_cdf,
        sum(case when bin_number > 0 then reference_count else 0 end) over edge_order
        / nullif(sum(case when bin_number > 0 then reference_count else 0 end) over feature_week, 0)
            as reference_cdf
    from shares
    window
        feature_week as (partition by as_of_date, feature_name),
        edge_order as (
            partition by as_of_date, feature_name
            order by bin_number
            rows between unbounded preceding and current row
        )

),

final as (

    select
        cumulative.feature_name,
        cumulative.as_of_date,
        sample_dates.sample_number <= {{ var('drift_reference_weeks') }} as is_reference_week,
        cumulative.feature_name not in ({{ string_literals(unmonitored) }}) as is_monitored,
        cast(sum(cumulative.week_count) as {{ dbt.type_bigint() }}) as sample_size,
        cast(sum({{ psi_term('cumulative.week_share', 'cumulative.reference_share') }}) as {{ type_double() }})
            as psi,
        cast(max(
            case
                when cumulative.bin_number between 1 and 9
                    then abs(cumulative.week_cdf - cumulative.reference_cdf)
            end
        ) as {{ type_double() }}) as ks_statistic,
        sum({{ psi_term('cumulative.week_share', 'cumulative.reference_share') }})
        > {{ var('drift_psi_threshold') }}
        and sum(cumulative.week_count) >= {{ var('drift_min_sample_size') }} as is_drifted
    from cumulative
    inner join sample_dates
        on cumulative.as_of_date = sample_dates.as_of_date
    group by 1, 2, 3, 4

)

select * from final
