{#
    Cast that yields null instead of failing on a value that does not convert. dbt's own
    dbt.safe_cast renders a plain cast on dbt-duckdb 1.11 (a bad value fails the whole model),
    so DuckDB gets try_cast here; other engines use dbt.safe_cast or their own variant.
#}
{% macro cast_or_null(expression, data_type) -%}
    {{ return(adapter.dispatch('shop_cast_or_null', 'shop_warehouse')(expression, data_type)) }}
{%- endmacro %}

{% macro default__shop_cast_or_null(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{#
    PostgreSQL 15: the util.try_cast_* functions (macro create_engine_functions) for the types
    the landing data is parsed into; dbt.safe_cast there is a plain cast.
#}
{% macro postgres__shop_cast_or_null(expression, data_type) -%}
    {%- set type = data_type | lower | replace(' ', '') -%}
    {%- if type in ('bigint', 'int8', 'integer', 'int', 'int4') -%}
    cast(util.try_cast_bigint({{ expression }}) as {{ data_type }})
    {%- elif type.startswith('decimal(') or type.startswith('numeric(') -%}
    {%- set digits = type.split('(')[1].rstrip(')').split(',') -%}
    cast(util.try_cast_numeric({{ expression }}, {{ digits[0] }}, {{ digits[1] }}) as {{ data_type }})
    {%- elif type in ('timestampwithtimezone', 'timestamptz') -%}
    util.try_cast_timestamptz({{ expression }})
    {%- elif type in ('text', 'varchar', 'string', 'charactervarying') -%}
    cast({{ expression }} as {{ data_type }})
    {%- else -%}
    {{ exceptions.raise_compiler_error("cast_or_null on postgres: no try_cast function for type " ~ data_type) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__shop_cast_or_null(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#
    Spark 4 (ANSI mode): try_cast, with the casts DuckDB makes: a whole-number type rounds a
    decimal text ('1.5' -> 2, where Spark's try_cast gives null), a timestamp is read only from
    ISO text (Spark would read '2024' as a timestamp), text is a plain cast.
#}
{% macro spark__shop_cast_or_null(expression, data_type) -%}
    {%- set type = data_type | lower | replace(' ', '') -%}
    {%- if type in ('bigint', 'int8', 'integer', 'int', 'int4') -%}
    try_cast(round(try_cast({{ expression }} as decimal(38, 9))) as {{ data_type }})
    {%- elif type in ('timestampwithtimezone', 'timestamptz', 'timestamp') -%}
    case
        when {{ regex_matches(expression, iso_timestamp_pattern()) }}
            then try_cast({{ expression }} as timestamp)
    end
    {%- elif type in ('text', 'varchar', 'string', 'charactervarying') -%}
    cast({{ expression }} as string)
    {%- else -%}
    try_cast({{ expression }} as {{ engine_type(data_type) }})
    {%- endif -%}
{%- endmacro %}
