{#
    A type name of the project (the spelling DuckDB and PostgreSQL share: text, double
    precision, timestamp with time zone) in the spelling of the engine: Spark has no `text` or
    `double precision`, and its `timestamp` is the instant type.
#}
{% macro engine_type(data_type) -%}
    {{ return(adapter.dispatch('shop_engine_type', 'shop_warehouse')(data_type)) }}
{%- endmacro %}

{% macro default__shop_engine_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__shop_engine_type(data_type) -%}
    {%- set name = data_type | lower | replace(' ', '') -%}
    {%- set spark_names = {
        'text': 'string', 'varchar': 'string', 'charactervarying': 'string',
        'doubleprecision': 'double', 'float8': 'double',
        'timestampwithtimezone': 'timestamp', 'timestamptz': 'timestamp',
        'timestampwithouttimezone': 'timestamp_ntz',
    } -%}
    {{ return(spark_names.get(name, data_type)) }}
{%- endmacro %}

{#
    The ISO 8601 timestamps a landing file may carry and every engine reads the same way:
    date, optional time with optional fraction, optional Z or offset. DuckDB's try_cast reads
    exactly these; PostgreSQL and Spark would also read `yesterday` or `2024`, so they check
    the text against this pattern first.
#}
{% macro iso_timestamp_pattern() -%}
    ^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$
{%- endmacro %}
