{#
    The texts of a group in ascending order, joined into one text (null, or '' on Spark, for
    no row). dbt.listagg on Spark ignores its order_by clause (collect_list keeps no order), so
    Spark sorts the collected array instead.
#}
{% macro sorted_string_agg(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('shop_sorted_string_agg', 'shop_warehouse')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__shop_sorted_string_agg(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ measure) }}
{%- endmacro %}

{% macro spark__shop_sorted_string_agg(measure, delimiter_text) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}
