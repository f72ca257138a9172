{#
    The load time from which an incremental model re-processes its inputs: the newest load
    time it has already taken in (max of `watermark_column` in the model's own table) minus
    the var incremental_lookback_hours, so that a file delivered late with an older load time
    is still picked up. Use only inside `if is_incremental()`.
#}
{% macro incremental_since(watermark_column) -%}
    (
        select {{ dbt.dateadd('hour', -1 * var('incremental_lookback_hours'), 'max(' ~ watermark_column ~ ')') }}
        from {{ this }}
    )
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
