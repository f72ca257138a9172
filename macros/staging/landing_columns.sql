{#
    The lower-cased column names of a relation (a landing source), read at run time. The var
    introspect_landing=false (set by the sqlfluff config) skips the query, for compiling
    without landing files.
#}
{% macro landing_columns(relation) -%}
    {%- if not execute or not var('introspect_landing', true) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set described = run_query('select * from ' ~ relation ~ ' limit 0') -%}
    {{ return(described.column_names | map('lower') | list) }}
{%- endmacro %}

{#
    A contract column of a landing table, absorbing the renames declared in the var
    landing_column_renames: {table: {name in some files: contract name}}. With union_by_name
    readers, a renamed column arrives as a second column that is null in every other file, so
    the value is the coalesce of the names present. Undeclared renames are not guessed: the
    landing_columns_match_contract test stops the build and names the file and the column.
#}
{% macro landing_column(relation, table_name, column) -%}
    {%- set names = [column] -%}
    {%- for old_name, new_name in var('landing_column_renames', {}).get(table_name, {}).items() -%}
        {%- if new_name == column -%}{%- do names.append(old_name) -%}{%- endif -%}
    {%- endfor -%}
    {%- if names | length == 1 -%}
        {{ column }}
    {%- else -%}
        {%- set present = landing_columns(relation) -%}
        {%- set used = [] -%}
        {%- for name in names -%}
            {%- if name in present or not (execute and var('introspect_landing', true)) -%}
                {%- do used.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if used | length == 1 -%}
            {{ used[0] }}
        {%- else -%}
            coalesce({{ used | join(', ') }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    The raw columns of a landing source to keep in a row's raw_values: the contract columns,
    then any other column some file brought (renamed or added), so a quarantined row keeps
    everything its file delivered.
#}
{% macro landing_raw_columns(relation, contract_columns) -%}
    {%- set columns = contract_columns | list -%}
    {%- for column in landing_columns(relation) -%}
        {%- if column not in columns and column != 'filename' -%}{%- do columns.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
