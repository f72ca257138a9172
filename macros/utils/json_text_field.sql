{#
    The text of one top-level field of a JSON object held as text (null when absent or null).
#}
{% macro json_text_field(json_text, key) -%}
    {{ return(adapter.dispatch('shop_json_text_field', 'shop_warehouse')(json_text, key)) }}
{%- endmacro %}

{% macro default__shop_json_text_field(json_text, key) -%}
    json_extract_string({{ json_text }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__shop_json_text_field(json_text, key) -%}
    (cast({{ json_text }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro spark__shop_json_text_field(json_text, key) -%}
    get_json_object({{ json_text }}, '$.{{ key }}')
{%- endmacro %}
