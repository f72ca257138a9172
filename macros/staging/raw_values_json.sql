{#
    The raw values of a row as one JSON text, so that a quarantined row keeps exactly what the
    source delivered. `columns` is the list of raw column names.
#}
{% macro raw_values_json(columns) -%}
    {{ return(adapter.dispatch('raw_values_json', 'shop_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__raw_values_json(columns) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__raw_values_json(columns) -%}
    cast(json_build_object(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__raw_values_json(columns) -%}
    to_json(named_struct(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
