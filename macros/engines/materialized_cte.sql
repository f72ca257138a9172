{#
    `materialized` for a CTE that a query reads more than once or that feeds a big
    aggregation: DuckDB and PostgreSQL then compute it once (DuckDB: 17 s -> 11 s for the
    daily features at SF1). Spark has no such hint; it gets nothing.
#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('shop_materialized_cte', 'shop_warehouse')()) }}
{%- endmacro %}

{% macro default__shop_materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__shop_materialized_cte() -%}
{%- endmacro %}
