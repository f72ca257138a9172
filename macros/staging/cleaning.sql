{# Trim a text value; blank becomes null. #}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{# A categorical code: trimmed, lower case, blank as null ('  SHIPPED ' -> 'shipped'). #}
{% macro clean_code(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{# An ISO code: trimmed, upper case, blank as null (' gb' -> 'GB'). #}
{% macro clean_iso_code(column) -%}
    upper({{ clean_text(column) }})
{%- endmacro %}

{# A decimal amount from text, or null when it is not a number ('12,99', 'N/A'). #}
{% macro parse_decimal(column, precision=18, scale=2) -%}
    {{ cast_or_null(clean_text(column), 'decimal(' ~ precision ~ ',' ~ scale ~ ')') }}
{%- endmacro %}

{#
    A whole number from text, or null when the text is not one. Casting '1.5' to an integer
    rounds it to 2 on some engines, so the value is read as a decimal and kept only when it has
    no fractional part.
#}
{% macro parse_whole_number(column) -%}
    case
        when {{ parse_decimal(column, 18, 4) }} = floor({{ parse_decimal(column, 18, 4) }})
            then cast({{ parse_decimal(column, 18, 4) }} as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{# True when the text looks like an email address: one @, no blanks, a dot in the domain. #}
{% macro is_valid_email(column) -%}
    {{ regex_matches(column, '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$') }}
{%- endmacro %}

{# The load date of a landing file, from its name (.../YYYY-MM-DD.csv). #}
{% macro load_date_from_path(column) -%}
    cast(nullif({{ regex_extract(column, '([0-9]{4}-[0-9]{2}-[0-9]{2})[.][a-z]+$') }}, '') as date)
{%- endmacro %}

{# A comma-separated list of SQL string literals, for `in (...)`: ['a', 'b'] -> 'a', 'b'. #}
{% macro string_literals(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
