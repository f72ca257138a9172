{#
    Access per audience, on PostgreSQL (where people log in). The tables are granted by dbt's
    `grants` configs (dbt_project.yml); these macros add what `grants` cannot express.

    DuckDB has no roles and local Spark no authorisation: there the grants are skipped
    (`duckdb__apply_grants`, `spark__apply_grants`), and the published reader file, holding only
    the public models and seeds, is the boundary.
#}

{#- The roles named by any grants config of the project, sorted. #}
{% macro granted_roles() -%}
    {%- set roles = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- for privilege, grantees in (node.config.grants or {}).items() -%}
            {%- for role in ([grantees] if grantees is string else grantees) if role not in roles -%}
                {%- do roles.append(role) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(roles | sort) }}
{%- endmacro %}

{#- on-run-start: the group roles the grants name, created (NOLOGIN) when missing. People log in
    as their own users, members of these roles. #}
{% macro create_reader_roles() -%}
    {{ return(adapter.dispatch('shop_create_reader_roles', 'shop_warehouse')()) }}
{%- endmacro %}

{% macro default__shop_create_reader_roles() -%}
    select 1
{%- endmacro %}

{% macro postgres__shop_create_reader_roles() -%}
    {%- set roles = granted_roles() if execute else [] -%}
    {%- if roles %}
    do $roles$
    begin
        {%- for role in roles %}
        if not exists (select from pg_roles where rolname = '{{ role }}') then
            create role {{ adapter.quote(role) }} nologin;
        end if;
        {%- endfor %}
    end
    $roles$;
    {%- else %}
    select 1
    {%- endif %}
{%- endmacro %}

{#- on-run-end: a table grant is useless without USAGE on its schema. Every role granted a
    relation gets USAGE on that relation's schema; the data engineers' role
    (var data_engineer_role) also reads every table of every schema the project uses: the raw
    sources, the stored test failures and the run-history tables the hooks write. #}
{% macro grant_schema_usage() -%}
    {{ return(adapter.dispatch('shop_grant_schema_usage', 'shop_warehouse')()) }}
{%- endmacro %}

{% macro default__shop_grant_schema_usage() -%}
    select 1
{%- endmacro %}

{% macro postgres__shop_grant_schema_usage() -%}
    {%- if execute -%}
        {%- set usage = {} -%}
        {%- set engineer = var('data_engineer_role') -%}
        {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot', 'test')
            and node.config.materialized != 'ephemeral' -%}
            {%- set roles = usage.setdefault(node.schema, [engineer]) -%}
            {%- for grantees in (node.config.grants or {}).values() -%}
                {%- for role in ([grantees] if grantees is string else grantees) if role not in roles -%}
                    {%- do roles.append(role) -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for source in graph.sources.values() -%}
            {%- do usage.setdefault(source.schema, [engineer]) -%}
        {%- endfor -%}
        {%- do usage.setdefault('audit', [engineer]) -%}
        {%- for schema, roles in usage.items() | sort %}
    do $usage$ begin
        if exists (select from pg_namespace where nspname = '{{ schema }}') then
            grant usage on schema {{ adapter.quote(schema) }} to
                {%- for role in roles %} {{ adapter.quote(role) }}{{ ',' if not loop.last }}{% endfor %};
            grant select on all tables in schema {{ adapter.quote(schema) }} to {{ adapter.quote(engineer) }};
        end if;
    end $usage$;
        {%- endfor -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- No roles on DuckDB, no authorisation in a local Spark session: nothing to grant. #}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
