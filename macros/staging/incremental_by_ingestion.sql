{#
    Base models are incremental by ingestion: a run types and validates only the raw rows of
    ingestions newer than the newest it holds, and settles the fates again only where new rows
    can change them. A stored row's fate can change only
      - when a new row falls in its copy group (same copy_key): a late file can bring an
        earlier copy, and every copy is numbered again; or
      - when it is the staged version of an entity (entity_key) that gets a new row: a newer
        version supersedes it;
      - when a new row repeats the staged version of its entity with other content: every copy
        of that version is quarantined (conflicting_duplicate), and the entity's best remaining
        version, superseded until then, becomes the staged one.
      - when it fails a check against the other rows of its entity (context_reason of
        assign_row_fate, keyed by related_key): a new row of that entity, or a new copy that
        takes back one of its rows, can make the check pass or fail.
    Otherwise a superseded row stays superseded and a duplicate stays a duplicate whatever else
    arrives, and a quarantined row's reason is its own. So the model re-ranks the new rows
    together with the stored rows of the copy groups they touch, of the copy group of each
    touched entity's staged row, and of every version of an entity whose staged row a new row
    repeats, and of every row of a related entity (related_key) that a new row or a touched
    copy group names, and replaces those copy groups whole (delete+insert on copy_key).
    Rows with a null key are quarantined (missing key) and keep their fate alone.
#}

{#- the source's rows with their file's late arrival time (landing.ingested_files); on an
    incremental run only those of newer ingestions -#}
{% macro raw_rows_since_last_ingestion(source_relation) -%}
    select
        raw_rows.*,
        ingested_files.late_arrival_at as _late_arrival_at
    from {{ source_relation }} as raw_rows
    left join {{ source('landing', 'ingested_files') }} as ingested_files
        on raw_rows._ingestion_id = ingested_files.ingestion_id
    {%- if is_incremental() %}
    where raw_rows._ingestion_id > (select coalesce(max(ingestion_id), 0) from {{ this }})
    {%- endif %}
{%- endmacro %}

{#- when the warehouse learnt the row: the load time its file claims or, for a file that arrived
    late, the warehouse's data clock at its arrival when that is later; null when the claimed
    load time cannot be read (the row is then quarantined) -#}
{% macro known_load_time(column) -%}
    case
        when {{ parse_timestamp_utc(column) }} is not null
            then greatest({{ parse_timestamp_utc(column) }}, cast(_late_arrival_at as {{ dbt.type_timestamp() }}))
    end
{%- endmacro %}

{#- the validated new rows and, on an incremental run, the stored rows whose fate they can change -#}
{% macro with_stored_rows_of_touched_units(relation, copy_key, entity_key=none, related_key=none) -%}
    {%- if is_incremental() -%}
        {%- set columns = [] -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- if column.name | lower not in (
                'payload_hash', 'copy_rank', 'is_conflicting_copy', 'context_reason', 'row_fate', 'quarantine_reason',
            ) -%}
                {%- do columns.append(adapter.quote(column.name)) -%}
            {%- endif -%}
        {%- endfor %}
    select {{ columns | join(', ') }} from {{ relation }}
    union all
    select {% for column in columns %}stored.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ this }} as stored
    inner join (
        select distinct {{ copy_key | join(', ') }}
        from (
            select {{ copy_key | join(', ') }} from {{ relation }}
            {%- if entity_key is not none %}
            union all
            select {% for column in copy_key %}staged.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
            from {{ this }} as staged
            inner join (select distinct {{ entity_key }} from {{ relation }}) as touched_entities
                on staged.{{ entity_key }} = touched_entities.{{ entity_key }}
            where staged.row_fate = 'staged'
            union all
            {# every stored version of an entity whose staged row a new row repeats: if the
               repeat contradicts it, the version before becomes the staged one #}
            select {% for column in copy_key %}versions.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
            from {{ this }} as versions
            inner join (
                select distinct repeated.{{ entity_key }}
                from {{ this }} as repeated
                inner join {{ relation }} as repeats
                    on
                        {%- for column in copy_key %}
                        repeated.{{ column }} = repeats.{{ column }}{% if not loop.last %} and{% endif %}
                        {%- endfor %}
                where repeated.row_fate = 'staged'
            ) as contested
                on versions.{{ entity_key }} = contested.{{ entity_key }}
            {%- endif %}
            {%- if related_key is not none %}
            union all
            {# every stored row of an entity that a new row names, or that a stored row names
               whose copy group a new row joins: checks across the entity's rows run again #}
            select {% for column in copy_key %}related.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
            from {{ this }} as related
            inner join (
                select {{ related_key }} from {{ relation }}
                union
                select grouped.{{ related_key }}
                from {{ this }} as grouped
                inner join {{ relation }} as joining
                    on
                        {%- for column in copy_key %}
                        grouped.{{ column }} = joining.{{ column }}{% if not loop.last %} and{% endif %}
                        {%- endfor %}
            ) as touched_entities
                on related.{{ related_key }} = touched_entities.{{ related_key }}
            {%- endif %}
        ) as touched_keys
    ) as touched
        on
            {%- for column in copy_key %}
            stored.{{ column }} = touched.{{ column }}{% if not loop.last %} and{% endif %}
            {%- endfor %}
    {%- else %}
    select * from {{ relation }}
    {%- endif %}
{%- endmacro %}
