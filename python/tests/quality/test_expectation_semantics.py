"""The expectation-style generic tests give dbt-expectations 0.10.9's answer (expression_is_true:
dbt_utils 1.x's) on every edge: NULLs, empty tables, groups, `row_condition` with `or`,
`strictly`, one bound only, quoting, regex flags, `ignore_row_if`, mixed-case names and values
with quotes.

Each case below is one test on one fixture table with the status and failing-row count the
package gives, obtained by running these very cases against the real packages
(SHOP_EXPECTATIONS_PACKAGES=<dir with dbt_expectations, dbt_date, dbt_utils>, see
python/testsupport/expectation_lab.py). Where this project deliberately differs, `package=` says what the package
does and `note=` why; docs/data-quality.md ("Expectation tests") lists the same differences.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testsupport.expectation_lab import Case, Lab

MODELS = {
    # six rows in three groups; a NULL in most columns, a value with a quote, a newline
    "lab_values": """
        select *
        from (
            values
            (1, 'g1', 5, 2.5, 'paid', 'abc-123', 'Alpha', 3, 1),
            (2, 'g1', 10, 7.5, 'shipped', 'ABC-456', 'beta', 5, 5),
            (3, 'g1', null, 1.0, null, null, null, 2, 4),
            (4, 'g2', 0, null, 'o''brien', 'xyz', 'Gamma', null, 1),
            (5, 'g2', 20, 4.0, 'lost', 'line1' || chr(10) || 'abc-1', 'delta', 7, null),
            (6, 'g3', 15, 3.0, 'paid', 'abc-999', 'Eps', 1, 1)
        ) as t (id, grp, num, amount, status, code, "MixedCase", a_val, b_val)
    """,
    "lab_empty": "select * from {{ ref('lab_values') }} where false",
    "lab_all_null": """
        select id, grp, cast(null as integer) as num, cast(null as varchar) as status
        from {{ ref('lab_values') }}
    """,
    # duplicates with and without NULLs, case-different values, a column name with a blank
    "lab_keys": """
        select *
        from (
            values
            (1, 'a', 'x', 'p'),
            (2, 'a', 'x', 'p'),
            (3, 'a', null, 'q'),
            (4, 'a', null, 'r'),
            (5, null, null, 's'),
            (6, null, null, 's'),
            (7, 'b', 'y', 't'),
            (8, 'B', 'y', 't')
        ) as t (id, key_a, key_b, "Key Col")
    """,
    # times around now (UTC): old, recent (10 h and 1 h ago), in the future, missing
    "lab_times": """
        select *
        from (
            values
            (1, 'old', cast(now() as timestamp) - interval 3 day),
            (2, 'recent_10h', cast(now() as timestamp) - interval 10 hour),
            (3, 'recent_1h', cast(now() as timestamp) - interval 1 hour),
            (4, 'future', cast(now() as timestamp) + interval 10 day),
            (5, 'missing', null)
        ) as t (id, kind, seen_at)
    """,
}

OR_G1_G3 = "grp = 'g1' or grp = 'g3'"
ALL_COLUMNS = ["id", "grp", "num", "amount", "status", "code", "MixedCase", "a_val", "b_val"]
BRACKETS = ("row_condition is bracketed here; the package inserts it as is before `and`, so an "
            "`or` in it lets rows escape the package's own filter")

CASES = [
    # -- expect_column_values_to_be_between: a NULL passes (NULL >= min is not false)
    Case("between_nulls_pass", "expect_column_values_to_be_between", "lab_values",
         {"min_value": 0, "max_value": 20}, "pass", column="num"),
    Case("between_below_min", "expect_column_values_to_be_between", "lab_values",
         {"min_value": 1, "max_value": 20}, "fail", 1, column="num"),
    Case("between_strictly", "expect_column_values_to_be_between", "lab_values",
         {"min_value": 0, "max_value": 20, "strictly": True}, "fail", 2, column="num"),
    Case("between_min_only", "expect_column_values_to_be_between", "lab_values",
         {"min_value": 10}, "fail", 2, column="num"),
    Case("between_max_only", "expect_column_values_to_be_between", "lab_values",
         {"max_value": 10}, "fail", 2, column="num"),
    Case("between_row_condition_or", "expect_column_values_to_be_between", "lab_values",
         {"min_value": 5, "max_value": 10, "row_condition": OR_G1_G3}, "fail", 1, column="num"),
    Case("between_all_null", "expect_column_values_to_be_between", "lab_all_null",
         {"min_value": 0, "max_value": 1}, "pass", column="num"),
    Case("between_empty", "expect_column_values_to_be_between", "lab_empty",
         {"min_value": 0, "max_value": 1}, "pass", column="num"),
    Case("between_no_bounds", "expect_column_values_to_be_between", "lab_values",
         {}, "parse error", column="num"),
    # -- expect_column_values_to_be_in_set: a NULL is not in the set, so it fails
    Case("in_set_null_fails", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": ["paid", "shipped", "lost", "o'brien"]}, "fail", 1, column="status",
         package="error: the quote in o'brien is pasted into the SQL unescaped",
         note="values are escaped, so a value may contain a quote"),
    Case("in_set_three_outside", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": ["paid", "shipped"]}, "fail", 3, column="status"),
    Case("in_set_row_condition_or", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": ["paid", "shipped"], "row_condition": "grp = 'g1' or id = 6"}, "fail", 1,
         column="status"),
    Case("in_set_unquoted_numbers", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": [0, 5, 10, 15, 20], "quote_values": False}, "fail", 1, column="num"),
    Case("in_set_quoted_numbers", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": ["5", "10", "0", "20", "15"]}, "fail", 1, column="num"),
    Case("in_set_mixed_case_column", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": ["Alpha", "beta"]}, "fail", 4, column="MixedCase"),
    Case("in_set_empty_set", "expect_column_values_to_be_in_set", "lab_values",
         {"value_set": []}, "fail", 6, column="status",
         package="error: an empty value_set renders invalid SQL", note="no value is in an empty set"),
    Case("in_set_empty", "expect_column_values_to_be_in_set", "lab_empty",
         {"value_set": ["paid"]}, "pass", column="status"),
    # -- expect_column_values_to_not_be_null
    Case("not_null_fails", "expect_column_values_to_not_be_null", "lab_values",
         {}, "fail", 1, column="num"),
    Case("not_null_row_condition_or_outside", "expect_column_values_to_not_be_null", "lab_values",
         {"row_condition": "grp = 'g2' or grp = 'g3'"}, "pass", column="num"),
    Case("not_null_row_condition_or_inside", "expect_column_values_to_not_be_null", "lab_values",
         {"row_condition": "grp = 'g1' or id = 6"}, "fail", 1, column="num"),
    Case("not_null_empty", "expect_column_values_to_not_be_null", "lab_empty",
         {}, "pass", column="num"),
    # -- expect_column_values_to_match_regex: DuckDB's regexp_matches (a search), its options
    #    as flags; a NULL passes
    Case("regex_anchored", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc-[0-9]+$"}, "fail", 3, column="code"),
    Case("regex_flag_i", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc-[0-9]+$", "flags": "i"}, "fail", 2, column="code"),
    Case("regex_flag_c", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc-[0-9]+$", "flags": "c"}, "fail", 3, column="code"),
    Case("regex_flag_m", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc-[0-9]+$", "flags": "m"}, "fail", 3, column="code"),
    Case("regex_flags_im", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc-[0-9]+$", "flags": "im"}, "fail", 2, column="code"),
    Case("regex_backslash_class", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^[a-z]+-\\d+$", "flags": "i"}, "fail", 2, column="code"),
    Case("regex_search_not_full", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "[0-9]"}, "fail", 1, column="code"),
    Case("regex_row_condition_or", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc-[0-9]+$", "row_condition": OR_G1_G3}, "fail", 1, column="code"),
    Case("regex_with_quote", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^o'b"}, "fail", 4, column="status",
         package="error: the quote is pasted into the SQL unescaped",
         note="the pattern is escaped, so it may contain a quote"),
    Case("regex_bad_flag", "expect_column_values_to_match_regex", "lab_values",
         {"regex": "^abc", "flags": "z"}, "error", column="code"),
    Case("regex_empty", "expect_column_values_to_match_regex", "lab_empty",
         {"regex": "^abc"}, "pass", column="code"),
    # -- expect_compound_columns_to_be_unique: one failing row per duplicated combination
    Case("compound_default_ignores_all_missing", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["key_a", "key_b"]}, "fail", 2),
    Case("compound_any_value_missing", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["key_a", "key_b"], "ignore_row_if": "any_value_is_missing"}, "fail", 1),
    Case("compound_row_condition_or", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["key_a", "key_b"], "row_condition": "id < 3 or id > 6"}, "fail", 1),
    Case("compound_row_condition_or_all_missing", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["key_a", "key_b"], "row_condition": "id >= 5 or id = 1"}, "pass",
         package="fail 1: rows 5 and 6 (all values missing) pass through the `or`", note=BRACKETS),
    Case("compound_quote_columns", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["Key Col", "key_a"], "quote_columns": True}, "fail", 2),
    Case("compound_unquoted_blank_name", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["Key Col", "key_a"]}, "error"),
    Case("compound_mixed_case_names", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["KEY_A", "Key_B"]}, "fail", 2),
    Case("compound_mixed_case_quoted", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["KEY_A", "key_b"], "quote_columns": True}, "fail", 2),
    Case("compound_case_sensitive_values", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["key_b", "Key Col"], "quote_columns": True}, "fail", 3),
    Case("compound_bad_ignore_row_if", "expect_compound_columns_to_be_unique", "lab_keys",
         {"column_list": ["key_a"], "ignore_row_if": "never"}, "parse error"),
    Case("compound_empty", "expect_compound_columns_to_be_unique", "lab_empty",
         {"column_list": ["grp", "status"]}, "pass"),
    # -- expect_column_pair_values_A_to_be_greater_than_B: a NULL on either side passes
    Case("pair_strict", "expect_column_pair_values_A_to_be_greater_than_B", "lab_values",
         {"column_A": "a_val", "column_B": "b_val"}, "fail", 3),
    Case("pair_or_equal", "expect_column_pair_values_A_to_be_greater_than_B", "lab_values",
         {"column_A": "a_val", "column_B": "b_val", "or_equal": True}, "fail", 1),
    Case("pair_row_condition_or", "expect_column_pair_values_A_to_be_greater_than_B", "lab_values",
         {"column_A": "a_val", "column_B": "b_val", "row_condition": "grp = 'g2' or grp = 'g3'"}, "fail", 1),
    Case("pair_empty", "expect_column_pair_values_A_to_be_greater_than_B", "lab_empty",
         {"column_A": "a_val", "column_B": "b_val"}, "pass"),
    # -- expect_table_row_count_to_be_between: no group_by counts an empty table as 0; with
    #    group_by there is no group to fail
    Case("row_count_within", "expect_table_row_count_to_be_between", "lab_values",
         {"min_value": 1, "max_value": 10}, "pass"),
    Case("row_count_min_only", "expect_table_row_count_to_be_between", "lab_values",
         {"min_value": 7}, "fail", 1),
    Case("row_count_max_only", "expect_table_row_count_to_be_between", "lab_values",
         {"max_value": 5}, "fail", 1),
    Case("row_count_groups", "expect_table_row_count_to_be_between", "lab_values",
         {"min_value": 2, "group_by": ["grp"]}, "fail", 1),
    Case("row_count_groups_strictly", "expect_table_row_count_to_be_between", "lab_values",
         {"min_value": 1, "max_value": 3, "group_by": ["grp"], "strictly": True}, "fail", 2),
    Case("row_count_row_condition_or", "expect_table_row_count_to_be_between", "lab_values",
         {"min_value": 4, "max_value": 4, "row_condition": OR_G1_G3}, "pass"),
    Case("row_count_empty", "expect_table_row_count_to_be_between", "lab_empty",
         {"min_value": 1}, "fail", 1),
    Case("row_count_empty_max_zero", "expect_table_row_count_to_be_between", "lab_empty",
         {"max_value": 0}, "pass"),
    Case("row_count_empty_groups", "expect_table_row_count_to_be_between", "lab_empty",
         {"min_value": 1, "group_by": ["grp"]}, "pass"),
    # -- expect_column_mean_to_be_between: the mean of no values is NULL, which passes
    Case("mean_within", "expect_column_mean_to_be_between", "lab_values",
         {"min_value": 9, "max_value": 11}, "pass", column="num"),
    Case("mean_strictly_on_bound", "expect_column_mean_to_be_between", "lab_values",
         {"min_value": 10, "max_value": 10, "strictly": True}, "fail", 1, column="num"),
    Case("mean_on_bound", "expect_column_mean_to_be_between", "lab_values",
         {"min_value": 10, "max_value": 10}, "pass", column="num"),
    Case("mean_decimal", "expect_column_mean_to_be_between", "lab_values",
         {"min_value": 3.6, "max_value": 3.6}, "pass", column="amount"),
    Case("mean_groups", "expect_column_mean_to_be_between", "lab_values",
         {"max_value": 12, "group_by": ["grp"]}, "fail", 1, column="num"),
    Case("mean_row_condition_or", "expect_column_mean_to_be_between", "lab_values",
         {"min_value": 10, "max_value": 10, "row_condition": OR_G1_G3}, "pass", column="num"),
    Case("mean_all_null", "expect_column_mean_to_be_between", "lab_all_null",
         {"min_value": 1}, "pass", column="num"),
    Case("mean_empty", "expect_column_mean_to_be_between", "lab_empty",
         {"min_value": 1}, "pass", column="num"),
    # -- expect_column_proportion_of_unique_values_to_be_between: distinct / non-null count,
    #    as dbt's type_float; no non-null value counts as a proportion of 1
    Case("unique_share_within", "expect_column_proportion_of_unique_values_to_be_between", "lab_values",
         {"min_value": 0.5}, "pass", column="num"),
    Case("unique_share_above_max", "expect_column_proportion_of_unique_values_to_be_between", "lab_values",
         {"max_value": 0.9}, "fail", 1, column="num"),
    Case("unique_share_float_precision", "expect_column_proportion_of_unique_values_to_be_between",
         "lab_values", {"min_value": 0.8, "max_value": 0.8}, "pass", column="status"),
    Case("unique_share_strictly", "expect_column_proportion_of_unique_values_to_be_between", "lab_values",
         {"max_value": 1, "strictly": True}, "fail", 1, column="num"),
    Case("unique_share_groups", "expect_column_proportion_of_unique_values_to_be_between", "lab_values",
         {"max_value": 0.9, "group_by": ["grp"]}, "fail", 3, column="status"),
    Case("unique_share_all_null_max_1", "expect_column_proportion_of_unique_values_to_be_between",
         "lab_all_null", {"max_value": 1}, "pass", column="num"),
    Case("unique_share_all_null_below_1", "expect_column_proportion_of_unique_values_to_be_between",
         "lab_all_null", {"max_value": 0.9}, "fail", 1, column="num"),
    Case("unique_share_empty", "expect_column_proportion_of_unique_values_to_be_between", "lab_empty",
         {"min_value": 0, "max_value": 1}, "pass", column="num"),
    Case("unique_share_row_condition_or", "expect_column_proportion_of_unique_values_to_be_between",
         "lab_values", {"max_value": 0.4, "row_condition": "id = 1 or id = 6"}, "fail", 1, column="status"),
    # -- expect_row_values_to_have_recent_data: times after now() are ignored; now() is dbt_date's,
    #    in the var dbt_date:time_zone, America/Los_Angeles in this lab: a UTC time 1 h ago is
    #    still in the future there
    Case("recent_ignores_future", "expect_row_values_to_have_recent_data", "lab_times",
         {"datepart": "day", "interval": 1}, "pass", column="seen_at"),
    Case("recent_hour", "expect_row_values_to_have_recent_data", "lab_times",
         {"datepart": "hour", "interval": 1}, "fail", 1, column="seen_at"),
    Case("recent_only_future", "expect_row_values_to_have_recent_data", "lab_times",
         {"datepart": "day", "interval": 30, "row_condition": "kind = 'future'"}, "fail", 1, column="seen_at"),
    Case("recent_local_now", "expect_row_values_to_have_recent_data", "lab_times",
         {"datepart": "day", "interval": 1, "row_condition": "kind = 'recent_1h'"}, "fail", 1, column="seen_at"),
    Case("recent_row_condition_or", "expect_row_values_to_have_recent_data", "lab_times",
         {"datepart": "day", "interval": 1, "row_condition": "kind = 'old' or kind = 'future'"}, "fail", 1,
         column="seen_at", package="pass: the future row passes through the `or`", note=BRACKETS),
    Case("recent_all_null", "expect_row_values_to_have_recent_data", "lab_times",
         {"datepart": "day", "interval": 1, "row_condition": "kind = 'missing'"}, "fail", 1, column="seen_at"),
    Case("recent_empty", "expect_row_values_to_have_recent_data", "lab_empty",
         {"datepart": "day", "interval": 1}, "fail", 1, column="id"),
    # -- expect_column_values_to_be_of_type: the adapter's type name, upper-cased, compared as is
    Case("of_type_exact", "expect_column_values_to_be_of_type", "lab_values",
         {"column_type": "integer"}, "pass", column="num"),
    Case("of_type_alias_is_not_the_type", "expect_column_values_to_be_of_type", "lab_values",
         {"column_type": "int"}, "fail", 1, column="num"),
    Case("of_type_text_alias", "expect_column_values_to_be_of_type", "lab_values",
         {"column_type": "text"}, "fail", 1, column="grp"),
    Case("of_type_decimal", "expect_column_values_to_be_of_type", "lab_values",
         {"column_type": "decimal(2,1)"}, "pass", column="amount"),
    Case("of_type_mixed_case_column", "expect_column_values_to_be_of_type", "lab_values",
         {"column_type": "VARCHAR"}, "pass", column="MixedCase"),
    Case("of_type_missing_column", "expect_column_values_to_be_of_type", "lab_values",
         {"column_type": "integer"}, "pass", column="no_such_column"),
    # -- expect_table_columns_to_match_set: one failing row per missing or unexpected name
    Case("columns_match", "expect_table_columns_to_match_set", "lab_values",
         {"column_list": ALL_COLUMNS}, "pass"),
    Case("columns_missing_and_extra", "expect_table_columns_to_match_set", "lab_values",
         {"column_list": [*ALL_COLUMNS[:-1], "surprise"]}, "fail", 2),
    Case("columns_case_insensitive", "expect_table_columns_to_match_set", "lab_values",
         {"column_list": [name.upper() for name in ALL_COLUMNS]}, "pass"),
    Case("columns_transform_lower", "expect_table_columns_to_match_set", "lab_values",
         {"column_list": ALL_COLUMNS, "transform": "lower"}, "pass"),
    # -- dbt_utils' expression_is_true: rows where the expression is false; NULL passes
    Case("expression_null_passes", "expression_is_true", "lab_values",
         {"expression": "num >= 0"}, "pass"),
    Case("expression_false_rows", "expression_is_true", "lab_values",
         {"expression": "num > 0"}, "fail", 1),
    Case("expression_column_name", "expression_is_true", "lab_values",
         {"expression": ">= 5"}, "fail", 1, column="num"),
    Case("expression_where_or", "expression_is_true", "lab_values",
         {"expression": "amount > 2"}, "fail", 1, where="grp = 'g1' or grp = 'g2'"),
    Case("expression_empty", "expression_is_true", "lab_empty",
         {"expression": "num > 0"}, "pass"),
    # -- the project's own null-rate test (dbt-expectations has none): a share of NULLs
    Case("null_rate_below", "expect_column_null_rate_to_be_below", "lab_values",
         {"max_null_rate": 0.2}, "pass", column="num", project_only=True),
    Case("null_rate_above", "expect_column_null_rate_to_be_below", "lab_values",
         {"max_null_rate": 0.1}, "fail", 1, column="num", project_only=True),
    Case("null_rate_groups_or", "expect_column_null_rate_to_be_below", "lab_values",
         {"max_null_rate": 0.3, "group_by": ["grp"], "row_condition": "grp = 'g1' or grp = 'g2'"},
         "fail", 1, column="num", project_only=True),
    Case("null_rate_empty", "expect_column_null_rate_to_be_below", "lab_empty",
         {"max_null_rate": 0.5}, "fail", 1, column="num", project_only=True),
]


RUN_CASES = [case for case in CASES if case.expect != "parse error"]
PARSE_ERROR_CASES = [case for case in CASES if case.expect == "parse error"]


def _run_lab(root: Path, packages_dir: Path | None) -> Lab:
    lab = Lab(root, packages_dir)
    lab.write(MODELS, RUN_CASES)
    lab.run()
    return lab


def _parse_alone(root: Path, packages_dir: Path | None, case: Case) -> str | None:
    """dbt's message when a project with just this case stops in parsing, else None."""
    lab = Lab(root, packages_dir)
    lab.write(MODELS, [case])
    parsed = lab.parse()
    return None if parsed.returncode == 0 else parsed.stdout


