{#
    Helpers of the expectation-style generic tests (tests/generic/expectations), which take the
    names, arguments and semantics of dbt-expectations 0.10.9 so that the package could replace
    them: a test returns the rows (or groups) on which its check is false. A check that is null
    (a null value, the mean of no rows) is not false, so it passes, as in the package.
#}

{# `where (<row_condition>)`, or nothing: the rows a test looks at. Bracketed, so an `or` in
   the condition cannot reach past it. #}
{% macro expectation_where(row_condition=none) -%}
    {%- if row_condition %}where ({{ row_condition }}){% endif -%}
{%- endmacro %}

{# The rows (per group_by group, when given) of the model on which `check` is false. #}
{% macro expectation_violations(model, check, group_by=none, row_condition=none) -%}
    with checked as (
        select
            {%- for column in group_by or [] %}
            {{ column }} as group_{{ loop.index }},
            {%- endfor %}
            {{ check }} as check_passed
        from {{ model }}
        {{ expectation_where(row_condition) }}
        {%- if group_by %}
        group by {% for column in group_by %}{{ column }}{{ ', ' if not loop.last }}{% endfor %}
        {%- endif %}
    )

    select * from checked
    where not (check_passed)
{%- endmacro %}

{# `expression` within optional bounds (inclusive, exclusive when strictly); raises when neither
   bound is given, while dbt parses the project, as the package does. #}
{% macro expectation_within_bounds(expression, min_value=none, max_value=none, strictly=false) -%}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("give min_value, max_value or both") }}
    {%- endif -%}
    {%- set inclusive = '' if strictly else '=' -%}
    (
        {%- if min_value is not none %}{{ expression }} >{{ inclusive }} {{ min_value }}{% endif %}
        {%- if min_value is not none and max_value is not none %} and {% endif %}
        {%- if max_value is not none %}{{ expression }} <{{ inclusive }} {{ max_value }}{% endif -%}
    )
{%- endmacro %}

{#
    True when the text contains a match of the regular expression, as the package's
    regexp_instr(...) > 0 on each engine: DuckDB takes `flags` as regexp_matches options (c, i,
    m, s, ...) and a null passes; PostgreSQL takes them as regexp flags and a null fails;
    Spark ignores them, and an empty match fails. Unlike the package, the pattern is escaped
    as a string literal, so it may contain a quote (and, on Spark, a backslash).
#}
{% macro expectation_regex_found(column, regex, flags='') -%}
    {{ return(adapter.dispatch('shop_expectation_regex_found', 'shop_warehouse')(column, regex, flags)) }}
{%- endmacro %}

{% macro default__shop_expectation_regex_found(column, regex, flags) -%}
    regexp_matches({{ column }}, '{{ escape_single_quotes(regex) }}', '{{ escape_single_quotes(flags) }}')
{%- endmacro %}

{% macro postgres__shop_expectation_regex_found(column, regex, flags) -%}
    (regexp_match({{ column }}, '{{ escape_single_quotes(regex) }}', '{{ escape_single_quotes(flags) }}') is not null)
{%- endmacro %}

{% macro spark__shop_expectation_regex_found(column, regex, flags) -%}
    (length(regexp_extract({{ column }}, '{{ escape_single_quotes(regex | replace("\\", "\\\\")) }}', 0)) > 0)
{%- endmacro %}

{#
    now() as dbt_date gives it: the current time in the time zone of the var
    dbt_date:time_zone, as a timestamp without time zone (the project sets the var to UTC).
#}
{% macro expectation_now() -%}
    {{ return(adapter.dispatch('shop_expectation_now', 'shop_warehouse')(var('dbt_date:time_zone'))) }}
{%- endmacro %}

{% macro default__shop_expectation_now(time_zone) -%}
    cast(
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
        at time zone 'UTC' at time zone '{{ time_zone }}'
        as {{ dbt.type_timestamp() }}
    )
{%- endmacro %}

{% macro spark__shop_expectation_now(time_zone) -%}
    from_utc_timestamp(to_utc_timestamp({{ dbt.current_timestamp() }}, 'UTC'), '{{ time_zone }}')
{%- endmacro %}
