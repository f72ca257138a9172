{#
    Checks the columns of every file of a landing source against its contract.

    Arguments:
      table_name        the source table, to look up its declared renames in the var
                        landing_column_renames;
      required_columns  columns that must have values in every file;
      optional_columns  columns that may be empty or absent;
      report            'missing' (default): one failing row per file and required column that
                        has no value in that file, even after the declared renames: the
                        column was dropped or renamed without notice, and the build must stop;
                        'drift': one row per file that uses a declared rename or carries a
                        column outside the contract; the build absorbs these, the test
                        reports them (run it with severity warn).

    A landing reader with union_by_name gives a column that is absent from a file as null in
    that file's rows, so "no value in the file" is how an absent column shows.
#}
{% test landing_columns_match_contract(model, table_name, required_columns, optional_columns=[], report='missing') %}

{%- set present = landing_columns(model) | reject('equalto', 'filename') | list -%}
{%- set renames = var('landing_column_renames', {}).get(table_name, {}) -%}
{%- set known = required_columns + optional_columns -%}

with

per_file as (

    select
        filename as source_file,
        {%- for column in present %}
        count({{ adapter.quote(column) }}) as {{ adapter.quote('n__' ~ column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    group by 1

),

problems as (

    {%- if report == 'missing' %}
    {%- for column in required_columns %}
    {%- set names = [column] %}
    {%- for old_name, new_name in renames.items() %}
        {%- if new_name == column %}{%- do names.append(old_name) %}{%- endif %}
    {%- endfor %}
    {%- set counted = [] %}
    {%- for name in names %}
        {%- if name in present %}{%- do counted.append(adapter.quote('n__' ~ name)) %}{%- endif %}
    {%- endfor %}
    select
        source_file,
        '{{ column }}' as column_name,
        'missing_required_column' as problem
    from per_file
    {%- if counted | length > 0 %}
    where {{ counted | join(' + ') }} = 0
    {%- endif %}
    union all
    {%- endfor %}
    {%- else %}
    {%- for column in present if column not in known %}
    select
        source_file,
        '{{ column }}' as column_name,
        {%- if column in renames %}
        'renamed_column: {{ column }} -> {{ renames[column] }}' as problem
        {%- else %}
        'unexpected_column' as problem
        {%- endif %}
    from per_file
    where {{ adapter.quote('n__' ~ column) }} > 0
    union all
    {%- endfor %}
    {%- endif %}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as problem
    where 1 = 0

)

select * from problems

{% endtest %}
