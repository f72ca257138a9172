{#
    Overrides of dbt-spark 1.11 macros, for the local Spark target (session method, Parquet).
    A root project's `spark__<name>` replaces the adapter's own in dbt's dispatch.
#}

{#
    The empty query a model contract is checked against: the YAML types in Spark's spelling
    (engine_type), so one contract (`text`, `double precision`) serves every engine and Spark
    still compares every column's type.
#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set missing_types = [] -%}
    select
    {%- for name in columns %}
        {%- set column = columns[name] -%}
        {%- if column['data_type'] is not defined or not column['data_type'] -%}
            {%- do missing_types.append(column['name']) -%}
        {%- endif %}
        cast(null as {{ engine_type(column['data_type'] or 'string') }}) as {{ adapter.quote(column['name']) if column.get('quote') else column['name'] }}{{ ',' if not loop.last }}
    {%- endfor -%}
    {%- if missing_types | length > 0 -%}
        {{ exceptions.column_type_missing(column_names=missing_types) }}
    {%- endif -%}
{%- endmacro %}

{#
    Seed rows as SQL literals. dbt-spark's session cursor substitutes its bindings without
    escaping: a quote in a value breaks the statement (quarantine_reasons: "the row's own id")
    and an empty cell becomes the text 'None'.
#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for name in agate_table.column_names -%}
        {%- do types.append(column_override.get(name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                cast({{ spark_literal(value) }} as {{ types[loop.index0] }}){{ ', ' if not loop.last }}
                {%- endfor -%}
            ){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{# A Python value of a seed cell as a Spark SQL literal (backslash and quote escaped). #}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
