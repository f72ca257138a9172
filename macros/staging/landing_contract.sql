{#
    SQL listing the contract problems of the files of a landing source, one row per
    (source_file, column_name, problem, severity). Used by the generic test
    landing_columns_match_contract, which documents the arguments.

    CSV sources are read by position (explicit columns, no sniffing: sniffing every daily file
    is orders of magnitude slower), so the header of every file (base_landing__csv_headers)
    is checked against the contract first: position by position, a column must carry its contract name or a rename
    declared in the var landing_column_renames; columns after the contract's last one are
    appended columns. JSON sources are read by key, so a missing key shows as a required
    column without any value in a file.
#}
{% macro landing_contract_problems_sql(model, source_name, table_name, allow_appended_columns, file_format) -%}
    {%- if not execute -%}
        {#- the graph is only there at run time; at parse time any SQL of the right shape will do -#}
        {{ return("select 'file' as source_file, 'column' as column_name, "
            ~ "'problem' as problem, 'error' as severity") }}
    {%- endif -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set contract = [] -%}
    {%- set required = [] -%}
    {%- for column in node.columns.values() if column.name not in ('filename', '_ingestion_id') -%}
        {%- do contract.append(column.name) -%}
        {%- if not column.meta.get('optional', false) -%}{%- do required.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
    {%- set renames = var('landing_column_renames', {}).get(table_name, {}) -%}
    {%- if file_format == 'csv' %}
    with

    headers as (

        select
            source_file,
            header
        from {{ ref('base_landing__csv_headers') }}
        where source_name = '{{ source_name }}' and source_table = '{{ table_name }}'

    ),

    problems as (

        {%- for column in contract %}
        {%- set aliases = renames | dictsort | selectattr(1, 'equalto', column) | map(attribute=0) | list %}
        select
            source_file,
            '{{ column }}' as column_name,
            case
                when {{ array_element('header', loop.index) }} is null then 'missing_column'
                {%- if aliases %}
                when {{ array_element('header', loop.index) }} in ({{ string_literals(aliases) }})
                    then 'renamed_column: ' || {{ array_element('header', loop.index) }} || ' -> {{ column }}'
                {%- endif %}
                else 'unexpected_column: found ' || {{ array_element('header', loop.index) }} || ' where {{ column }} belongs'
            end as problem,
            {%- if aliases %}
            case when {{ array_element('header', loop.index) }} in ({{ string_literals(aliases) }}) then 'warn' else 'error' end
            {%- else %}
            'error'
            {%- endif %} as severity
        from headers
        where {{ array_element('header', loop.index) }} is distinct from '{{ column }}'
        union all
        {%- endfor %}
        select
            source_file,
            {{ array_tail_joined('header', contract | length + 1) }} as column_name,
            'appended_columns' as problem,
            '{{ 'warn' if allow_appended_columns else 'error' }}' as severity
        from headers
        where {{ array_size('header') }} > {{ contract | length }}

    )

    select * from problems
    {%- else %}
    with

    per_file as (

        select
            {%- for column in required %}
            count({{ column }}) as {{ adapter.quote('n__' ~ column) }},
            {%- endfor %}
            filename as source_file
        from {{ model }}
        group by filename

    ),

    problems as (

        {%- for column in required %}
        select
            source_file,
            '{{ column }}' as column_name,
            'missing_column' as problem,
            'error' as severity
        from per_file
        where {{ adapter.quote('n__' ~ column) }} = 0
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}

    )

    select * from problems
    {%- endif %}
{%- endmacro %}
