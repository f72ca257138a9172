{#
    Parse a text timestamp into a UTC timestamp without time zone, or null when it cannot be
    parsed. Offsets (Z, +02:00, -05:00) are honoured; text without an offset is read as UTC
    (the profiles set the session time zone to UTC).
#}
{% macro parse_timestamp_utc(column) -%}
    {{ return(adapter.dispatch('shop_parse_timestamp_utc', 'shop_warehouse')(column)) }}
{%- endmacro %}

{% macro default__shop_parse_timestamp_utc(column) -%}
    cast({{ cast_or_null(clean_text(column), 'timestamp with time zone') }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__shop_parse_timestamp_utc(column) -%}
    (try_cast({{ clean_text(column) }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{# True when any of the (optional) text timestamps is present but cannot be parsed. #}
{% macro any_unparseable_timestamp(columns) -%}
    (
        {%- for column in columns %}
        ({{ clean_text(column) }} is not null and {{ parse_timestamp_utc(column) }} is null)
        {{- ' or' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
