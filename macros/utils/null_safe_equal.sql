{# a = b, where two nulls are equal (is not distinct from, spelled out for every engine) #}
{% macro null_safe_equal(a, b) -%}
    (coalesce({{ a }} = {{ b }}, false) or ({{ a }} is null and {{ b }} is null))
{%- endmacro %}