@pytest.fixture(scope="module")
def project_lab(tmp_path_factory) -> Lab:
    return _run_lab(tmp_path_factory.mktemp("expectation_lab"), None)


@pytest.mark.parametrize("case", RUN_CASES, ids=lambda case: case.id)
def test_gives_the_package_answer(project_lab: Lab, case: Case):
    assert project_lab.outcome(case) == (case.expect, case.failures), case.note or case.package


@pytest.mark.parametrize("case", PARSE_ERROR_CASES, ids=lambda case: case.id)
def test_stops_the_parse_where_the_package_does(tmp_path, case: Case):
    message = _parse_alone(tmp_path, None, case)
    assert message is not None and case.id in message


PACKAGES = os.environ.get("SHOP_EXPECTATIONS_PACKAGES")


@pytest.mark.skipif(not PACKAGES, reason="set SHOP_EXPECTATIONS_PACKAGES to the real packages' folder")
def test_the_table_is_the_packages_answer(tmp_path):
    """Only where the real packages are at hand (never in CI): the expected results above are
    what dbt-expectations and dbt_utils give, except in the cases marked with `package=`."""
    lab = _run_lab(tmp_path / "run", Path(PACKAGES))
    differences = []
    for case in PARSE_ERROR_CASES:
        message = _parse_alone(tmp_path / case.id, Path(PACKAGES), case)
        if message is None or case.id not in message:
            differences.append(f"{case.id}: the package's parse did not stop on it")
    for case in RUN_CASES:
        if case.project_only:
            continue
        got = lab.outcome(case)
        if case.package is None and got != (case.expect, case.failures):
            differences.append(f"{case.id}: package {got}, table {(case.expect, case.failures)}")
        if case.package is not None:
            print(f"{case.id}: package {got} ({case.package}); project {(case.expect, case.failures)}")
    assert not differences, "\n".join(differences)
