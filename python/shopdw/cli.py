"""Command line of the shop warehouse: data generator, publishing, docs coverage, exports."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from shopdw.docs import coverage as docs
from shopdw.features import catalog as features
from shopdw.generator import reference
from shopdw.generator.generate import default_end_date, generate_history, generate_next_day, parse_anomaly, parse_drift
from shopdw.publishing import export, publish

DEFAULT_LANDING = "data/landing"


def _landing_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("SHOP_LANDING_DIR", DEFAULT_LANDING))


def _run_date() -> date | None:
    """The run's date from $SHOP_RUN_DATE (a replay of past days), else None: today, UTC."""
    value = os.environ.get("SHOP_RUN_DATE")
    return date.fromisoformat(value) if value else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopdw", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write the initial history of raw loads into a landing zone")
    gen.add_argument("--out", help=f"landing directory (default $SHOP_LANDING_DIR or {DEFAULT_LANDING})")
    gen.add_argument("--scale", type=float, default=1.0,
                     help="scale factor: SF1 is ~10k customers, 1k products, 100k orders, 1M web events a year")
    gen.add_argument("--seed", type=int, default=42, help="random seed: the same seed gives the same files")
    gen.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    gen.add_argument("--end-date", type=date.fromisoformat,
                     help=f"last load date, YYYY-MM-DD (default yesterday, UTC: {default_end_date()})")
    gen.add_argument("--horizon-days", type=int, default=60,
                     help="days simulated past the history, available to next-day mode (default 60)")
    gen.add_argument("--force", action="store_true", help="replace a non-empty landing directory")
    gen.add_argument("--anomaly", action="append", default=[], metavar="TABLE:DATE:KIND=VALUE",
                     help="inject an anomaly on one load day, to test the anomaly tests: "
                          "events:2026-06-30:volume=0.2 keeps 20%% of the day's rows (an outage), "
                          "orders:2026-06-30:delay_hours=30 delivers the day's file 30 hours late "
                          "(repeatable)")
    gen.add_argument("--drift", metavar="DATE:order_value=F",
                     help="inject behaviour drift, to test the feature drift monitor: "
                          "2026-10-01:order_value=1.8 multiplies prices by 1.8 from that date on")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")

    nxt = sub.add_parser("next-day", help="add the next day's loads on top of an existing landing zone")
    nxt.add_argument("--out", help=f"landing directory (default $SHOP_LANDING_DIR or {DEFAULT_LANDING})")
    nxt.add_argument("--quiet", action="store_true", help="no progress bar")

    cat = sub.add_parser("feature-catalog", help="write the feature catalog doc blocks from the feature registry")
    cat.add_argument("--project-dir", default=".", help="the dbt project (default .)")
    cat.add_argument("--check", action="store_true", help="only check that the catalog is up to date")

    repo = sub.add_parser("feature-repo", help="write feature_repo/customer_features.py (Feast) from the dbt project")
    repo.add_argument("--project-dir", default=".", help="the dbt project (default .)")
    repo.add_argument("--check", action="store_true", help="only check that the Feast definitions are up to date")

    fs = sub.add_parser("feature-store", help="the Feast feature store: sync after a build, or serve it over HTTP")
    fs.add_argument("action", choices=["sync", "serve"])
    fs.add_argument("--warehouse", help="the DuckDB file to read (default $SHOP_PUBLISHED_PATH, "
                                       "or data/published/warehouse.duckdb)")
    fs.add_argument("--store-dir",
                    help="the feature store folder (default $SHOP_FEATURE_STORE_DIR or data/feature_store)")
    fs.add_argument("--project-dir", default=".", help="the dbt project (default .)")
    fs.add_argument("--full", action="store_true", help="sync: export every as-of date and reload the online store")
    fs.add_argument("--redis", default=os.environ.get("SHOP_FEATURE_REDIS") or None,
                    help="the Redis at host:port as online store "
                         "(default $SHOP_FEATURE_REDIS; unset: SQLite online.db)")
    fs.add_argument("--online-store", choices=["sqlite", "redis"], default="sqlite",
                    help="serve: the store's SQLite file, or Redis: the one of --redis, else a Redis server of "
                         "its own (127.0.0.1, a free port) loaded with the newest features first")
    fs.add_argument("--host", default="127.0.0.1", help="serve: address (default 127.0.0.1)")
    fs.add_argument("--workers", type=int, default=0, help="serve: worker processes (default: one per core)")
    fs.add_argument("--port", type=int, default=int(os.environ.get("FEATURE_SERVER_PORT", "6566")),
                    help="serve: port (default $FEATURE_SERVER_PORT or 6566)")

    exp = sub.add_parser("export-features", help="export the churn training set and online features to Parquet")
    exp.add_argument("--warehouse", help="the DuckDB file (default $SHOP_WAREHOUSE_PATH or data/warehouse.duckdb)")
    exp.add_argument("--out", default="data/exports", help="directory of the Parquet files (default data/exports)")

    pub = sub.add_parser("publish", help="publish the reader-facing schemas of a green build for BI tools, atomically")
    pub.add_argument("--warehouse",
                     help="the build's DuckDB file (default $SHOP_WAREHOUSE_PATH or data/warehouse.duckdb)")
    pub.add_argument("--out",
                     help="the published file (default $SHOP_PUBLISHED_PATH or data/published/warehouse.duckdb)")
    pub.add_argument("--force", action="store_true",
                     help="publish even when dbt's last run_results are not those of a green build")

    cov = sub.add_parser("docs-coverage", help="share of described models, columns, sources, macros, tests...")
    cov.add_argument("--target-dir", default="target",
                     help="dbt's target directory with manifest.json and catalog.json")
    cov.add_argument("--fail-under", type=float, default=100.0, help="exit 1 when any kind is below this percentage")

    ben = sub.add_parser("bench", help="time dbt build, daily runs, raw SQL and pandas at scale factors")
    ben.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0], help="scale factors (default 1 10)")
    ben.add_argument("--repeats", type=int, default=1, help="runs of each step per scale (medians; default 1)")
    ben.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    ben.add_argument("--work", default="data/bench", help="scratch directory (default data/bench)")
    ben.add_argument("--out", default="benchmarks", help="results.json and the chart (default benchmarks)")
    ben.add_argument("--keep", action="store_true", help="keep each scale's landing zone and warehouses")

    ing = sub.add_parser("ingest",
                         help="read every new landing file once into the warehouse's raw layer (with a ledger)")
    ing.add_argument("--landing", default=None, help="landing zone (default $SHOP_LANDING_DIR or data/landing)")
    ing.add_argument("--warehouse", help="the DuckDB file (default $SHOP_WAREHOUSE_PATH or data/warehouse.duckdb)")
    ing.add_argument("--run-date", type=date.fromisoformat, default=None,
                     help="the run's date: files with a later load date are held back (default $SHOP_RUN_DATE "
                          "or today, UTC)")
    ing.add_argument("--verbose", action="store_true", help="a line for every transaction as soon as it is committed")
    ing.add_argument("--retract", metavar="FILE",
                     help="take an ingested file back out of the raw layer (its rows, header and ledger row), "
                          "so that a corrected file can be ingested; then run make full-refresh")
    ing.add_argument("--days-per-transaction", type=int, default=31,
                     help="load dates committed together (default 31: a backfill commits a month at a time)")

    load = sub.add_parser("load", help="load the landing zone into a server engine as raw source tables")
    load.add_argument("--target", default=os.environ.get("DBT_TARGET", "postgres"),
                      help="postgres or spark (default $DBT_TARGET); "
                           "the connection from the profile's environment variables")
    load.add_argument("--landing", default=None, help="landing zone (default $SHOP_LANDING_DIR or data/landing)")

    seeds = sub.add_parser("seeds", help="write the project's lookup seeds (countries, currencies, rates...)")
    seeds.add_argument("--out", default="seeds", help="seeds directory (default seeds)")
    return parser


