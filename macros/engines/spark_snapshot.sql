{#
    Snapshots on Spark without Delta. dbt-spark's snapshot ends in a MERGE, which Parquet
    tables do not have, and refuses any format but delta, iceberg and hudi. The Delta jars
    cannot be installed here, so on Parquet this materialization computes what the MERGE would
    write as a new table, then swaps it in by renames:

      1. dbt's own staging query (inserts, updates, deletions, new_record deletion rows),
      2. a new table: every existing version, its dbt_valid_to closed where the staging rows
         close it, plus the staging inserts whose dbt_scd_id is not in the snapshot yet,
      3. rename the snapshot to <name>__dbt_backup, the new table to <name>, drop the backup.

    The cost is a rewrite of the whole history each run (a MERGE writes only the changed files),
    and the swap is two renames, not one transaction: a failure between them leaves the history
    in <name>__dbt_backup, never lost, and the next run stops with a message naming it. Every
    run says so in the log. On delta, iceberg and hudi tables dbt-spark's MERGE is used as is.
#}
{% materialization snapshot, adapter='spark' %}
    {%- set file_format = config.get('file_format') or 'parquet' -%}
    {%- if file_format in ['delta', 'iceberg', 'hudi'] -%}
        {{ return(spark_snapshot_with_merge()) }}
    {%- endif -%}

    {%- set identifier = model.get('alias') or model.get('name') -%}
    {%- set exists, target_relation = get_or_create_relation(
        database=none, schema=model.schema, identifier=identifier, type='table') -%}
    {%- set backup_relation = target_relation.incorporate(
        path={'identifier': identifier ~ '__dbt_backup'}) -%}
    {%- set merged_relation = target_relation.incorporate(
        path={'identifier': identifier ~ '__dbt_merged'}) -%}

    {%- if adapter.get_relation(database=none, schema=model.schema, identifier=backup_relation.identifier) -%}
        {{ exceptions.raise_compiler_error(
            "Snapshot " ~ target_relation ~ ": a previous run stopped between its two renames and "
            ~ "left the history in " ~ backup_relation ~ ". Check it, rename it back to "
            ~ identifier ~ " if " ~ target_relation ~ " is missing or incomplete, then run again.") }}
    {%- endif -%}
    {{ log("Snapshot " ~ target_relation ~ " on Spark with file_format " ~ file_format
           ~ ": no MERGE without Delta, so the history is rewritten whole and swapped in by renames "
           ~ "(see macros/engines/spark_snapshot.sql).", info=True) }}

    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(model.schema) -%}
    {%- endif -%}
    {{ run_hooks(pre_hooks) }}

    {%- set strategy_macro = strategy_dispatch(config.get('strategy')) -%}
    {%- set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], exists) -%}

    {%- if not exists -%}
        {%- call statement('main') -%}
            {{ create_table_as(False, target_relation, build_snapshot_table(strategy, model['compiled_code'])) }}
        {%- endcall -%}
    {%- else -%}
        {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
        {{ adapter.valid_snapshot_target(target_relation, columns) }}
        {%- set staging_relation = spark_build_snapshot_staging_table(strategy, sql, target_relation) -%}
        {%- set helper_columns = ['dbt_change_type', 'dbt_unique_key'] -%}
        {%- set missing_columns = adapter.get_missing_columns(staging_relation, target_relation)
            | rejectattr('name', 'in', helper_columns) | list -%}
        {%- do create_columns(target_relation, missing_columns) -%}
        {%- set target_columns = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | list -%}
        {%- do adapter.drop_relation(merged_relation) -%}
        {%- call statement('main') -%}
            {{ spark_snapshot_rewrite_sql(target_relation, staging_relation, merged_relation, target_columns, columns) }}
        {%- endcall -%}
        {%- do adapter.rename_relation(target_relation, backup_relation) -%}
        {%- do adapter.rename_relation(merged_relation, target_relation) -%}
        {%- do adapter.drop_relation(backup_relation) -%}
        {%- do post_snapshot(staging_relation) -%}
    {%- endif -%}

    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#
    What the snapshot MERGE writes, as one query into a new Parquet table: the versions already
    recorded, each current one closed (dbt_valid_to) when the staging query updates or deletes
    it, and the staging inserts not recorded yet.
#}
{% macro spark_snapshot_rewrite_sql(target, staging, merged, target_columns, columns) -%}
    {%- set valid_to_current = config.get('dbt_valid_to_current') -%}
    create table {{ merged }} using parquet as
    with closing as (
        select
            {{ columns.dbt_scd_id }} as scd_id,
            min({{ columns.dbt_valid_to }}) as valid_to
        from {{ staging }}
        where dbt_change_type in ('update', 'delete')
        group by {{ columns.dbt_scd_id }}
    )

    select
        {%- for name in target_columns %}
        {%- if name | lower == columns.dbt_valid_to | lower %}
        case
            when closing.scd_id is not null
                and (recorded.{{ name }} is null
                    {%- if valid_to_current %} or recorded.{{ name }} = {{ valid_to_current }}{% endif %})
                then closing.valid_to
            else recorded.{{ name }}
        end as {{ name }}{{ ',' if not loop.last }}
        {%- else %}
        recorded.{{ name }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ target }} as recorded
    left join closing on recorded.{{ columns.dbt_scd_id }} = closing.scd_id

    union all

    select
        {%- for name in target_columns %}
        staged.{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ staging }} as staged
    left anti join {{ target }} as recorded
        on staged.{{ columns.dbt_scd_id }} = recorded.{{ columns.dbt_scd_id }}
    where staged.dbt_change_type = 'insert'
{%- endmacro %}

{# dbt-spark's own snapshot materialization (MERGE), for Delta, Iceberg and Hudi tables. #}
{% macro spark_snapshot_with_merge() -%}
    {{ return(dbt.materialization_snapshot_spark()) }}
{%- endmacro %}
