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
