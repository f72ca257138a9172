{#
    Arrays of text (the CSV headers), the same on every engine: positions count from 1, and a
    position past the end gives null.
#}

{# The number of elements of an array. #}
{% macro array_size(array) -%}
    {{ return(adapter.dispatch('shop_array_size', 'shop_warehouse')(array)) }}
{%- endmacro %}

{% macro default__shop_array_size(array) -%}
    len({{ array }})
{%- endmacro %}

{% macro postgres__shop_array_size(array) -%}
    cardinality({{ array }})
{%- endmacro %}

{% macro spark__shop_array_size(array) -%}
    size({{ array }})
{%- endmacro %}

{# The element at a position (from 1); null past the end. #}
{% macro array_element(array, position) -%}
    {{ return(adapter.dispatch('shop_array_element', 'shop_warehouse')(array, position)) }}
{%- endmacro %}

{% macro default__shop_array_element(array, position) -%}
    {{ array }}[{{ position }}]
{%- endmacro %}

{% macro spark__shop_array_element(array, position) -%}
    try_element_at({{ array }}, {{ position }})
{%- endmacro %}

{# The elements from a position (from 1) to the end, joined by a separator. #}
{% macro array_tail_joined(array, position, separator=', ') -%}
    {{ return(adapter.dispatch('shop_array_tail_joined', 'shop_warehouse')(array, position, separator)) }}
{%- endmacro %}

{% macro default__shop_array_tail_joined(array, position, separator) -%}
    array_to_string({{ array }}[{{ position }}:], '{{ separator }}')
{%- endmacro %}

{% macro spark__shop_array_tail_joined(array, position, separator) -%}
    array_join(slice({{ array }}, {{ position }}, size({{ array }})), '{{ separator }}')
{%- endmacro %}

