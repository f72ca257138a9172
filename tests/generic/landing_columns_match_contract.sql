{#
    Checks the columns of every file of a landing source against its contract.

    Arguments:
      table_name        the source table, to look up its declared renames in the var
                        landing_column_renames;
      required_columns  columns that must have values in every file;
      optional_columns  columns that may be empty or absent;
      report            'missing' (default): a required column without a value in some file,
                        even after the declared renames, means the column was dropped or
                        renamed without notice. The test then stops with an error naming the
                        files and the columns (and the build skips everything downstream);
                        'drift': one row per file that uses a declared rename or carries a
                        column outside the contract; the build absorbs these, the test reports
                        them (run it with severity warn).

    A landing reader with union_by_name gives a column that is absent from a file as null in
    that file's rows, so "no value in the file" is how an absent column shows.
#}
{% test landing_columns_match_contract(model, table_name, required_columns, optional_columns=[], report='missing') %}

{%- set problems_sql = landing_contract_problems_sql(
    model, table_name, required_columns, optional_columns, report) -%}

{%- if execute and report == 'missing' and var('introspect_landing', true) -%}
    {%- set found = run_query(problems_sql ~ ' limit 20') -%}
    {%- if found.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in found.rows -%}
            {%- do lines.append(row[0] ~ ': column ' ~ row[1] ~ ' has no value (' ~ row[2] ~ ')') -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Landing files break the column contract of source table '" ~ table_name ~ "':\n  "
            ~ lines | join("\n  ")
            ~ "\nIf the column was renamed, declare it in the var landing_column_renames; "
            ~ "otherwise fix the files.") }}
    {%- endif -%}
{%- endif -%}

{{ problems_sql }}

{% endtest %}
