{#
    Layers land in schemas named after them (staging, intermediate, marts, audit, snapshots,
    reference) rather than dbt's default <target schema>_<custom schema>; a model without a
    custom schema lands in the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
