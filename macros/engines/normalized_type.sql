{#
    A SQL type name in one spelling for every engine, to compare types: lower case without
    blanks, and the synonyms of DuckDB, PostgreSQL and Spark mapped to one name
    (numeric(18,2) -> decimal(18,2), character varying / text / string -> varchar,
    double precision / float8 -> double, int8 -> bigint, timestamp without time zone -> timestamp).
#}
{% macro normalized_type(type_name) -%}
    {%- set name = (type_name or '') | lower | replace(' ', '') -%}
    {%- set synonyms = {
        'charactervarying': 'varchar', 'text': 'varchar', 'string': 'varchar',
        'doubleprecision': 'double', 'float8': 'double',
        'int8': 'bigint', 'long': 'bigint', 'int4': 'integer', 'int': 'integer',
        'timestampwithouttimezone': 'timestamp', 'timestamp_ntz': 'timestamp',
        'bool': 'boolean',
    } -%}
    {%- if name.startswith('numeric') -%}
        {%- set name = 'decimal' ~ name[7:] -%}
    {%- elif name.startswith('charactervarying(') or name.startswith('varchar(') -%}
        {%- set name = 'varchar' -%}
    {%- endif -%}
    {{- return(synonyms.get(name, name)) -}}
{%- endmacro %}
