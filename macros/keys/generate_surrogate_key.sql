{#
    Hashed surrogate key of a list of columns, hash-compatible with dbt_utils'
    generate_surrogate_key so that the package can replace this macro without a single key
    changing: every field is cast to text, a null becomes the placeholder
    '_dbt_utils_surrogate_key_null_' (or '' when the var
    surrogate_key_treat_nulls_as_empty_strings is true), the texts are joined with '-', and the
    result is md5-hashed.

    Two properties are inherited on purpose and pinned by unit tests:
    - a null and an empty string give different keys (unless the var says otherwise);
    - the '-' separator is ambiguous: ('a-b', 'c') and ('a', 'b-c') collide. Keys in this
      project therefore hash fields of which all but the last cannot contain '-' (integer ids
      first, timestamps last).
#}
{% macro generate_surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('shop_generate_surrogate_key', 'shop_warehouse')(field_list)) }}
{%- endmacro %}

{% macro default__shop_generate_surrogate_key(field_list) -%}
    {%- if field_list is string or field_list | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "generate_surrogate_key takes a non-empty list of column names, got: " ~ field_list) }}
    {%- endif -%}
    {%- set null_placeholder = '' if var('surrogate_key_treat_nulls_as_empty_strings', false)
        else '_dbt_utils_surrogate_key_null_' -%}
    {%- set parts = [] -%}
    {%- for field in field_list -%}
        {%- if not loop.first -%}{%- do parts.append("'-'") -%}{%- endif -%}
        {%- do parts.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '" ~ null_placeholder ~ "')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
