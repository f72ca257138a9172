{#
    What the data tests have proven: audit.tested_ingestions has one row per `dbt build` or
    `dbt test` of the whole project, with the newest ingestion (landing.ingested_files) the
    run could see and whether every test of the run passed. The daily test scope (var
    test_scope: daily) checks, on the big incremental tables, only the rows of ingestions newer
    than the last green run (var tested_ingestions_filter): a night whose tests failed is
    checked again the next night, and nothing is taken as proven that was not.

    open_tested_ingestions runs on-run-start: creates the table and records the run with the
    newest ingestion it can see, not green. close_tested_ingestions runs on-run-end: records
    the run again, green, when it ran every test and all of them passed (no selection, no
    exclusion, no failure, error or skip; no-op is the status of saved queries). Rows are only inserted (Spark's Parquet tables
    cannot update).
#}
{% macro open_tested_ingestions() -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- do run_query("create schema if not exists audit") -%}
        {%- do run_query(
            "create table if not exists audit.tested_ingestions ("
            ~ "invocation_id " ~ dbt.type_string() ~ ", "
            ~ "run_started_at " ~ dbt.type_timestamp() ~ ", "
            ~ "command " ~ dbt.type_string() ~ ", "
            ~ "test_scope " ~ dbt.type_string() ~ ", "
            ~ "tested_through_ingestion_id " ~ dbt.type_bigint() ~ ", "
            ~ "is_green " ~ dbt.type_boolean() ~ ")") -%}
        {%- set ledger = adapter.get_relation(database=target.database, schema='landing', identifier='ingested_files') -%}
        {%- do run_query(
            "insert into audit.tested_ingestions select "
            ~ "'" ~ invocation_id ~ "', "
            ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ "), "
            ~ "'" ~ flags.WHICH ~ "', "
            ~ "'" ~ var('test_scope') ~ "', "
            ~ ("(select coalesce(max(ingestion_id), 0) from " ~ ledger ~ ")" if ledger else "0") ~ ", "
            ~ "false") -%}
        {#- hooks run in a transaction that dbt rolls back after on-run-start -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro close_tested_ingestions(results) -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set tests = results | selectattr('node.resource_type', 'equalto', 'test') | list -%}
        {%- set statuses = results | map(attribute='status') | map('string') | map('lower') | list -%}
        {%- set whole_project = not invocation_args_dict.get('select')
            and not invocation_args_dict.get('exclude') and not invocation_args_dict.get('selector')
            and not invocation_args_dict.get('resource_types')
            and not invocation_args_dict.get('exclude_resource_types') -%}
        {%- set all_passed = statuses | reject('in', ['success', 'pass', 'warn', 'no-op']) | list | length == 0 -%}
        {%- if tests and whole_project and all_passed -%}
            {%- do run_query(
                "insert into audit.tested_ingestions "
                ~ "select invocation_id, run_started_at, command, test_scope, tested_through_ingestion_id, true "
                ~ "from audit.tested_ingestions where invocation_id = '" ~ invocation_id ~ "'") -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
