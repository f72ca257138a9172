{#
    Deduplication in two steps, shared by every base model.

    rank_copies: numbers the copies of the same delivered row (same `partition_by` values)
    among the valid rows, first delivered first (`order_by`); a quarantined row gets none (it
    is no copy of anything: its key may be missing, and its fate is its reason).

    assign_row_fate: gives every raw row exactly one fate, so that raw rows =
    staged + quarantined + duplicate + superseded holds by construction:
      quarantined  reject_reason is set (the row goes to audit_quarantine);
      duplicate    a later copy of a row already delivered;
      staged       the row staging keeps: for versioned sources the latest version of its
                   entity by `version_order_by`, otherwise every first copy;
      superseded   an older version of a versioned entity (history, not an error).
    Versions are ranked among first copies only, so copies can never tie with their original.
#}
{% macro rank_copies(relation, partition_by, order_by) -%}
    select
        *,
        case
            when reject_reason is null
                then row_number() over (
                    partition by (reject_reason is null), {{ partition_by | join(', ') }}
                    order by {{ order_by }}
                )
        end as copy_rank
    from {{ relation }}
{%- endmacro %}

{% macro assign_row_fate(relation, entity_key=none, version_order_by=none) -%}
    select
        *,
        case
            when reject_reason is not null then 'quarantined'
            when copy_rank > 1 then 'duplicate'
            {%- if version_order_by is not none %}
            when row_number() over (
                partition by (reject_reason is null), copy_rank, {{ entity_key }}
                order by {{ version_order_by }}
            ) = 1 then 'staged'
            else 'superseded'
            {%- else %}
            else 'staged'
            {%- endif %}
        end as row_fate
    from {{ relation }}
{%- endmacro %}
