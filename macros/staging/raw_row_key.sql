{#
    The key of a delivered raw row: the ingestion that brought it, what it held (its raw values)
    and which copy of that content within the ingestion it is, since a file may deliver the same
    line twice. Copies with the same content are interchangeable, so numbering them in any order
    gives the same set of keys: the key is the same in every rebuild. Computed on the new rows of
    a run only; an ingestion is always staged whole in one run.
#}
{% macro raw_row_key(ingestion_id='ingestion_id', raw_values='raw_values') -%}
    {{ generate_surrogate_key([
        ingestion_id,
        raw_values,
        'row_number() over (partition by ' ~ ingestion_id ~ ', ' ~ raw_values ~ ' order by ' ~ raw_values ~ ')',
    ]) }}
{%- endmacro %}
