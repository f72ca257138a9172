{#
    Checks the columns of every file of a landing source against its contract: the columns
    declared for the source table in its YAML (a column with meta optional: true may be empty).

    Where it goes: for a JSON source, on the source itself (file_format json: every required
    key must have a value in every file); for a CSV source, on the model
    base_landing__csv_headers (file_format csv: every file's header is compared with the
    contract position by position). The CSV base models depend on that model, so a breach
    found there skips every model that would read the files.

    Arguments:
      source_name, table_name  the source table (the test reads its contract from the graph);
      file_format              'csv' or 'json' (default), as above;
      allow_appended_columns   whether columns after the contract's last one are absorbed
                               (reported as drift) or a contract breach (default false);
      report                   'missing' (default): the breaches, i.e. a contract column that is
                               missing, or holds another column than its own or a declared rename
                               (var landing_column_renames), or an appended column that is not
                               allowed. The test then stops with an error naming the files and
                               the columns, and the build skips everything that reads the source:
                               no model ever reads a file whose columns would land in the wrong
                               place or as a silent null column.
                               'drift': what the build absorbs but someone should know of:
                               declared renames and allowed appended columns (severity warn).
#}
{% test landing_columns_match_contract(model, source_name, table_name, file_format='json', allow_appended_columns=false, report='missing') %}

{%- if report not in ('missing', 'drift') -%}
    {{ exceptions.raise_compiler_error("report must be 'missing' or 'drift', got " ~ report) }}
{%- endif -%}
{%- set problems_sql = landing_contract_problems_sql(
    model, source_name, table_name, allow_appended_columns, file_format) -%}
{%- set severity = 'error' if report == 'missing' else 'warn' -%}

{%- if execute and report == 'missing' -%}
    {%- set found = run_query(
        "select source_file, column_name, problem from (" ~ problems_sql ~ ") as problems "
        ~ "where severity = 'error' order by 1, 2 limit 20") -%}
    {%- if found.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in found.rows -%}
            {%- do lines.append(row[0] ~ ': column ' ~ row[1] ~ ' (' ~ row[2] ~ ')') -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Landing files break the column contract of source " ~ source_name ~ "." ~ table_name ~ ":\n  "
            ~ lines | join("\n  ")
            ~ "\nIf a column was renamed, declare it in the var landing_column_renames; "
            ~ "otherwise fix the files.") }}
    {%- endif -%}
{%- endif -%}

select source_file, column_name, problem
from ({{ problems_sql }}) as problems
where severity = '{{ severity }}'

{% endtest %}
