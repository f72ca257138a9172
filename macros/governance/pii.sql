{#
    Personal data is classified once, where it enters: a source column's `meta: {pii: <class>}`
    (email, phone or name). The masking of the marts and of the published raw values, and the
    PII test, all read the classification from here.
#}
{% macro pii_columns(source_name, table_name) -%}
    {%- set classified = {} -%}
    {%- if execute -%}
        {#- (a unit test's graph has no sources: its inputs are given rows, nothing to mask) #}
        {%- for node in graph.get('sources', {}).values()
            if node.source_name == source_name and node.name == table_name -%}
            {%- for column_name, column in node.columns.items() -%}
                {%- set pii_class = column.meta.get('pii') or column.get('config', {}).get('meta', {}).get('pii') -%}
                {%- if pii_class -%}
                    {%- do classified.update({column_name: pii_class}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(classified) }}
{%- endmacro %}

{#
    Every classified column of every source: a list of (source_name, table_name, column, class).
#}
{% macro pii_classification() -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for node in graph.get('sources', {}).values() | sort(attribute='unique_id') -%}
            {%- for column_name, pii_class in pii_columns(node.source_name, node.name).items() | sort -%}
                {%- do found.append((node.source_name, node.name, column_name, pii_class)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{#
    A readable mask of a personal value, by class: an email keeps its first character and its
    domain (p***@example.com), a phone its last four digits (***5170), a name its initial (A***).
    Null stays null; what cannot be masked safely (an "email" without @, a phone of four
    characters or fewer) becomes ***.
#}
{% macro mask_pii(expression, pii_class) -%}
    {%- if pii_class == 'email' -%}
        case
            when {{ expression }} is null then null
            when {{ expression }} like '%_@%' then {{ dbt.concat([
                "left(" ~ expression ~ ", 1)", "'***@'", dbt.split_part(expression, "'@'", -1)]) }}
            else '***'
        end
    {%- elif pii_class == 'phone' -%}
        case
            when {{ expression }} is null then null
            when {{ dbt.length(expression) }} > 4 then {{ dbt.concat(["'***'", dbt.right(expression, 4)]) }}
            else '***'
        end
    {%- elif pii_class == 'name' -%}
        case
            when {{ expression }} is null then null
            when {{ dbt.length(expression) }} > 1 then {{ dbt.concat(["left(" ~ expression ~ ", 1)", "'***'"]) }}
            else '***'
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "mask_pii: unknown PII class '" ~ pii_class ~ "' of " ~ expression ~ " (known: email, phone, name)") }}
    {%- endif -%}
{%- endmacro %}

{#
    The column of a base model whose raw values readers may see: raw_values_masked when the
    source table has classified personal columns, raw_values otherwise (nothing to mask). A
    newly classified column makes the audit models ask for raw_values_masked in its base model.
#}
{% macro readers_raw_values(source_name, table_name) -%}
    {{ return('raw_values_masked' if pii_columns(source_name, table_name) else 'raw_values') }}
{%- endmacro %}
