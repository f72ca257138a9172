{#
    The newest ingestion an incremental model has taken in: the max of `watermark_column` (the
    ingestion ids its rows were built from) in the model's own table, 0 when it is empty. Every
    staged row carries the id of the ingestion that brought it, and ids only grow, so
    `ingestion_id > incremental_watermark(...)` is every row that arrived since the model's
    last run, however late its file was: no lookback window to outrun. Use only inside
    `if is_incremental()`.
#}
{% macro incremental_watermark(watermark_column) -%}
    (select coalesce(max({{ watermark_column }}), 0) from {{ this }})
{%- endmacro %}

{#
    An incremental run only rewrites the orders (or order dates) its loads touch: an order
    that was accepted and is rejected now (its customer turned out to be an internal test
    account) produces no row and would keep its old lines. This post-hook removes them, so an
    incremental run ends where a full refresh would.
#}
{% macro delete_orders_no_longer_accepted(relation) -%}
    {{ return(remove_rows_where(
        relation,
        "order_id not in (select order_id from " ~ ref('int_shop__orders_checked')
        ~ " where integrity_reason is null)",
        'order_date')) }}
{%- endmacro %}

{#- the as-of dates an incremental run of the daily features computes again: the var
    incremental_lookback_hours in whole days -#}
{% macro incremental_lookback_days() -%}
    {{ return((var('incremental_lookback_hours') / 24) | round(0, 'ceil') | int) }}
{%- endmacro %}
