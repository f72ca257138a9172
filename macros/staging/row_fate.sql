{#
    Deduplication in two steps, shared by every base model.

    rank_copies: numbers the copies of the same delivered row (same `partition_by` values)
    among the valid rows, first delivered first (`order_by`, then raw_row_key, so that identical
    lines rank the same in every rebuild and on every engine); a quarantined row gets none (it
    is no copy of anything: its key may be missing, and its fate is its reason). Copies whose
    `payload` (the typed business columns, not the delivery's metadata) differ are in
    conflict: the source said two things of one key and version, and no sort order may pick
    one. Every copy of such a key is flagged (is_conflicting_copy).

    assign_row_fate: gives every raw row exactly one fate, so that raw rows =
    staged + quarantined + duplicate + superseded holds by construction:
      quarantined  reject_reason is set, the row is a conflicting copy, or the first copy of
                   a row fails a check against the other rows of its entity (`context_reason`,
                   such as a CDC update of a customer the feed never created);
                   quarantine_reason says which and the row goes to audit_quarantine;
      duplicate    a later copy of a row already delivered, with the same payload;
      staged       the row staging keeps: for versioned sources the latest version of its
                   entity by `version_order_by`, otherwise every first copy;
      superseded   an older version of a versioned entity (history, not an error).
    Versions are ranked among first copies of keys without conflict only, so copies can never
    tie with their original and a conflicting version never becomes the current one.
#}
{% macro rank_copies(relation, partition_by, order_by, payload) -%}
    select
        *,
        case
            when reject_reason is null
                then row_number() over (
                    partition by (reject_reason is null), {{ partition_by | join(', ') }}
                    order by {{ order_by }}, raw_row_key
                )
        end as copy_rank,
        coalesce(
            reject_reason is null
            and min(payload_hash) over (
                partition by (reject_reason is null), {{ partition_by | join(', ') }}
            ) != max(payload_hash) over (
                partition by (reject_reason is null), {{ partition_by | join(', ') }}
            ),
            false
        ) as is_conflicting_copy
    from (
        select
            *,
            {{ generate_surrogate_key(payload) }} as payload_hash
        from {{ relation }}
    ) as hashed
{%- endmacro %}

{% macro assign_row_fate(relation, entity_key=none, version_order_by=none, context_reason=none) -%}
    {%- set candidate = '(reject_reason is null and not is_conflicting_copy' ~ (
        ' and ' ~ context_reason ~ ' is null' if context_reason else '') ~ ')' -%}
    select
        *,
        case
            when reject_reason is not null then 'quarantined'
            when is_conflicting_copy then 'quarantined'
            when copy_rank > 1 then 'duplicate'
            {%- if context_reason %}
            when {{ context_reason }} is not null then 'quarantined'
            {%- endif %}
            {%- if version_order_by is not none %}
            when row_number() over (
                partition by {{ candidate }}, copy_rank, {{ entity_key }}
                order by {{ version_order_by }}
            ) = 1 then 'staged'
            else 'superseded'
            {%- else %}
            else 'staged'
            {%- endif %}
        end as row_fate,
        coalesce(
            reject_reason,
            case when is_conflicting_copy then 'conflicting_duplicate' end
            {%- if context_reason %},
            case when copy_rank = 1 then {{ context_reason }} end
            {%- endif %}
        ) as quarantine_reason
    from {{ relation }}
{%- endmacro %}
