{#
    Cast that yields null instead of failing on a value that does not convert. dbt's own
    dbt.safe_cast renders a plain cast on dbt-duckdb 1.11 (a bad value fails the whole model),
    so DuckDB gets try_cast here; other engines use dbt.safe_cast or their own variant.
#}
{% macro safe_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('safe_cast', 'shop_warehouse')(expression, data_type)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
