{#
    The raw values of a row as one JSON text, so that a quarantined row keeps exactly what the
    source delivered. `columns` is the list of raw column names; `pii_classes` ({column: class},
    from pii_columns) masks the personal ones (mask_pii), for the copy that readers may see.
#}
{% macro raw_values_json(columns, pii_classes={}) -%}
    {%- set values = [] -%}
    {%- for column in columns -%}
        {%- do values.append((column, mask_pii(column, pii_classes[column]) if column in pii_classes else column)) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('shop_raw_values_json', 'shop_warehouse')(values)) }}
{%- endmacro %}

{% macro default__shop_raw_values_json(values) -%}
    cast(json_object(
        {%- for column, value in values %}
        '{{ column }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#
    PostgreSQL's json_build_object writes `{"a" : "b"}`; the text is built the compact way DuckDB
    writes it (`{"a":"b"}`, keys in order, null as null, a control character's escape in upper
    case hex: \u001A), so quarantine rows are equal on both.
#}
{% macro postgres__shop_raw_values_json(values) -%}
    concat(
        '{',
        {%- for column, value in values %}
        '"{{ column }}":', {{ upper_json_escapes("coalesce(to_json(" ~ value ~ ")::text, 'null')") }},{{ " ','," if not loop.last }}
        {%- endfor %}
        '}'
    )
{%- endmacro %}

{# Spark's to_json leaves null fields out unless told to keep them. #}
{% macro spark__shop_raw_values_json(values) -%}
    to_json(named_struct(
        {%- for column, value in values %}
        '{{ column }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{# The \u00xx escapes of control characters, with upper-case hex digits as DuckDB writes them. #}
{% macro upper_json_escapes(expression) -%}
    {%- set escapes = ['000b', '000e', '000f', '001a', '001b', '001c', '001d', '001e', '001f', '007f'] -%}
    {%- set ns = namespace(sql=expression) -%}
    {%- for escape in escapes -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '\\u" ~ escape ~ "', '\\u" ~ escape | upper ~ "')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}
