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
