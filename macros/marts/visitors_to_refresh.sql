{#
    The visitors an incremental run of a visitor-partitioned model rebuilds, as replace units
    (incremental_replace_unit of the visitor's bucket): visitors with newly ingested events, and
    visitors of customers whose history changed (a late CDC event can change which customer
    version was valid at an event). Reads the CTEs `identity_map` and `customer_changes` of the
    calling model.
    events: the CTE of the model's web events; watermark_column: the model's column holding the
    newest ingestion it has taken.
#}
{% macro visitors_to_refresh(events, watermark_column) -%}
    select {{ incremental_replace_unit(events ~ '.anonymous_id', visitor_bucket(events ~ '.anonymous_id')) }} as unit
    from {{ events }}
    where {{ events }}.ingestion_id > {{ incremental_watermark(watermark_column) }}
    union
    select {{ incremental_replace_unit('identity_map.anonymous_id', visitor_bucket('identity_map.anonymous_id')) }} as unit
    from identity_map
    inner join customer_changes
        on identity_map.customer_id = customer_changes.customer_id
    where customer_changes.ingestion_id > {{ incremental_watermark(watermark_column) }}
{%- endmacro %}
