"""Benchmark peers, not a definition: the customer features in pandas, checked against the SQL.

The reference is the dbt model ``ml_customer_features_daily`` (and the var
``customer_features`` it reads). The two pandas pipelines here (``compute_features``, running
sums, and ``compute_features_per_date``, one date at a time, the seeds' approach) exist only so
that ``make bench`` can time pandas against SQL on the same data; every run compares each of
their values with the warehouse's, and a difference is a benchmark failure, never a second
answer.

The same registry (var ``customer_features``) and the same time semantics as
``ml_customer_features_daily``: a signal row counts at as-of date D when it happened and was
loaded before the end of D (``first_date``) and its window has not moved past it, nor newer
knowledge replaced it (``last_date``). Written as idiomatic, vectorised pandas (no Python loop
over rows or dates): +value on the first date a row counts and -value the day after its last,
a cumulative sum per customer, and ``merge_asof`` to give every (customer, as-of date) the
newest state. Customers are processed in chunks so that memory stays bounded.

Run as ``python -m shopdw.benchmark.bench_pandas WAREHOUSE`` (the benchmark does): it reads the inputs
from a built warehouse, computes the features, compares every value with the warehouse's
``ml_customer_features_daily`` and prints one JSON line with the timings and the comparison.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from shopdw.features.catalog import load_registry
from shopdw.paths import PROJECT_DIR

FAR_FUTURE = np.datetime64("9999-12-31")
DAY = np.timedelta64(1, "D")


def measures(registry: list[dict], categories: list[str]) -> list[dict]:
    """The running sums the features need, as the macro customer_feature_measures lists them."""
    out, seen = [], set()
    for feature in registry:
        kind = feature["kind"]
        if kind not in ("sum", "ratio", "top_category", "top_category_share"):
            continue
        signals = [feature["signal"]] + ([feature["denominator"]] if feature.get("denominator") else [])
        for signal in signals:
            for category in (categories if kind.startswith("top_category") else [None]):
                key = (signal, feature.get("window_days"), category)
                if key not in seen:
                    seen.add(key)
                    out.append({"signal": signal, "window_days": feature.get("window_days"), "category": category})
    return out


def load_inputs(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            "signals": con.execute(
                "select customer_id, signal_name, category_code, event_at, known_from, known_until, signal_value "
                "from ml.ml_customer_signals").df(),
            "customers": con.execute(
                "select customer_id, signed_up_at, known_from, deletion_known_at "
                "from intermediate.int_shop__customer_lifespans").df(),
            "bounds": con.execute(
                "select first_as_of_date, last_as_of_date from intermediate.int_ml__as_of_bounds").df(),
            "categories": sorted(c for (c,) in con.execute(
                "select category_code from reference.product_categories").fetchall()),
        }


def _dates(series: pd.Series) -> np.ndarray:
    """Timestamps (or dates) as day-precision datetime64, NaT for null."""
    return pd.to_datetime(series).to_numpy().astype("datetime64[D]")


def compute_features(inputs: dict, registry: list[dict], chunks: int = 1) -> pd.DataFrame:
    """ml_customer_features_daily, as a DataFrame (sums in whole hundredths, as int64)."""
    signals, customers = inputs["signals"], inputs["customers"]
    first_as_of = np.datetime64(pd.Timestamp(inputs["bounds"]["first_as_of_date"][0]).date(), "D")
    last_as_of = np.datetime64(pd.Timestamp(inputs["bounds"]["last_as_of_date"][0]).date(), "D")
    wanted = measures(registry, inputs["categories"])
    parts = []
    for chunk in range(chunks):
        sig = signals[signals["customer_id"] % chunks == chunk] if chunks > 1 else signals
        cus = customers[customers["customer_id"] % chunks == chunk] if chunks > 1 else customers
        parts.append(_features_of(sig, cus, first_as_of, last_as_of, wanted, registry, inputs["categories"]))
    return pd.concat(parts, ignore_index=True)


def _features_of(signals, customers, first_as_of, last_as_of, wanted, registry, categories) -> pd.DataFrame:
    event_date = _dates(signals["event_at"])
    first_date = np.maximum(_dates(signals["known_from"]), event_date)
    known_until = _dates(signals["known_until"])
    replaced = np.where(np.isnat(known_until), FAR_FUTURE, known_until - DAY)
    value = np.round(signals["signal_value"].to_numpy(dtype="float64") * 100)
    customer = signals["customer_id"].to_numpy()
    name = signals["signal_name"].to_numpy()
    category = signals["category_code"].to_numpy()

    # +value on the first date a row counts, -value on the day after its last
    frames = []
    for number, measure in enumerate(wanted):
        mask = name == measure["signal"]
        if measure["category"] is not None:
            mask &= category == measure["category"]
        window = measure["window_days"]
        last = np.minimum(event_date + np.timedelta64(window - 1, "D"), replaced) if window else replaced
        mask &= first_date <= last
        ends = mask & (last < last_as_of)
        frames.append(pd.DataFrame({"customer_id": customer[mask], "date": first_date[mask],
                                    "measure": number, "delta": value[mask]}))
        frames.append(pd.DataFrame({"customer_id": customer[ends], "date": last[ends] + DAY,
                                    "measure": number, "delta": -value[ends]}))
    changes = pd.concat(frames, ignore_index=True)
    changes = changes[changes["date"] <= last_as_of]
    state = (changes.pivot_table(index=["customer_id", "date"], columns="measure", values="delta",
                                 aggfunc="sum", fill_value=0.0)
             .reindex(columns=range(len(wanted)), fill_value=0.0)
             .groupby(level="customer_id").cumsum())

    # newest known date of each days_since_last signal (it never expires)
    last_dates = {}
    for feature in registry:
        if feature["kind"] == "days_since_last":
            mask = name == feature["signal"]
            newest = (pd.DataFrame({"customer_id": customer[mask], "date": first_date[mask],
                                    "event_date": event_date[mask]})
                      .groupby(["customer_id", "date"])["event_date"].max()
                      .groupby(level="customer_id").cummax())
            last_dates[feature["signal"]] = newest
    state = state.join(pd.DataFrame({f"last_{s}_date": v for s, v in last_dates.items()}), how="outer")
    for column in [c for c in state.columns if str(c).startswith("last_")]:
        state[column] = state[column].groupby(level="customer_id").ffill()
    state = state.reset_index().sort_values("date")

    # the spine: every customer at every as-of date they are known and not deleted
    known = np.maximum(_dates(customers["known_from"]), first_as_of)
    deleted = _dates(customers["deletion_known_at"])
    until = np.where(np.isnat(deleted), last_as_of + DAY, np.minimum(deleted, last_as_of + DAY))
    lengths = np.maximum((until - known).astype("int64"), 0)
    spine = pd.DataFrame({
        "customer_id": np.repeat(customers["customer_id"].to_numpy(), lengths),
        "date": np.repeat(known, lengths)
        + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)).astype("timedelta64[D]"),
        "signed_up_at": np.repeat(_dates(customers["signed_up_at"]), lengths),
    }).sort_values("date")
    spine["date"] = spine["date"].astype("datetime64[s]")
    state["date"] = state["date"].astype("datetime64[s]")
    measured = pd.merge_asof(spine, state, on="date", by="customer_id", direction="backward")
    for number in range(len(wanted)):
        measured[number] = measured[number].fillna(0.0)
    return _feature_columns(measured, wanted, registry, categories)


def compute_features_per_date(inputs: dict, registry: list[dict]) -> pd.DataFrame:
    """The same features the way feature scripts are usually written: for every as-of date,
    filter the rows that count at that date and group them by customer (a snapshot per date)."""
    signals, customers = inputs["signals"], inputs["customers"]
    first_as_of = np.datetime64(pd.Timestamp(inputs["bounds"]["first_as_of_date"][0]).date(), "D")
    last_as_of = np.datetime64(pd.Timestamp(inputs["bounds"]["last_as_of_date"][0]).date(), "D")
    wanted = measures(registry, inputs["categories"])
    frame = pd.DataFrame({
        "customer_id": signals["customer_id"].to_numpy(),
        "name": signals["signal_name"].to_numpy(),
        "category": signals["category_code"].to_numpy(),
        "event_date": _dates(signals["event_at"]),
        "first_date": np.maximum(_dates(signals["known_from"]), _dates(signals["event_at"])),
        "value": np.round(signals["signal_value"].to_numpy(dtype="float64") * 100),
    })
    known_until = _dates(signals["known_until"])
    frame["replaced"] = np.where(np.isnat(known_until), FAR_FUTURE, known_until - DAY)
    subsets = []
    for measure in wanted:
        rows = frame[frame["name"] == measure["signal"]]
        if measure["category"] is not None:
            rows = rows[rows["category"] == measure["category"]]
        window = measure["window_days"]
        last = (np.minimum(rows["event_date"].to_numpy() + np.timedelta64(window - 1, "D"), rows["replaced"].to_numpy())
                if window else rows["replaced"].to_numpy())
        subsets.append(rows.assign(last_date=last))
    lasts = {f["signal"]: frame[frame["name"] == f["signal"]] for f in registry if f["kind"] == "days_since_last"}
    known_from = np.maximum(_dates(customers["known_from"]), first_as_of)
    deleted = _dates(customers["deletion_known_at"])
    days = []
    for day in np.arange(first_as_of, last_as_of + DAY, DAY):
        alive = customers[(known_from <= day) & (np.isnat(deleted) | (deleted > day))]
        snapshot = pd.DataFrame({"customer_id": alive["customer_id"].to_numpy(),
                                 "signed_up_at": alive["signed_up_at"].to_numpy()}).set_index("customer_id")
        for number, rows in enumerate(subsets):
            counting = rows[(rows["first_date"] <= day) & (rows["last_date"] >= day)]
            snapshot[number] = counting.groupby("customer_id")["value"].sum()
            snapshot[number] = snapshot[number].fillna(0.0)
        for signal, rows in lasts.items():
            snapshot[f"last_{signal}_date"] = rows[rows["first_date"] <= day].groupby("customer_id")["event_date"].max()
        snapshot["date"] = day
        days.append(snapshot.reset_index())
    measured = pd.concat(days, ignore_index=True)
    return _feature_columns(measured, wanted, registry, inputs["categories"])


def _feature_columns(measured: pd.DataFrame, wanted, registry, categories) -> pd.DataFrame:
    index = {(m["signal"], m["window_days"], m["category"]): i for i, m in enumerate(wanted)}
    as_of = measured["date"].to_numpy().astype("datetime64[D]")
    out = {"customer_id": measured["customer_id"].to_numpy(), "as_of_date": as_of}
    for feature in registry:
        kind, window = feature["kind"], feature.get("window_days")
        if kind == "days_since_signup":
            out[feature["name"]] = (as_of - measured["signed_up_at"].to_numpy().astype("datetime64[D]")).astype("int64")
        elif kind == "days_since_last":
            last = measured[f"last_{feature['signal']}_date"].to_numpy().astype("datetime64[D]")
            days = pd.array((as_of - np.where(np.isnat(last), as_of, last)).astype("int64"), dtype="Int64")
            days[np.isnat(last)] = pd.NA
            out[feature["name"]] = days
        elif kind == "sum":
            out[feature["name"]] = measured[index[(feature["signal"], window, None)]].to_numpy().astype("int64")
        elif kind == "ratio":
            numerator = measured[index[(feature["signal"], window, None)]].to_numpy()
            denominator = measured[index[(feature["denominator"], window, None)]].to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                out[feature["name"]] = np.where(denominator > 0, numerator / denominator, np.nan)
        else:
            spends = np.column_stack([measured[index[(feature["signal"], window, c)]].to_numpy()
                                      for c in sorted(categories)])
            top = spends.max(axis=1)
            total = spends.sum(axis=1)
            if kind == "top_category":
                first_max = np.argmax(spends == top[:, None], axis=1)
                names = np.array(sorted(categories), dtype=object)[first_max]
                out[feature["name"]] = np.where(top > 0, names, None)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    out[feature["name"]] = np.where(total > 0, top / total, np.nan)
    return pd.DataFrame(out)


def compare(warehouse: Path, features: pd.DataFrame, registry: list[dict]) -> dict:
    """Every value of the pandas features against ml_customer_features_daily: whole numbers and
    amounts exactly (amounts to the cent), rates to 1e-12 relative, categories as text."""
    mismatch = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.register("pandas_features", features)
        join = ("from ml.ml_customer_features_daily d join pandas_features p "
                "on d.customer_id = p.customer_id and d.as_of_date = cast(p.as_of_date as date)")
        for feature in registry:
            n, kind = feature["name"], feature["kind"]
            if kind == "sum" and str(feature["data_type"]).startswith("decimal"):
                condition = f"cast(round(d.{n} * 100) as bigint) is distinct from cast(p.{n} as bigint)"
            elif kind == "sum":
                condition = f"d.{n} is distinct from cast(p.{n} / 100 as bigint)"
            elif kind in ("ratio", "top_category_share"):
                p_null = f"(p.{n} is null or isnan(p.{n}))"
                condition = (f"((d.{n} is null) != {p_null}) or (d.{n} is not null and not {p_null} "
                             f"and abs(d.{n} - p.{n}) > 1e-12 * greatest(1, abs(d.{n})))")
            else:
                condition = f"d.{n} is distinct from p.{n}"
            mismatch[n] = con.execute(f"select count(*) {join} where {condition}").fetchone()[0]
        dbt_rows = con.execute("select count(*) from ml.ml_customer_features_daily").fetchone()[0]
        matched = con.execute(f"select count(*) {join}").fetchone()[0]
    return {"dbt_rows": dbt_rows, "pandas_rows": len(features), "matched_rows": matched,
            "mismatched_values": {k: v for k, v in mismatch.items() if v},
            "agree": dbt_rows == len(features) == matched and not any(mismatch.values())}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    warehouse = Path(argv[0])
    chunks = int(argv[1]) if len(argv) > 1 else 1
    per_date = len(argv) > 2 and argv[2] == "per-date"
    registry = load_registry(PROJECT_DIR)
    started = time.perf_counter()
    inputs = load_inputs(warehouse)
    loaded = time.perf_counter()
    if per_date:
        features = compute_features_per_date(inputs, registry)
    else:
        features = compute_features(inputs, registry, chunks=chunks)
    computed = time.perf_counter()
    result = compare(warehouse, features, registry)
    print(json.dumps({"variant": "per-date" if per_date else "running-sums", "load_seconds": loaded - started,
                      "compute_seconds": computed - loaded,
                      "signal_rows": len(inputs["signals"]), "feature_rows": len(features), **result}))
    return 0 if result["agree"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
