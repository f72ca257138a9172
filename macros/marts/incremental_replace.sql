{#
    Incremental models replace whole units of rows: a unit that a new load touches is deleted
    and built again from the full history. DuckDB and PostgreSQL delete by key (delete+insert
    on the unique_key); Spark's Parquet tables cannot delete rows, so there the unit is a
    partition, overwritten whole (insert_overwrite, dynamic partition overwrite). A model names
    both: the key (fine, for delete+insert) and the partition column (coarse, for Spark), and
    re-selects every row of every unit it touches, so no engine loses a row of a unit it
    rewrites.
#}

{# The incremental strategy that replaces units: delete+insert, or insert_overwrite on Spark. #}
{% macro incremental_replace_strategy() -%}
    {{ return(adapter.dispatch('shop_incremental_replace_strategy', 'shop_warehouse')()) }}
{%- endmacro %}

{% macro default__shop_incremental_replace_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__shop_incremental_replace_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#
    The expression of the unit a row belongs to: the key expression where rows are deleted by
    key, the partition expression on Spark.
#}
{% macro incremental_replace_unit(key_expression, partition_expression) -%}
    {{ return(adapter.dispatch('shop_incremental_replace_unit', 'shop_warehouse')(key_expression, partition_expression)) }}
{%- endmacro %}

{% macro default__shop_incremental_replace_unit(key_expression, partition_expression) -%}
    {{ return(key_expression) }}
{%- endmacro %}

{% macro spark__shop_incremental_replace_unit(key_expression, partition_expression) -%}
    {{ return(partition_expression) }}
{%- endmacro %}

{#
    A stable bucket of a visitor (the first hex digit of the md5 of the id, 16 buckets): the
    partition of the visitor-keyed web facts on Spark, where a visitor's rows are replaced with
    their whole bucket.
#}
{% macro visitor_bucket(column) -%}
    substring({{ dbt.hash(column) }}, 1, 1)
{%- endmacro %}

{#
    A post-hook of incremental models: remove the rows that match `condition` (rows a full
    refresh would not build any more, e.g. of an order rejected since). Outside incremental
    runs, nothing.
#}
{% macro remove_rows_where(relation, condition, partition_column) -%}
    {{ return(adapter.dispatch('shop_remove_rows_where', 'shop_warehouse')(relation, condition, partition_column)) }}
{%- endmacro %}

{% macro default__shop_remove_rows_where(relation, condition, partition_column) -%}
    {%- if is_incremental() -%}
        delete from {{ relation }} where {{ condition }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#
    Spark (Parquet, no DELETE): the partitions holding such rows are rewritten without them.
    Their remaining rows go to a side table, the partitions are dropped, and the rows are
    appended back (an insert cannot read the table it overwrites). A partition left empty
    stays dropped, which an overwrite with no rows could not do.
#}
{% macro spark__shop_remove_rows_where(relation, condition, partition_column) -%}
    {%- if not (is_incremental() and execute) -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set found = run_query(
        'select distinct cast(' ~ partition_column ~ ' as string) as value from ' ~ relation
        ~ ' where ' ~ condition) -%}
    {%- set values = found.columns[0].values() | list -%}
    {%- if values | length == 0 -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set kept = relation.incorporate(path={'identifier': relation.identifier ~ '__dbt_kept'}) -%}
    {%- set in_partitions = 'cast(' ~ partition_column ~ ' as string) in (' ~ string_literals(values) ~ ')' -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- do run_query('drop table if exists ' ~ kept) -%}
    {%- do run_query('create table ' ~ kept ~ ' using parquet as select * from ' ~ relation
        ~ ' where ' ~ in_partitions ~ ' and not (' ~ condition ~ ')') -%}
    {%- do run_query('alter table ' ~ relation ~ ' drop if exists '
        ~ spark_partition_specs(partition_column, values)) -%}
    {%- do run_query('insert into ' ~ relation ~ ' partition (' ~ partition_column ~ ') select '
        ~ columns | join(', ') ~ ' from ' ~ kept) -%}
    {{ return('drop table if exists ' ~ kept) }}
{%- endmacro %}

{# `partition (col = 'v1'), partition (col = 'v2')`: Spark casts the text to the column's type. #}
{% macro spark_partition_specs(partition_column, values) -%}
    {%- for value in values -%}
        partition ({{ partition_column }} = '{{ value }}'){{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
