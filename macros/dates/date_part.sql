{#
    A numeric part of a date or timestamp: year, quarter, month, day, isodow (1 = Monday),
    week (ISO week), doy. dbt has no cross-database date_part, so the project carries one.
#}
{% macro date_part(part, expression) -%}
    {{ return(adapter.dispatch('shop_date_part', 'shop_warehouse')(part, expression)) }}
{%- endmacro %}

{% macro default__shop_date_part(part, expression) -%}
    extract({{ part }} from {{ expression }})
{%- endmacro %}

{% macro spark__shop_date_part(part, expression) -%}
    {%- set spark_parts = {'isodow': 'dayofweek_iso', 'doy': 'doy', 'week': 'week'} -%}
    extract({{ spark_parts.get(part, part) }} from {{ expression }})
{%- endmacro %}

{# The integer key of a date in dim_dates: yyyymmdd. #}
{% macro date_key(expression) -%}
    cast(
        {{ date_part('year', expression) }} * 10000
        + {{ date_part('month', expression) }} * 100
        + {{ date_part('day', expression) }}
        as integer
    )
{%- endmacro %}
