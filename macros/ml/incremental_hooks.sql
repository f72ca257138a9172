{#
    Hooks of the incremental ML marts other than the daily features: each removes what an
    incremental run would otherwise keep and a full refresh would not build.
#}

{#
    Pre-hook of ml_churn_labels: the labels of the dates the daily features rewrite (the newest
    incremental_lookback_hours of dates) are labelled again, after every row of those dates is
    removed: a customer the features drop on such a date (a deletion known by then) loses its
    label there too.
#}
{% macro delete_dates_to_label_again(relation) -%}
    {{ return(remove_rows_where(
        relation,
        "as_of_date >= (select " ~ dbt.dateadd('day', 1 - incremental_lookback_days(), 'max(as_of_date)')
        ~ " from " ~ relation ~ ")",
        'as_of_date')) }}
{%- endmacro %}

{#
    The drift monitor's incremental run keeps its stored sample dates: a date whose population
    became empty since (every customer of it reclassified) would keep its rows. This post-hook
    removes them, so an incremental run ends where a full refresh would.
#}
{% macro delete_dates_no_longer_sampled(relation) -%}
    {{ return(remove_rows_where(
        relation,
        "as_of_date not in (select features.as_of_date from " ~ ref('ml_customer_features_daily')
        ~ " as features cross join " ~ ref('int_ml__as_of_bounds') ~ " as bounds where "
        ~ in_churn_population('features', 'bounds') ~ ")",
        'as_of_date')) }}
{%- endmacro %}

{#
    An incremental run only rewrites the newest as-of dates: a customer who leaves the
    population afterwards (reclassified as an internal test account) would keep their older
    rows. This post-hook removes them, so an incremental run ends where a full refresh would.
#}
{% macro delete_customers_no_longer_in_population(relation) -%}
    {{ return(remove_rows_where(
        relation,
        "customer_id not in (select customer_id from " ~ ref('int_shop__customer_lifespans') ~ ")",
        'as_of_date')) }}
{%- endmacro %}
