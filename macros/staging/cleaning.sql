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

{# True when the text matches the (RE2/POSIX) regular expression; false for null. #}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('shop_regex_matches', 'shop_warehouse')(column, pattern)) }}
{%- endmacro %}

{% macro default__shop_regex_matches(column, pattern) -%}
    coalesce(regexp_matches({{ column }}, '{{ pattern }}'), false)
{%- endmacro %}

{% macro postgres__shop_regex_matches(column, pattern) -%}
    {%- if pattern.startswith('(?i)') -%}
    coalesce({{ column }} ~* '{{ pattern[4:] }}', false)
    {%- else -%}
    coalesce({{ column }} ~ '{{ pattern }}', false)
    {%- endif -%}
{%- endmacro %}

{#
    Spark's regular expressions are Java's: the POSIX classes [:space:] and [:cntrl:] are
    spelled \s and \p{Cntrl} there (in a Java bracket expression `[:space:]` would be the
    letters of the word).
#}
{% macro spark__shop_regex_matches(column, pattern) -%}
    coalesce({{ column }} rlike '{{ pattern | replace("[:space:]", "\\s") | replace("[:cntrl:]", "\\p{Cntrl}") | replace("\\", "\\\\") }}', false)
{%- endmacro %}

{# True when the text looks like an email address: one @, no blanks, a dot in the domain. #}
{% macro is_valid_email(column) -%}
    {{ regex_matches(column, '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$') }}
{%- endmacro %}

{# The load date of a landing file, from its name (.../YYYY-MM-DD.csv). #}
{% macro load_date_from_path(column) -%}
    cast(nullif({{ regex_extract(column, '([0-9]{4}-[0-9]{2}-[0-9]{2})[.][a-z]+$') }}, '') as date)
{%- endmacro %}

{# The text of the first group of a regular expression in a text; null (Spark: '') when it does not match. #}
{% macro regex_extract(column, pattern) -%}
    {{ return(adapter.dispatch('shop_regex_extract', 'shop_warehouse')(column, pattern)) }}
{%- endmacro %}

{% macro default__shop_regex_extract(column, pattern) -%}
    regexp_extract({{ column }}, '{{ pattern }}', 1)
{%- endmacro %}

{% macro postgres__shop_regex_extract(column, pattern) -%}
    substring({{ column }} from '{{ pattern }}')
{%- endmacro %}

{# Every match of a regular expression in a text replaced (DuckDB and PostgreSQL need the 'g' flag). #}
{% macro regex_replace_all(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('shop_regex_replace_all', 'shop_warehouse')(column, pattern, replacement)) }}
{%- endmacro %}

{% macro default__shop_regex_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__shop_regex_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}

{# A comma-separated list of SQL string literals, for `in (...)`: ['a', 'b'] -> 'a', 'b'. #}
{% macro string_literals(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
