{#
    Helpers of the expectation-style generic tests (tests/generic/expectations), which take
    the names and arguments of dbt-expectations' tests so that the package could replace them.
#}

{# `where <row_condition>`, or nothing: the rows a test looks at. #}
{% macro expectation_where(row_condition=none) -%}
    {%- if row_condition %}where {{ row_condition }}{% endif -%}
{%- endmacro %}

{# A comparison against optional bounds; strictly excludes the bounds themselves. #}
{% macro expectation_outside_bounds(expression, min_value=none, max_value=none, strictly=false) -%}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("give min_value, max_value or both") }}
    {%- endif -%}
    {%- set lower = '<=' if strictly else '<' -%}
    {%- set upper = '>=' if strictly else '>' -%}
    (
        {{ expression }} is null
        {%- if min_value is not none %} or {{ expression }} {{ lower }} {{ min_value }}{% endif %}
        {%- if max_value is not none %} or {{ expression }} {{ upper }} {{ max_value }}{% endif %}
    )
{%- endmacro %}
