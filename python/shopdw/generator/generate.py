"""Generate the shop's landing zone: the initial history, or the next day's loads on top of it."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tqdm import tqdm

from shopdw.generator.landing import (
    MANIFEST,
    SCHEMA_CHANGE,
    Landing,
    _day_str,
    config_to_json,
    day_number,
    read_manifest,
)
from shopdw.generator.simulate import WorldConfig, simulate_world

TABLES = ["customers_cdc", "products", "orders", "order_items", "payments", "events"]


@dataclass
class Result:
    root: Path
    days_written: list[str]
    rows_written: int
    seconds: float
    manifest: dict


def default_end_date() -> date:
    """Yesterday (UTC): the loads of a fresh landing zone are then as fresh as a nightly batch."""
    return datetime.now(UTC).date() - timedelta(days=1)


def parse_anomaly(text: str) -> dict:
    """TABLE:YYYY-MM-DD:volume=F (keep a share F of the day's rows) or :delay_hours=H."""
    try:
        table, day, setting = text.split(":")
        kind, value = setting.split("=")
        if table not in TABLES or kind not in ("volume", "delay_hours"):
            raise ValueError
        anomaly = {"table": table, "date": date.fromisoformat(day).isoformat(), kind: float(value)}
    except ValueError:
        raise ValueError(f"bad anomaly {text!r}: expected TABLE:YYYY-MM-DD:volume=0.2 or "
                         f"TABLE:YYYY-MM-DD:delay_hours=30, TABLE one of {', '.join(TABLES)}") from None
    if "volume" in anomaly and not 0 <= anomaly["volume"] < 1:
        raise ValueError(f"bad anomaly {text!r}: volume is the share of rows kept, in [0, 1)")
    return anomaly


def parse_drift(text: str) -> dict:
    """YYYY-MM-DD:order_value=F: from that date on, prices (and order values) times F."""
    try:
        day, setting = text.split(":")
        kind, value = setting.split("=")
        if kind != "order_value" or float(value) <= 0:
            raise ValueError
        return {"drift_from": date.fromisoformat(day).isoformat(), "drift_order_value": float(value)}
    except ValueError:
        raise ValueError(f"bad drift {text!r}: expected YYYY-MM-DD:order_value=1.8 (a positive factor)") from None


def generate_history(root: Path, scale: float = 1.0, seed: int = 42, days: int = 365,
                     end_date: date | None = None, horizon_days: int = 60, force: bool = False,
                     progress: bool = True, anomalies: list[dict] | None = None,
                     drift: dict | None = None) -> Result:
    """Write `days` days of loads ending on `end_date` into an empty landing zone."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if days < 2:
        raise ValueError("days must be at least 2 (one extract carries a schema change)")
    end_date = end_date or default_end_date()
    if root.exists() and any(root.iterdir()):
        if not force:
            raise FileExistsError(f"{root} is not empty: pass --force to replace it, or --next-day to extend it")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    cfg = WorldConfig(scale=scale, seed=seed, start_date=end_date - timedelta(days=days - 1), days=days,
                      horizon_days=horizon_days, **(drift or {}))
    first = day_number(cfg.start_date)
    return _write(root, cfg, list(range(first, first + days)), progress, anomalies=anomalies or [])


def generate_next_day(root: Path, progress: bool = True) -> Result:
    """Add the loads of the day after the last written one, from the same simulated world."""
    manifest = read_manifest(root)
    c = manifest["config"]
    cfg = WorldConfig(scale=c["scale"], seed=c["seed"], start_date=date.fromisoformat(c["start_date"]),
                      days=c["days"], horizon_days=c["horizon_days"], drift_from=c.get("drift_from"),
                      drift_order_value=c.get("drift_order_value", 1.0))
    next_day = day_number(date.fromisoformat(manifest["last_load_date"])) + 1
    horizon_last = day_number(cfg.start_date) + cfg.days + cfg.horizon_days - 3
    if next_day > horizon_last:
        raise ValueError(
            f"the world of this landing zone was simulated up to {_day_str(horizon_last)}; "
            "generate a new history (with a larger --horizon-days) to go further")
    return _write(root, cfg, [next_day], progress, previous=manifest, anomalies=manifest.get("anomalies", []))


def _write(root: Path, cfg: WorldConfig, days: list[int], progress: bool, previous: dict | None = None,
           anomalies: list[dict] | None = None) -> Result:
    started = time.perf_counter()
    bar = tqdm(total=4 + 4 + len(days) * len(TABLES), desc="generate", unit="step", disable=not progress,
               leave=False)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    world = simulate_world(cfg, progress=step)
    anomalies = anomalies or []
    landing = Landing(world, last_history_day=day_number(cfg.start_date) + cfg.days - 1,
                      anomalies=[{**a, "day": day_number(date.fromisoformat(a["date"]))} for a in anomalies])
    del world
    landing.build(progress=step)

    rows = 0
    for day in days:
        for table in TABLES:
            bar.set_postfix_str(f"{_day_str(day)} {table}")
            rows += landing.write_day(root, table, day)
            bar.update(1)
    bar.close()

    first_day = day_number(cfg.start_date)
    last_day = days[-1]
    manifest = {
        "config": config_to_json(cfg),
        "first_load_date": _day_str(first_day),
        "last_load_date": _day_str(last_day),
        "history_end_date": _day_str(first_day + cfg.days - 1),
        "schema_change": {
            "file": f"shop/products/{_day_str(landing.schema_change_day)}.csv",
            **SCHEMA_CHANGE,
        } if landing.schema_change_day <= last_day else None,
        "tables": expectations(landing, first_day, last_day),
        "anomalies": anomalies,
        "generated_seconds": round(time.perf_counter() - started, 2),
        "days_generated_by_next_day": (previous or {}).get("days_generated_by_next_day", 0) + (1 if previous else 0),
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Result(root, [_day_str(d) for d in days], rows, time.perf_counter() - started, manifest)


def expectations(landing: Landing, first_day: int, last_day: int) -> dict:
    """Per source table: rows written, dirt injected, and what the warehouse must make of them.

    `expect` counts raw rows by their fate in staging (staged, duplicate, superseded version, or
    a quarantine reason); `integrity` counts staged rows by their fate in the referential checks
    of the intermediate layer (accepted, or a quarantine reason).
    """
    q = landing.con.execute
    where = f"file_day between {first_day} and {last_day}"
    out = {table: landing.counts(table, first_day, last_day) for table in TABLES}

    def entities(sql: str) -> int:
        return q(sql).fetchone()[0]

    # versioned sources: one staged row per entity, the other valid originals are superseded
    for table in ("orders", "products"):
        staged = entities(f"select count(distinct entity_id) from raw_{table} where {where} "
                          f"and {landing.keep(table)} and copy_kind is null and expect = 'version'")
        versions = out[table]["expect"].pop("version", 0)
        out[table]["expect"]["staged"] = staged
        out[table]["expect"]["superseded"] = versions - staged
    out["products"]["current"] = entities(
        f"select count(distinct entity_id) from raw_products where file_day = {last_day} "
        f"and {landing.keep('products')} and copy_kind is null")

    # an order whose customer's first change event is not loaded yet waits as unknown customer
    arrivals = (f"select entity_id as customer_id, min(file_day) as arrival_day from raw_customers_cdc "
                f"where {where} and {landing.keep('customers_cdc')} and copy_kind is null group by 1")
    written_orders = f"""
        select
            orders.entity_id as order_id,
            coalesce(any_value(orders.entity),
                     case when any_value(arrivals.customer_id) is null then 'unknown_customer' end) as entity,
            min(orders.file_day) < min(arrivals.arrival_day) as arrived_before_customer
        from raw_orders as orders
        left join ({arrivals}) as arrivals on orders.customer_id = arrivals.customer_id
        where orders.{where} and {landing.keep('orders')} and orders.copy_kind is null
        group by 1"""
    out["orders"]["arrived_before_customer"] = entities(
        f"select count(*) from ({written_orders}) where arrived_before_customer")
    out["orders"]["integrity"] = dict(q(f"""
        select case entity when 'unknown_product' then 'order_without_valid_items'
                           else coalesce(entity, 'accepted') end, count(*)
        from ({written_orders}) group by 1 order by 1""").fetchall())
    for table in ("order_items", "payments"):
        product_rule = "when child.entity = 'unknown_product' then 'unknown_product'" if table == "order_items" else ""
        out[table]["integrity"] = dict(q(f"""
            select
                case when parent.order_id is null then 'unknown_order'
                     {product_rule}
                     when parent.entity is not null then 'parent_order_rejected'
                     else 'accepted' end as fate,
                count(*)
            from raw_{table} as child
            left join ({written_orders}) as parent on parent.order_id = child.order_id
            where child.file_day between {first_day} and {last_day} and {landing.keep(table)}
                and child.expect = 'staged'
            group by 1 order by 1""").fetchall())
    out["customers_cdc"]["customers"] = entities(
        f"select count(distinct entity_id) from raw_customers_cdc where {where} "
        f"and {landing.keep('customers_cdc')} and expect = 'staged'")
    out["events"]["bot_events"] = entities(
        f"select count(*) from raw_events where {where} and {landing.keep('events')} "
        "and expect = 'staged' and is_bot")
    return out