def _generate(args: argparse.Namespace) -> int:
    result = generate_history(
        _landing_dir(args.out), scale=args.scale, seed=args.seed, days=args.days,
        end_date=args.end_date, horizon_days=args.horizon_days, force=args.force,
        progress=not args.quiet, anomalies=[parse_anomaly(a) for a in args.anomaly],
        drift=parse_drift(args.drift) if args.drift else None)
    days = result.days_written
    span = days[0] if len(days) == 1 else f"{days[0]} .. {days[-1]}"
    print(f"wrote {result.rows_written:,} raw rows for {span} into {result.root} in {result.seconds:.1f} s")
    return 0


def _next_day(args: argparse.Namespace) -> int:
    result = generate_next_day(_landing_dir(args.out), progress=not args.quiet)
    days = result.days_written
    span = days[0] if len(days) == 1 else f"{days[0]} .. {days[-1]}"
    print(f"wrote {result.rows_written:,} raw rows for {span} into {result.root} in {result.seconds:.1f} s")
    return 0


def _export_features(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse or os.environ.get("SHOP_WAREHOUSE_PATH", "data/warehouse.duckdb"))
    manifest = export.export_features(warehouse, Path(args.out))
    fp = manifest["fingerprint"]
    print(f"wrote {manifest['files']['churn_training_set']['rows']:,} training samples "
          f"(content hash {fp['content_hash']}) and {manifest['files']['customer_features_online']['rows']:,} "
          f"online feature vectors into {args.out}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse or os.environ.get("SHOP_WAREHOUSE_PATH", "data/warehouse.duckdb"))
    out = Path(args.out or os.environ.get("SHOP_PUBLISHED_PATH", "data/published/warehouse.duckdb"))
    temp = os.environ.get("SHOP_DUCKDB_TEMP_DIR")
    target_dir = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    if not args.force:
        publish.check_last_build_green(target_dir / "run_results.json")
    done = publish.publish(warehouse, out, target_dir, temp_directory=Path(temp) if temp else None)
    print(f"published {done.tables} tables ({done.rows:,} rows) of {', '.join(done.schemas)} "
          f"to {done.path} in {done.seconds:.1f} s (publication {done.publication_id})")
    return 0


def _docs_coverage(args: argparse.Namespace) -> int:
    result = docs.coverage(Path(args.target_dir))
    print(result.report())
    low = [kind for kind in result.total if 100 * result.share(kind) < args.fail_under]
    if low:
        print(f"shopdw: documentation below {args.fail_under:g}% for: {', '.join(sorted(low))}",
              file=sys.stderr)
        return 1
    return 0


def _bench(args: argparse.Namespace) -> int:
    from shopdw.benchmark import bench

    results = bench.run_bench(args.scales, args.repeats, Path(args.work), Path(args.out), days=args.days,
                              keep=args.keep)
    for target in results.get("summary", {}).get("targets", []):
        print(f"{'met ' if target['met'] else 'MISS'}  {target['target']}: {target['measured']}")
    in_project = Path(args.out).resolve() == Path('benchmarks').resolve()
    where = 'in the project' if in_project else 'in ' + args.out
    print(f"wrote {args.out}/results.json, {args.out}/time_vs_scale.png and BENCHMARKS.md "
          f"({where})")
    return 1 if results.get("failures") else 0


def _ingest(args: argparse.Namespace) -> int:
    from shopdw.engines import ingest

    warehouse = Path(args.warehouse or os.environ.get("SHOP_WAREHOUSE_PATH", "data/warehouse.duckdb"))
    run_date = args.run_date or _run_date()
    try:
        if args.retract:
            rows = ingest.retract(warehouse, args.retract)
            print(f"retracted {args.retract}: {rows:,} rows; run `make full-refresh` if models took them")
            return 0
        progress = (lambda line: print(line, flush=True)) if args.verbose else None
        print(ingest.ingest(_landing_dir(args.landing), warehouse, run_date=run_date, progress=progress,
                            days_per_transaction=args.days_per_transaction).report())
    except ingest.IngestionError as err:
        print(f"shopdw: ingestion stopped: {err}", file=sys.stderr)
        return 1
    return 0


def _load(args: argparse.Namespace) -> int:
    from shopdw.engines import load as loader
    from shopdw.engines.ingest import IngestionError

    if args.target not in ("postgres", "spark"):
        raise ValueError(f"nothing to load for target {args.target!r}: DuckDB holds its raw layer itself "
                         "(shopdw ingest); shopdw load is for --target postgres or spark")
    load_target = loader.load_spark if args.target == "spark" else loader.load_postgres
    try:
        print(load_target(_landing_dir(args.landing), run_date=_run_date()).report())
    except IngestionError as err:
        print(f"shopdw: ingestion stopped: {err}", file=sys.stderr)
        return 1
    return 0


def _generated(path: Path, fresh: bool, command: str, check: bool) -> int:
    """Report a file generated from the project: written, up to date, or stale (exit 1)."""
    if not fresh:
        print(f"shopdw: {path} is out of date: run `shopdw {command}`", file=sys.stderr)
        return 1
    print(f"{path} is up to date" if check else f"wrote {path}")
    return 0


def _feature_repo(args: argparse.Namespace) -> int:
    from shopdw.features import feature_repo

    return _generated(*feature_repo.write_repo(Path(args.project_dir), check=args.check), "feature-repo", args.check)


def _feature_store(args: argparse.Namespace) -> int:
    from shopdw.features import feature_server, feature_store

    warehouse = Path(args.warehouse or os.environ.get("SHOP_PUBLISHED_PATH",
                                                      "data/published/warehouse.duckdb"))
    store_dir = Path(args.store_dir) if args.store_dir else feature_store.default_store_dir()
    if args.action == "sync":
        print(feature_store.sync(warehouse, store_dir, Path(args.project_dir), full=args.full,
                                 redis=args.redis).report())
    else:
        feature_server.serve(warehouse, store_dir, Path(args.project_dir), args.host, args.port,
                             online_store=args.online_store, workers=args.workers, redis=args.redis)
    return 0


def _feature_catalog(args: argparse.Namespace) -> int:
    return _generated(*features.write_catalog(Path(args.project_dir), check=args.check), "feature-catalog",
                      args.check)


def _seeds(args: argparse.Namespace) -> int:
    for path in reference.write_seeds(Path(args.out)):
        print(f"wrote {path}")
    return 0


COMMANDS = {
    "generate": _generate,
    "next-day": _next_day,
    "export-features": _export_features,
    "publish": _publish,
    "docs-coverage": _docs_coverage,
    "bench": _bench,
    "ingest": _ingest,
    "load": _load,
    "feature-repo": _feature_repo,
    "feature-store": _feature_store,
    "feature-catalog": _feature_catalog,
    "seeds": _seeds,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (FileExistsError, FileNotFoundError, ValueError) as err:
        print(f"shopdw: error: {err}", file=sys.stderr)
        return 2
