{#
    SQL listing the contract problems of a landing source's files, one row per
    (source_file, column_name, problem). Used by the generic test
    landing_columns_match_contract, which documents the arguments.
#}
{% macro landing_contract_problems_sql(model, table_name, required_columns, optional_columns, report) -%}
    {%- set present = landing_columns(model) | reject('equalto', 'filename') | list -%}
    {%- set renames = var('landing_column_renames', {}).get(table_name, {}) -%}
    {%- set known = required_columns + optional_columns -%}
    {%- set checks = [] -%}
    {%- if report == 'missing' -%}
        {%- for column in required_columns -%}
            {%- set counted = [] -%}
            {%- for name in [column] + (renames | dictsort | selectattr(1, 'equalto', column) | map(attribute=0) | list) -%}
                {%- if name in present -%}{%- do counted.append(adapter.quote('n__' ~ name)) -%}{%- endif -%}
            {%- endfor -%}
            {%- do checks.append((column, "'missing_required_column'",
                (counted | join(' + ') ~ ' = 0') if counted else 'true')) -%}
        {%- endfor -%}
    {%- elif report == 'drift' -%}
        {%- for column in present if column not in known -%}
            {%- set problem = ("'renamed_column: " ~ column ~ " -> " ~ renames[column] ~ "'")
                if column in renames else "'unexpected_column'" -%}
            {%- do checks.append((column, problem, adapter.quote('n__' ~ column) ~ ' > 0')) -%}
        {%- endfor -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("report must be 'missing' or 'drift', got " ~ report) }}
    {%- endif -%}

    with

    per_file as (

        select
            {%- for column in present %}
            count({{ adapter.quote(column) }}) as {{ adapter.quote('n__' ~ column) }},
            {%- endfor %}
            filename as source_file
        from {{ model }}
        group by filename

    ),

    problems as (

        {%- for column, problem, condition in checks %}
        select
            source_file,
            '{{ column }}' as column_name,
            {{ problem }} as problem
        from per_file
        where {{ condition }}
        union all
        {%- endfor %}
        select
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(null as {{ dbt.type_string() }}) as problem
        from per_file
        where 1 = 0

    )

    select * from problems
{%- endmacro %}
