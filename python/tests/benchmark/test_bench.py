"""The benchmark's two other implementations compute what dbt computes: the compiled SQL run
without dbt builds the same marts, and both pandas versions of the customer features agree
with ml_customer_features_daily value by value (an independent check of the features too)."""

from __future__ import annotations

import pandas as pd
import pytest

from shopdw.benchmark import bench_pandas, bench_raw, bench_readers
from shopdw.features.catalog import load_registry
from testsupport.testing import PROJECT_DIR, Warehouse, mart_differences


@pytest.fixture(scope="module")
def inputs(built: Warehouse) -> dict:
    return bench_pandas.load_inputs(built.path)


def test_raw_sql_builds_the_same_marts_as_dbt(built, tmp_path):
    raw = tmp_path / "raw" / "warehouse.duckdb"
    result = bench_raw.run(built.root / "full_build" / "run_results.json", built.root / "full_build" / "manifest.json",
                           built.path, raw)
    assert result["models"] > 40 and result["tests"] > 200
    # at most the drift warnings of a small warehouse and the generator's empty CDC file
    assert result["tests_with_rows"] <= 3
    for schema, only in (("marts", None), ("ml", None), ("audit", ("audit_quarantine", "audit_row_accounting"))):
        differences = mart_differences(built.path, raw, schema=schema, only=only)
        assert differences and not any(differences.values()), (schema, differences)


@pytest.mark.parametrize("variant", ["running-sums", "per-date"])
def test_pandas_features_agree_with_sql(built, inputs, variant):
    registry = load_registry(PROJECT_DIR)
    if variant == "per-date":
        features = bench_pandas.compute_features_per_date(inputs, registry)
    else:
        features = bench_pandas.compute_features(inputs, registry, chunks=3)
    result = bench_pandas.compare(built.path, features, registry)
    assert result["agree"], result
    assert result["dbt_rows"] > 1000


def test_the_comparison_catches_a_wrong_feature(built, inputs):
    registry = load_registry(PROJECT_DIR)
    features = bench_pandas.compute_features(inputs, registry)
    wrong = features.copy()
    row = wrong.index[wrong["orders_30d"] > 0][0]
    wrong.loc[row, "orders_30d"] += 100          # one more order, in hundredths
    wrong.loc[wrong.index[0], "cancel_rate_90d"] = 0.123456789
    with_rate = wrong.index[wrong["return_rate_90d"].notna()][0]
    wrong.loc[with_rate, "return_rate_90d"] = float("nan")     # a rate lost
    result = bench_pandas.compare(built.path, wrong, registry)
    assert not result["agree"]
    assert result["mismatched_values"]["orders_30d"] == 1
    assert result["mismatched_values"].get("cancel_rate_90d", 0) == 1
    assert result["mismatched_values"].get("return_rate_90d", 0) == 1
    missing = bench_pandas.compare(built.path, features.iloc[1:], registry)
    assert not missing["agree"] and missing["matched_rows"] == missing["dbt_rows"] - 1
    assert isinstance(features, pd.DataFrame)


def test_before_and_after_table_compares_per_scale():
    """Ratios where both runs have a scale; a scale that failed says so instead of a number."""
    from shopdw.benchmark.bench_report import render_before_after

    def row(full: float, rss_mb: float) -> dict:
        return {"full_build_seconds": full, "daily_seconds": full / 2, "raw_sql_models_seconds": None,
                "raw_sql_tests_seconds": None, "dbt_features_model_seconds": None, "sql_features_seconds": None,
                "peak_rss_mb": {"full_build": rss_mb}}

    baseline = {"started_at": "then", "scales": {"sf1": {}}, "failures": {"sf10": {"scale": 10.0}},
                "summary": {"rows": {"sf1": row(80.0, 4096)}}}
    results = {"scales": {"sf1": {}, "sf10": {}},
                "summary": {"rows": {"sf1": row(40.0, 2048), "sf10": row(400.0, 3072)}}}
    lines = render_before_after(results, baseline)
    full = next(line for line in lines if line.startswith("| full `dbt build`"))
    assert full == "| full `dbt build` | 80.0 | 40.0 | 0.50 | did not complete | 400 | - |"
    rss = next(line for line in lines if line.startswith("| peak RSS"))
    assert "| 4.0 | 2.0 | 0.50 |" in rss and "| did not complete | 3.0 | - |" in rss


def test_the_reader_staleness_step_runs_and_tells_the_readers_apart(built, tmp_path):
    """make bench's readers step on a small build (short window): it runs without an error for
    each reader kind, and it separates them by what they read, not by how fast: the plain
    pooled engine still serves the replaced build while its connections live, reader_engine
    never does after the publish returned."""
    results = bench_readers.measure(built.path, tmp_path / "warehouse.duckdb", built.target, window=1.0,
                                    long_seconds=0.5)
    assert set(results) == {"path, QueuePool (SQLAlchemy's default)", "path, NullPool (Superset's default)",
                            "shopdw.publishing.readers.reader_engine"}
    assert all(r["errors"] == [] and r["polls_after_publish"] > 0 for r in results.values())
    assert results["path, QueuePool (SQLAlchemy's default)"]["still_stale_at_end_of_window"]
    reader = results["shopdw.publishing.readers.reader_engine"]
    assert reader["stale_polls"] == 0 and reader["saw_new_build"]
