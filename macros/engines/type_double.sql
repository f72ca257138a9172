{#
    A 64-bit float. dbt.type_float() is `float`, which is 32 bits on DuckDB (and would round
    the rates to 7 digits); `double precision` is 64 bits on DuckDB and PostgreSQL.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('shop_type_double', 'shop_warehouse')()) }}
{%- endmacro %}

{% macro default__shop_type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__shop_type_double() -%}
    double
{%- endmacro %}
