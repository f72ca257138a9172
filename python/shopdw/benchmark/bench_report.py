"""BENCHMARKS.md and the chart, rendered from benchmarks/results.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shopdw.paths import PROJECT_DIR

ANALYSIS = PROJECT_DIR / "benchmarks" / "analysis.md"
# an earlier results.json kept to compare with (the run before the optimisations)
BASELINE = PROJECT_DIR / "benchmarks" / "baseline.json"
# (label, key of a summary row); seconds unless the key is peak RSS
COMPARED = [
    ("full `dbt build`", "full_build_seconds"),
    ("ingestion of the landing zone", "ingest_seconds"),
    ("daily run (ingestion + `dbt build`)", "daily_seconds"),
    ("daily run / full build", "daily_share_of_full_build"),
    ("raw SQL: models", "raw_sql_models_seconds"),
    ("raw SQL: tests", "raw_sql_tests_seconds"),
    ("features model (dbt)", "dbt_features_model_seconds"),
    ("features SQL (raw)", "sql_features_seconds"),
    ("peak RSS of the full build (GB)", "full_build_rss_gb"),
]



def _times(ratio: float | None) -> str:
    """A ratio as '12.3x', or '-' when it was not measured."""
    return "-" if ratio is None else f"{ratio:.1f}x"

def _s(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ingest(row: dict) -> str:
    if row.get("ingest_seconds") is None:
        return "-"
    return f"{_s(row['ingest_seconds'])} ({row['ingest_rows_per_second']:,.0f})"


def render_markdown(results: dict) -> str:
    summary = results["summary"]
    rows = sorted(summary["rows"].values(), key=lambda r: r["scale"])
    m = results["machine"]
    repeats = {s["repeats"] for s in results["scales"].values()}
    lines = [
        "# Benchmarks",
        "",
        "Rendered by `make bench` from `benchmarks/results.json` (do not edit the tables by hand; the",
        "analysis at the end is `benchmarks/analysis.md`). Every step of a scale runs in one session on",
        "the same machine, so the ratios compare like with like; absolute seconds move with the",
        "machine's load.",
        "",
        f"Run of {results['started_at']}: {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}, "
        f"DuckDB {m['duckdb']}, profile `memory_limit` {m['memory_limit']}, `threads` {m['threads']}; "
        f"{results['days']} days of history, seed {results['seed']}; medians of {', '.join(map(str, sorted(repeats)))} "
        "run(s) per step.",
        "",
        "## Time (seconds, median)",
        "",
        "| scale | rows of features | generate | ingest (rows/s) | full `dbt build` | daily: ingest + build "
        "| raw SQL: models "
        "| raw SQL: tests | features model (dbt) | features SQL (raw) | features pandas: running sums "
        "| features pandas: per-date |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| SF{r['scale']:g} | {r['feature_rows']:,} | {_s(r['generate_seconds'])} "
            f"| {_ingest(r)} | {_s(r['full_build_seconds'])} "
            f"| {_s(r['daily_seconds'])} ({_s(r.get('daily_ingest_seconds'))} + {_s(r.get('daily_build_seconds'))}) "
            f"| {_s(r['raw_sql_models_seconds'])} | {_s(r['raw_sql_tests_seconds'])} "
            f"| {_s(r['dbt_features_model_seconds'])} | {_s(r['sql_features_seconds'])} "
            f"| {_s(r['pandas_features_seconds'])} (+{_s(r['pandas_load_seconds'])} load) "
            f"| {_s(r['pandas_per_date_seconds'])} |")
    lines += [
        "",
        "## Ratios and memory",
        "",
        "| scale | full build / raw SQL (models + tests) | daily / full build | pandas / SQL features: running sums "
        "| per-date | peak RSS: generate | full build | raw SQL | pandas | daily | disk: landing | warehouse |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        p = r["peak_rss_mb"]
        lines.append(
            f"| SF{r['scale']:g} | {r['full_build_over_raw_sql']:.2f}x | {r['daily_share_of_full_build']:.1%} "
            f"| {r['pandas_over_sql_features']:.1f}x "
            f"| {_times(r['pandas_per_date_over_sql_features'])} "
            f"| {p['generate'] / 1024:.2f} GB | {p['full_build'] / 1024:.2f} GB "
            f"| {p['raw_sql'] / 1024:.2f} GB | {p['pandas_features'] / 1024:.2f} GB | {p['daily'] / 1024:.2f} GB "
            f"| {r['disk_gb']['landing']:.1f} GB | {r['disk_gb']['warehouse']:.1f} GB |")
    for _scale, failure in sorted(results.get("failures", {}).items()):
        error = [line for line in failure["error"].splitlines() if "Error" in line or "ERROR" in line][:3]
        lines += ["", f"**SF{failure['scale']:g} did not complete**: " + " / ".join(e.strip() for e in error)]
    lines += ["", "The pandas features are checked value by value against `ml_customer_features_daily` on every run",
              "(the benchmark stops if one differs).", "", "## Targets", "",
              "| target | measured | met |", "|---|---|---|"]
    for t in summary["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
    largest = max(results["scales"].values(), key=lambda s: s["scale"])
    full = largest["full_build"][-1]
    lines += ["", f"## Where the time goes (SF{largest['scale']:g}, dbt's own timing per node)", "",
              "Time per resource type (summed over threads): " +
              ", ".join(f"{k} {v:,.0f} s" for k, v in full["seconds_by_type"].items()) + ".", "",
              "| node | seconds (dbt) |", "|---|---|"]
    for node in full["slowest"]:
        lines.append(f"| `{node['node']}` | {node['seconds']:.1f} |")
    lines += render_daily_costs(results)
    lines += render_reader_staleness(results)
    lines += render_feature_store(results)
    lines += ["", "![time against scale factor](benchmarks/time_vs_scale.png)", ""]
    if BASELINE.exists():
        lines += render_before_after(results, json.loads(BASELINE.read_text()))
    if ANALYSIS.exists():
        lines += [ANALYSIS.read_text().strip(), ""]
    return "\n".join(lines)


def render_reader_staleness(results: dict) -> list[str]:
    """How long new queries of a long-lived reader still read the build a publish replaced."""
    measured = [(s["scale"], s["readers"]) for s in results["scales"].values() if s.get("readers")]
    if not measured:
        return []
    lines = ["", "## Readers after a publish (staleness of new queries)", "",
             "Two overlapping long queries and a poller (a query every 20 ms) per reader; seconds after the",
             "publish returned during which a query started then still read the old build",
             "(`python/shopdw/benchmark/bench_readers.py`).", "",
             "| scale | reader | staleness | still stale at the end of the window | errors |", "|---|---|---|---|---|"]
    for scale, readers in sorted(measured):
        for name, r in readers.items():
            stale = (f">= {r['window_seconds']:g} s (unbounded)" if r["still_stale_at_end_of_window"]
                     else f"{r['staleness_seconds']:.3f} s")
            lines.append(f"| SF{scale:g} | {name} | {stale} | {'yes' if r['still_stale_at_end_of_window'] else 'no'} "
                         f"| {len(r['errors'])} |")
    return lines


def render_feature_store(results: dict) -> list[str]:
    """Online lookups (SDK and HTTP, SQLite and Redis), materialising a day, the training set."""
    measured = [(s["scale"], s["features"]) for s in results["scales"].values() if s.get("features")]
    if not measured:
        return []
    lines = ["", "## Feature store (Feast)", "",
             "Single-customer lookups of the feature service churn_model, side by side in one run",
             "(`python/shopdw/benchmark/bench_features.py`). Targets on 2 cores: p99 <= 10 ms at concurrency 1,",
             ">= 500 lookups/s at concurrency 16.", "",
             "| scale | path | p50 | p99 | lookups/s | errors |", "|---|---|---|---|---|---|"]
    for scale, f in sorted(measured):
        for name, r in f["lookups"].items():
            lines.append(f"| SF{scale:g} | {name} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | "
                         f"{r['lookups_per_second']:,.0f} | {r['error_count']} |")
    lines += ["", "| scale | materialise one as-of date: SQLite | Redis | full sync (export + apply + load) "
              "| training set: Feast | table read | rows |", "|---|---|---|---|---|---|---|"]
    for scale, f in sorted(measured):
        t = f["training_set"]
        lines.append(f"| SF{scale:g} | {f['materialize_day_seconds']['sqlite']:.2f} s | "
                     f"{f['materialize_day_seconds']['redis']:.2f} s | {f['sync_full_seconds']:.1f} s | "
                     f"{t['feast_seconds']:.2f} s | {t['table_read_seconds']:.2f} s | {t['rows']:,} |")
    return lines


def render_daily_costs(results: dict) -> list[str]:
    """Where a daily run's time goes, per scale: ingestion, dbt's start-up and parse (the run's
    wall time less dbt's elapsed time), the nodes by type, the slowest nodes."""
    lines = ["", "## Where a daily run's time goes", "",
             "| scale | ingest | dbt start-up + parse | dbt elapsed | nodes "
             "| node seconds by type (summed over threads) "
             "| slowest nodes |", "|---|---|---|---|---|---|---|"]
    for scale in sorted(results["scales"].values(), key=lambda s: s["scale"]):
        daily = scale.get("daily") or []
        if not daily or daily[-1].get("dbt_elapsed_seconds") is None:
            continue
        run = daily[-1]
        by_type = ", ".join(f"{k} {v:,.0f} s" for k, v in run["seconds_by_type"].items())
        slowest = ", ".join(f"`{n['node'].split('.')[-1][:48]}` {n['seconds']:.1f}" for n in run["slowest"][:6])
        lines.append(f"| SF{scale['scale']:g} | {run['ingest_seconds']:.1f} | "
                     f"{run['build_seconds'] - run['dbt_elapsed_seconds']:.1f} | {run['dbt_elapsed_seconds']:.1f} "
                     f"| {run['nodes']} | {by_type} | {slowest} |")
    return lines


def _compared_value(row: dict, key: str) -> float | None:
    if key == "full_build_rss_gb":
        return row["peak_rss_mb"]["full_build"] / 1024
    return row.get(key)


def render_before_after(results: dict, baseline: dict) -> list[str]:
    """A table of the baseline run against this one, per scale both have tried."""
    lines = ["## Before and after", "",
             f"Baseline: the run of {baseline['started_at']} (`benchmarks/baseline.json`), before the "
             "optimisations of `benchmarks/analysis.md`; after: this run. Ratio = after / before.", ""]
    scales = sorted(set(baseline.get("scales", {})) | set(baseline.get("failures", {}))
                    | set(results.get("scales", {})) | set(results.get("failures", {})),
                    key=lambda name: float(name[2:]))
    header = "| step |" + "".join(f" SF{name[2:]} before | after | ratio |" for name in scales)
    lines += [header, "|---|" + "---|---|---|" * len(scales)]
    for label, key in COMPARED:
        cells = []
        for name in scales:
            before = baseline.get("summary", {}).get("rows", {}).get(name)
            after = results.get("summary", {}).get("rows", {}).get(name)
            b = _compared_value(before, key) if before else None
            a = _compared_value(after, key) if after else None
            show = (lambda v: "-" if v is None else f"{v:.1%}") if key.endswith("_share_of_full_build") else _s
            b_text = show(b) if before else ("did not complete" if name in baseline.get("failures", {}) else "-")
            a_text = show(a) if after else ("did not complete" if name in results.get("failures", {}) else "-")
            ratio = f"{a / b:.2f}" if a is not None and b else "-"
            cells.append(f" {b_text} | {a_text} | {ratio} |")
        lines.append(f"| {label} |" + "".join(cells))
    return lines + [""]


def render_chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(results["summary"]["rows"].values(), key=lambda r: r["scale"])
    scales = [r["scale"] for r in rows]
    series = {
        "full dbt build (models + tests)": "full_build_seconds",
        "raw SQL, models only": "raw_sql_models_seconds",
        "daily incremental dbt build": "daily_seconds",
        "features: SQL (raw)": "sql_features_seconds",
        "features: pandas, running sums": "pandas_features_seconds",
        "features: pandas, per-date": "pandas_per_date_seconds",
    }
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for label, key in series.items():
        points = [(r["scale"], r[key]) for r in rows if r.get(key) is not None]
        if points:
            ax.plot(*zip(*points), marker="o", label=label)
    if len(scales) > 1:
        base = rows[0]["full_build_seconds"]
        ax.plot(scales, [base * s / scales[0] for s in scales], linestyle=":", color="grey", label="linear from SF1")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("scale factor")
    ax.set_ylabel("seconds (median)")
    ax.set_title(f"Shop warehouse: time against scale ({results['machine']['cpus']} CPUs)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    results_path = Path(argv[0]) if argv else PROJECT_DIR / "benchmarks" / "results.json"
    results = json.loads(results_path.read_text())
    render_chart(results, results_path.parent / "time_vs_scale.png")
    (PROJECT_DIR / "BENCHMARKS.md").write_text(render_markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
