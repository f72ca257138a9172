{#
    What the data tests have proven: audit.tested_ingestions has a row per `dbt build`,
    `dbt test` or `dbt run`, with the newest ingestion (landing.ingested_files) the run could
    see, and a second one, green, when the run tested the whole project and every test passed. The daily test scope (var
    test_scope: daily) checks, on the big incremental tables, only the rows of ingestions newer
    than the last green run (var tested_ingestions_filter): a night whose tests failed is
    checked again the next night, and nothing is taken as proven that was not.

    The daily features are rewritten by as-of date, not by ingestion: each run also records the
    first as-of date it can rewrite (ml_customer_features_daily rewrites its newest
    incremental_lookback_hours of dates and every date after them; null when the table is not
    there yet or the run is a full refresh: every date). Var untested_as_of_dates_from is the
    first as-of date a run since the last green one may have written, for the daily scope of the
    tests of the as-of tables. `dbt run` is recorded too (never green): what it wrote is unproven.

    open_tested_ingestions runs on-run-start: creates the table and records the run with the
    newest ingestion it can see, not green. close_tested_ingestions runs on-run-end: records
    the run again, green, when it ran every test and all of them passed (no selection, no
    exclusion, no failure, error or skip; no-op is the status of saved queries). Rows are only inserted (Spark's Parquet tables
    cannot update).
#}
{% macro open_tested_ingestions() -%}
    {%- if execute and flags.WHICH in ('build', 'test', 'run') -%}
        {%- set table = adapter.get_relation(database=target.database, schema='audit', identifier='tested_ingestions') -%}
        {%- if table is none -%}
            {%- do run_query("create schema if not exists audit") -%}
            {%- do run_query(
                "create table audit.tested_ingestions ("
                ~ "invocation_id " ~ dbt.type_string() ~ ", "
                ~ "run_started_at " ~ dbt.type_timestamp() ~ ", "
                ~ "command " ~ dbt.type_string() ~ ", "
                ~ "test_scope " ~ dbt.type_string() ~ ", "
                ~ "tested_through_ingestion_id " ~ dbt.type_bigint() ~ ", "
                ~ "is_green " ~ dbt.type_boolean() ~ ", "
                ~ "as_of_dates_rewritten_from date)") -%}
        {%- elif 'as_of_dates_rewritten_from' not in (adapter.get_columns_in_relation(table)
            | map(attribute='name') | map('lower') | list) -%}
            {#- a warehouse of an older version: the column is added, not the table rebuilt #}
            {%- do alter_relation_add_remove_columns(
                table, add_columns=[api.Column('as_of_dates_rewritten_from', 'date')]) -%}
        {%- endif -%}
        {%- set ledger = adapter.get_relation(database=target.database, schema='landing', identifier='ingested_files') -%}
        {%- do run_query(
            "insert into audit.tested_ingestions select "
            ~ "'" ~ invocation_id ~ "', "
            ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ "), "
            ~ "'" ~ flags.WHICH ~ "', "
            ~ "'" ~ var('test_scope') ~ "', "
            ~ ("(select coalesce(max(ingestion_id), 0) from " ~ ledger ~ ")" if ledger else "0") ~ ", "
            ~ "false, "
            ~ first_as_of_date_rewritten()) -%}
        {#- hooks run in a transaction that dbt rolls back after on-run-start -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- the first as-of date this run can rewrite in ml_customer_features_daily, as SQL: null when
    every date (no table yet, or a full refresh) -#}
{% macro first_as_of_date_rewritten() -%}
    {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'ml_customer_features_daily') | first -%}
    {%- set features = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- if features and not flags.FULL_REFRESH -%}
        (select cast({{ dbt.dateadd('day', 1 - incremental_lookback_days(), 'max(as_of_date)') }} as date)
        from {{ features }})
    {%- else -%}
        cast(null as date)
    {%- endif -%}
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
                ~ "select invocation_id, run_started_at, command, test_scope, tested_through_ingestion_id, true, "
                ~ "as_of_dates_rewritten_from "
                ~ "from audit.tested_ingestions where invocation_id = '" ~ invocation_id ~ "'") -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
