{#
    The customer features are declared once, in the var customer_features (dbt_project.yml).
    These macros turn that list into SQL for the two evaluations of the same definitions:
    ml_customer_features_daily (every as-of date, by running sums) and
    ml_customer_features_online (one as-of date, by direct sums).

    Time: features "as of date D" are as of the time T = D + 1 day, 00:00 UTC (the end of D).
    A row of ml_customer_signals counts at T for a window of w days when
        event_at < T, event_at >= T - w days, known_from < T, and (known_until >= T or null).
    In dates, that is exactly: D between signal_first_date() and signal_last_date(w).
#}

{# the features of the registry (dbt_project.yml), optionally only those of some kinds #}
{% macro customer_features(kinds=none) -%}
    {%- set selected = [] -%}
    {%- for feature in var('customer_features') -%}
        {%- if kinds is none or feature['kind'] in kinds -%}
            {%- do selected.append(feature) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(selected) }}
{%- endmacro %}

{#
    The running sums the features need, as a list of {name, signal, window_days, category}:
    one per (signal, window) of the sum and ratio features (a ratio needs two), and one per
    product category for the category affinity. categories: the category codes (a list).
#}
{% macro customer_feature_measures(categories) -%}
    {%- set measures = [] -%}
    {%- set seen = [] -%}
    {%- for feature in customer_features(['sum', 'ratio', 'top_category', 'top_category_share']) -%}
        {%- set signals = [feature['signal']] + ([feature['denominator']] if feature.get('denominator') else []) -%}
        {%- for signal in signals -%}
            {%- if feature['kind'] in ['top_category', 'top_category_share'] -%}
                {%- for category in categories -%}
                    {%- set name = measure_name(signal, feature.get('window_days'), category) -%}
                    {%- if name not in seen -%}
                        {%- do seen.append(name) -%}
                        {%- do measures.append({'name': name, 'signal': signal,
                            'window_days': feature.get('window_days'), 'category': category}) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- else -%}
                {%- set name = measure_name(signal, feature.get('window_days')) -%}
                {%- if name not in seen -%}
                    {%- do seen.append(name) -%}
                    {%- do measures.append({'name': name, 'signal': signal,
                        'window_days': feature.get('window_days'), 'category': none}) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(measures) }}
{%- endmacro %}

{#
    The running sums of customer_feature_measures in named groups, one pivot each in the daily
    features: the groups of the var customer_feature_signal_groups (name: signals), a signal
    in no group in a group of its own named after it, empty groups dropped. Each group is a
    dict {name, measures: [measure], last_dates: [days_since_last feature]}.
#}
{% macro customer_feature_measure_groups(measures) -%}
    {%- set signal_groups = [] -%}
    {%- for name, signals in var('customer_feature_signal_groups', {}).items() -%}
        {%- do signal_groups.append((name, signals | list)) -%}
    {%- endfor -%}
    {%- set last_date_features = customer_features(['days_since_last']) -%}
    {%- for signal in (measures | map(attribute='signal') | list) + (last_date_features | map(attribute='signal') | list) -%}
        {%- if signal not in (signal_groups | map(attribute=1) | sum(start=[])) -%}
            {%- do signal_groups.append((signal, [signal])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set groups = [] -%}
    {%- for name, signals in signal_groups -%}
        {%- set group = {
            'name': name,
            'measures': measures | selectattr('signal', 'in', signals) | list,
            'last_dates': last_date_features | selectattr('signal', 'in', signals) | list,
        } -%}
        {%- if group.measures or group.last_dates -%}
            {%- do groups.append(group) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(groups) }}
{%- endmacro %}

{# column name of a running sum: m__<signal>__<window>d[__<category>] (lifetime: __all) #}
{% macro measure_name(signal, window_days=none, category=none) -%}
    {{- 'm__' ~ signal ~ '__' ~ (window_days ~ 'd' if window_days else 'all') ~ ('__' ~ category if category else '') -}}
{%- endmacro %}

{# first as-of date at which a signal row counts: it has happened and been loaded #}
{% macro signal_first_date(event_at='event_at', known_from='known_from') -%}
    greatest(cast({{ known_from }} as date), cast({{ event_at }} as date))
{%- endmacro %}

{#
    last as-of date at which a signal row counts in a window of window_days (none: no window):
    the window has not moved past it and no newer knowledge has replaced it.
#}
{% macro signal_last_date(window_days=none, event_at='event_at', known_until='known_until') -%}
    {%- set replaced = 'cast(' ~ dbt.dateadd('day', -1, known_until) ~ ' as date)' -%}
    {%- set far_future = "cast('9999-12-31' as date)" -%}
    {%- if window_days -%}
        least(
            cast({{ dbt.dateadd('day', window_days - 1, 'cast(' ~ event_at ~ ' as date)') }} as date),
            coalesce({{ replaced }}, {{ far_future }})
        )
    {%- else -%}
        coalesce({{ replaced }}, {{ far_future }})
    {%- endif -%}
{%- endmacro %}

{# whether a signal row fits a measure (its signal, and its category if the measure has one) #}
{% macro signal_matches_measure(measure, relation='') -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}signal_name = '{{ measure.signal }}'
    {%- if measure.category %} and {{ prefix }}category_code = '{{ measure.category }}'{% endif %}
{%- endmacro %}

{#
    The feature columns, from the measures (columns named by measure_name), the as-of date,
    signed_up_at and last_order_date (the newest known date of the days_since_last signal)
    of a relation. Both feature models end with this select list, so the definitions agree.
    scale: the measures are sums of the signal values times this (the daily model sums
    hundredths, as integers); ratios and the category affinity do not depend on it.
#}
{% macro customer_feature_columns(categories, as_of_date='as_of_date', relation='', scale=1) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- for feature in customer_features() %}
    {%- set kind = feature['kind'] %}
    cast(
    {%- if kind == 'days_since_signup' %}
    {{ dbt.datediff('cast(' ~ prefix ~ 'signed_up_at as date)', as_of_date, 'day') }}
    {%- elif kind == 'days_since_last' %}
    {{ dbt.datediff(prefix ~ 'last_' ~ feature['signal'] ~ '_date', as_of_date, 'day') }}
    {%- elif kind == 'sum' %}
    {%- if scale == 1 %}
    {{ prefix }}{{ measure_name(feature['signal'], feature.get('window_days')) }}
    {%- else %}
    cast({{ prefix }}{{ measure_name(feature['signal'], feature.get('window_days')) }} as decimal(38, 2)) / {{ scale }}
    {%- endif %}
    {%- elif kind == 'ratio' %}
    {%- set denominator = prefix ~ measure_name(feature['denominator'], feature.get('window_days')) %}
    case
        when {{ denominator }} > 0
            then cast({{ prefix }}{{ measure_name(feature['signal'], feature.get('window_days')) }} as {{ type_double() }})
            / {{ denominator }}
    end
    {%- elif kind in ['top_category', 'top_category_share'] %}
    {%- set spends = [] %}
    {%- for category in categories | sort %}
        {%- do spends.append(prefix ~ measure_name(feature['signal'], feature.get('window_days'), category)) %}
    {%- endfor %}
    {%- if not spends %}
    cast(null as {{ dbt.type_string() if kind == 'top_category' else type_double() }})
    {%- elif kind == 'top_category' %}
    case
        {%- for category in categories | sort %}
        when {{ spends[loop.index0] }} > 0 and {{ spends[loop.index0] }} = greatest({{ spends | join(', ') }})
            then '{{ category }}'
        {%- endfor %}
    end
    {%- else %}
    case
        when ({{ spends | join(' + ') }}) > 0
            then cast(greatest({{ spends | join(', ') }}) as {{ type_double() }}) / ({{ spends | join(' + ') }})
    end
    {%- endif %}
    {%- endif %}
    as {{ feature_data_type(feature) }}) as {{ feature['name'] }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# the SQL type of a feature, from its data_type in the registry, through dbt's type macros #}
{% macro feature_data_type(feature) -%}
    {%- set types = {
        'integer': dbt.type_int(),
        'bigint': dbt.type_bigint(),
        'double': type_double(),
        'varchar': dbt.type_string(),
    } -%}
    {{- types.get(feature['data_type'], feature['data_type']) -}}
{%- endmacro %}

