{# Every value of the column contains a match of the regular expression (a search, not a full
   match: anchor it with ^ and $). flags are the engine's (DuckDB: i, c, m, s, ...); is_raw is
   accepted and ignored, as on these engines in the package. A null passes on DuckDB and Spark
   and fails on PostgreSQL, as in the package (see expectation_regex_found). #}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags='') %}
{{ expectation_violations(
    model,
    expectation_regex_found(column_name, regex, flags),
    row_condition=row_condition
) }}
{% endtest %}
