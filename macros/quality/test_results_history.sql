{#
    The history of test results: every `dbt build` / `dbt test` appends the result of each data
    test and unit test (from dbt's run results) to audit.dq_test_results, so that the quality of
    the warehouse can be followed day by day (mart dq_test_results_daily).

    create_test_results_table runs on-run-start, so the table exists before any model reads
    it; record_test_results runs on-run-end with dbt's `results`.
#}
{% macro create_test_results_table() -%}
    {%- if execute -%}
        {%- do run_query("create schema if not exists audit") -%}
        {%- do run_query(
            "create table if not exists audit.dq_test_results ("
            ~ "invocation_id " ~ dbt.type_string() ~ ", "
            ~ "run_started_at " ~ dbt.type_timestamp() ~ ", "
            ~ "command " ~ dbt.type_string() ~ ", "
            ~ "test_unique_id " ~ dbt.type_string() ~ ", "
            ~ "test_name " ~ dbt.type_string() ~ ", "
            ~ "test_type " ~ dbt.type_string() ~ ", "
            ~ "tested_node " ~ dbt.type_string() ~ ", "
            ~ "severity " ~ dbt.type_string() ~ ", "
            ~ "status " ~ dbt.type_string() ~ ", "
            ~ "failures " ~ dbt.type_bigint() ~ ", "
            ~ "execution_seconds " ~ dbt.type_float() ~ ", "
            ~ "message " ~ dbt.type_string() ~ ")") -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro record_test_results(results) -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set rows = [] -%}
        {%- for result in results if result.node.resource_type in ('test', 'unit_test') -%}
            {%- set node = result.node -%}
            {%- set tested = (node.depends_on.nodes | default([]) | select('string') | list) -%}
            {%- set message = (result.message or '') | string -%}
            {%- do rows.append("("
                ~ "'" ~ invocation_id ~ "', "
                ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ "), "
                ~ "'" ~ flags.WHICH ~ "', "
                ~ "'" ~ node.unique_id | replace("'", "''") ~ "', "
                ~ "'" ~ node.name | replace("'", "''") ~ "', "
                ~ "'" ~ node.resource_type ~ "', "
                ~ "'" ~ (tested | last if tested else '') | replace("'", "''") ~ "', "
                ~ "'" ~ (node.config.severity | default('error') | lower) ~ "', "
                ~ "'" ~ result.status ~ "', "
                ~ (result.failures if result.failures is number else 'null') ~ ", "
                ~ (result.execution_time | round(3)) ~ ", "
                ~ "'" ~ message[:500] | replace("'", "''") ~ "')") -%}
        {%- endfor -%}
        {%- if rows -%}
            {%- do run_query("insert into audit.dq_test_results values " ~ rows | join(", ")) -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
