{#
    The churn model's population, as a condition on a relation of daily features and one of
    int_ml__as_of_bounds: customers with an order in the 90 days before the as-of time (the
    active buyers whose churn is the question), at every churn_sample_every_days-th as-of date
    after the warm-up of churn_warmup_days. The training set and the drift monitor share it.
    features, bounds: the aliases of the two relations.
#}
{% macro in_churn_population(features='features', bounds='bounds') -%}
    {{ features }}.orders_90d > 0
    and {{ features }}.as_of_date
    >= cast({{ dbt.dateadd('day', var('churn_warmup_days'), bounds ~ '.first_as_of_date') }} as date)
    and mod(
        {{ dbt.datediff(bounds ~ '.first_as_of_date', features ~ '.as_of_date', 'day') }},
        {{ var('churn_sample_every_days') }}
    ) = 0
{%- endmacro %}
