{#
    Tables keep dbt's names (the node name, `<name>_v<version>` for a versioned model). A data
    test's stored failures get a name a person can read and query, instead of dbt's truncated
    name with an md5 (dbt shortens any generated test name of 64 characters or more):
      <model or source__table>[__<column>]__<test>
    e.g. test_failures.fct_orders__customer_key__not_null. A test with a `name:` of its own,
    a singular test and an `alias` config keep theirs. A name longer than PostgreSQL's 63
    characters stops the parse, asking for a shorter `name:`.
#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {#- dbt itself sets a long generic test's alias: its name cut to 30 characters and an md5 -#}
    {%- set hashed_by_dbt = custom_alias_name and node.resource_type == 'test'
        and modules.re.fullmatch('.{1,30}_[0-9a-f]{32}', custom_alias_name)
        and node.name.startswith(custom_alias_name[:-33]) -%}
    {%- if custom_alias_name and not hashed_by_dbt -%}
        {{ custom_alias_name | trim }}
    {%- elif node.resource_type == 'test' -%}
        {{ test_failures_table_name(node) }}
    {%- elif node.version -%}
        {{ node.name ~ '_v' ~ (node.version | replace('.', '_')) }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}

{#- the failures table of a data test (see generate_alias_name) -#}
{% macro test_failures_table_name(node) -%}
    {%- set short_test_names = {
        'expect_column_values_to_be_between': 'range',
        'expect_column_values_to_be_in_set': 'in_set',
        'expect_column_values_to_not_be_null': 'not_null_where',
        'expect_column_values_to_match_regex': 'regex',
        'expect_column_values_to_be_of_type': 'of_type',
        'expect_column_mean_to_be_between': 'mean_range',
        'expect_column_proportion_of_unique_values_to_be_between': 'unique_share',
        'expect_column_null_rate_to_be_below': 'null_rate',
        'expect_column_pair_values_a_to_be_greater_than_b': 'greater_than',
        'expect_compound_columns_to_be_unique': 'compound_unique',
        'expect_table_row_count_to_be_between': 'row_count',
        'expect_table_columns_to_match_set': 'columns',
        'expect_row_values_to_have_recent_data': 'recent_data',
        'expect_daily_metric_within_zscore': 'zscore',
        'expression_is_true': 'is_true',
        'accepted_values': 'accepted',
    } -%}
    {%- set metadata = node.test_metadata if node.resource_type == 'test' and node.test_metadata is defined else none -%}
    {#- dbt's own name for a generic test starts with the test's name -#}
    {%- set named_by_dbt = metadata is not none and (
        node.name.startswith(metadata.name ~ '_')
        or node.name.startswith('source_' ~ metadata.name ~ '_')
    ) -%}
    {%- if not named_by_dbt -%}
        {%- set table_name = node.name -%}
    {%- else -%}
        {%- set model = metadata.kwargs.get('model', '') -%}
        {%- if "ref(" in model -%}
            {%- set tested = model.split("ref(")[1].split(")")[0].split(",")[-1] -%}
        {%- elif "source(" in model -%}
            {%- set tested = model.split("source(")[1].split(")")[0].replace(",", "__") -%}
        {%- else -%}
            {%- set tested = model -%}
        {%- endif -%}
        {%- set parts = [tested.replace("'", "").replace('"', '').replace(' ', '')] -%}
        {%- if metadata.kwargs.get('column_name') -%}
            {%- do parts.append(metadata.kwargs.get('column_name')) -%}
        {%- endif -%}
        {%- do parts.append(short_test_names.get(metadata.name | lower, metadata.name)) -%}
        {%- set table_name = modules.re.sub('[^0-9a-z_]+', '_', parts | join('__') | lower) -%}
    {%- endif -%}
    {%- if table_name | length > 63 -%}
        {{ exceptions.raise_compiler_error(
            "The failures table of test " ~ node.unique_id ~ " would be named " ~ table_name
            ~ " (" ~ (table_name | length) ~ " characters); PostgreSQL keeps 63. Give the test a "
            ~ "shorter `name:` in its YAML."
        ) }}
    {%- endif -%}
    {{ table_name }}
{%- endmacro %}
