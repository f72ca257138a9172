"""Turn the simulated world into a landing zone of raw files, dirt included, plus a manifest.

Layout (one file per source table and load day)::

    <root>/shop/customers_cdc/YYYY-MM-DD.jsonl   change-data-capture events (Debezium-style, flattened)
    <root>/shop/products/YYYY-MM-DD.csv          daily full extract of the product catalogue
    <root>/shop/orders/YYYY-MM-DD.csv            order versions changed that day
    <root>/shop/order_items/YYYY-MM-DD.csv       order lines created that day
    <root>/shop/payments/YYYY-MM-DD.csv          payment attempts and refunds of that day
    <root>/web/events/YYYY-MM-DD.jsonl           clickstream, by receive date
    <root>/_manifest.json                        what was written and which dirt was injected

Dirt comes in three forms, each counted in the manifest:

* corrupted copies: an extra row that copies a real one and breaks it (a null key, an
  unparseable timestamp, a bad price, a contradicting payload, an epoch-zero time, text with a
  NUL byte, a CDC change of a customer never created...). The clean row stays, so the
  warehouse can be checked exactly: every copy must land in quarantine with the reason named
  by its class;
* in-place dirt that a good pipeline repairs: messy casing and whitespace, timestamps with
  other UTC offsets, CDC events delivered late and out of order, invalid emails, an empty CDC
  file (its day's events come with the next file);
* dirty entities: orders of customers that never existed, orders whose only item is a product
  that never existed, internal test accounts and their orders, one product extract whose
  columns were renamed and extended, orders that arrive days before their customer (an
  account created at checkout that the CDC feed delivers late).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from shopdw.generator import reference as ref
from shopdw.generator.simulate import DAY, HOUR, World, WorldConfig, build_orders, mix, order_versions

NONE = np.iinfo(np.int64).max
MANIFEST = "_manifest.json"

# rates of each dirt class, as a share of the table's clean rows
RATES = {
    "duplicate_row": 0.01,
    "missing_key": 0.002,
    "invalid_timestamp": 0.002,
    "future_timestamp": 0.001,
    "invalid_quantity": 0.003,
    "invalid_price": 0.003,
    "invalid_amount": 0.002,
    "messy_categorical": 0.01,
    "invalid_email": 0.005,
    "mixed_utc_offset": 0.2,
    "cdc_out_of_order": 0.02,
    # orders of customers that never existed; CDC updates and deletes of such customers
    "unknown_customer": 0.001,
    "unknown_product": 0.001,
    # of the accounts created at checkout: their creation reaches the CDC feed 1-3 days after
    # the order's file (the order is quarantined as unknown customer until it does)
    "early_arriving_order": 0.5,
    # a second copy of a row with the same key and version but other content (another order
    # status, another customer segment): the warehouse quarantines every copy of that key
    "conflicting_duplicate": 0.002,
    # a copy whose event time is the epoch (1970-01-01 00:00:00 UTC), a source system's default
    # for a missing time: outside the calendar, so quarantined as out_of_range_timestamp
    "out_of_range_timestamp": 0.001,
    # a copy whose text cannot be published: a NUL byte or a tab in a product name, a JSON
    # object where a page URL belongs, a 5,000-character URL
    "invalid_text": 0.001,
}
MIN_COPIES = 2  # every class appears at least this often in the initial history, at any scale

COPY_CLASSES = {
    "customers_cdc": ["duplicate_row", "missing_key", "invalid_timestamp", "conflicting_duplicate",
                      "unknown_customer"],
    "products": ["duplicate_row", "missing_key", "invalid_price", "invalid_text"],
    "orders": ["duplicate_row", "missing_key", "invalid_timestamp", "future_timestamp", "conflicting_duplicate",
               "out_of_range_timestamp"],
    "order_items": ["duplicate_row", "missing_key", "invalid_quantity", "invalid_price"],
    "payments": ["duplicate_row", "missing_key", "invalid_amount", "invalid_timestamp"],
    "events": ["duplicate_row", "missing_key", "invalid_timestamp", "future_timestamp", "out_of_range_timestamp",
               "invalid_text"],
}

SCHEMA_CHANGE = {"renamed": {"category": "category_name"}, "added": ["color"]}


# --------------------------------------------------------------------------------------
# SQL formatting helpers (the raw files are text: formatting happens in DuckDB, vectorised)
# --------------------------------------------------------------------------------------

def ts_sql(col: str, style: str = "0", offset: str = "0") -> str:
    """Render epoch seconds as an ISO timestamp: Z (style 0), naive UTC (1) or with an offset (2)."""
    col = f"({col})"
    local = f"make_timestamp(({col} + {offset} * 60) * 1000000::bigint)"
    sign = f"(case when {offset} < 0 then '-' else '+' end)"
    suffix = (f"{sign} || lpad((abs({offset}) // 60)::varchar, 2, '0') || ':' "
              f"|| lpad((abs({offset}) % 60)::varchar, 2, '0')")
    return (
        f"case when {col} is null then null "
        f"when {style} = 2 then strftime({local}, '%Y-%m-%dT%H:%M:%S') || {suffix} "
        f"when {style} = 1 then strftime(make_timestamp({col} * 1000000::bigint), '%Y-%m-%d %H:%M:%S') "
        f"else strftime(make_timestamp({col} * 1000000::bigint), '%Y-%m-%dT%H:%M:%SZ') end"
    )


def money_sql(cents: str) -> str:
    return (f"(case when {cents} < 0 then '-' else '' end) || (abs({cents}) // 100)::varchar || '.' "
            f"|| lpad((abs({cents}) % 100)::varchar, 2, '0')")


def pick_sql(variant: str, options: list[str]) -> str:
    whens = " ".join(f"when {k} then {_quote(v)}" for k, v in enumerate(options))
    return f"(case {variant} % {len(options)} {whens} end)"


def messy_sql(value: str, variant: str) -> str:
    """Inconsistent casing and stray whitespace, as hand-typed or badly joined data has. Every
    variant differs from the clean value (an upper-case code is lower-cased, not upper-cased)."""
    return (f"(case {variant} % 4 when 0 then (case when upper({value}) = {value} then lower({value}) "
            f"else upper({value}) end) when 1 then ' ' || {value} || ' ' "
            f"when 2 then lower({value}) || '  ' else '  ' || upper({value}) end)")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def lookup_sql(index: str, values: list[str]) -> str:
    return f"({_list_literal(values)})[{index} + 1]"


def _list_literal(values: list[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


BAD_TIMESTAMPS = ["not-a-date", "2024-13-45T25:61:00Z", "31/02/2024 10:00", "yesterday", "0000-00-00 00:00:00"]
BAD_PRICES = ["N/A", "abc", "12,99", "-5.00", "$"]
BAD_QUANTITIES = ["0", "-1", "-3", "1.5", "two", "1000000000000"]
BAD_AMOUNTS = ["N/A", "-12.50", "abc", "1.2.3"]
BAD_EMAILS = ["{local}.example.com", "{local}@", "@example.com", "{local} @example.com", "{local}@@example.com"]


# --------------------------------------------------------------------------------------
# dirt selection
# --------------------------------------------------------------------------------------

def choose(rng: np.random.Generator, in_history: np.ndarray, rate: float,
           eligible: np.ndarray | None = None) -> np.ndarray:
    """Indices of rows to corrupt: at least MIN_COPIES within the history, then `rate` of the rest."""
    mask = np.ones(len(in_history), dtype=bool) if eligible is None else eligible
    hist = np.flatnonzero(mask & in_history)
    future = np.flatnonzero(mask & ~in_history)
    k_hist = min(len(hist), max(MIN_COPIES, round(rate * len(hist))))
    k_future = min(len(future), round(rate * len(future)))
    return np.sort(np.concatenate([
        rng.choice(hist, k_hist, replace=False) if k_hist else np.array([], dtype=np.int64),
        rng.choice(future, k_future, replace=False) if k_future else np.array([], dtype=np.int64),
    ])).astype(np.int64)


def with_copies(rng: np.random.Generator, cols: dict[str, np.ndarray], table: str, in_history: np.ndarray,
                eligible: np.ndarray | None = None,
                eligible_for: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Append the corrupted copies of the table's copy classes; label originals and copies.

    `eligible` limits which rows any class copies; `eligible_for` narrows it for one class."""
    n = len(in_history)
    parts = [np.arange(n)]
    kinds = [np.full(n, "", dtype=object)]
    for cls in COPY_CLASSES[table]:
        mask = eligible
        if eligible_for and cls in eligible_for:
            mask = eligible_for[cls] if eligible is None else eligible & eligible_for[cls]
        idx = choose(rng, in_history, RATES[cls], mask)
        parts.append(idx)
        kinds.append(np.full(len(idx), cls, dtype=object))
    take = np.concatenate(parts)
    out = {k: v[take] for k, v in cols.items()}
    out["copy_kind"] = np.concatenate(kinds)
    out["variant"] = mix(take, np.arange(len(take)), 401).astype(np.int64) & 0x7FFFFFFF
    return out


def in_place(rng: np.random.Generator, n: int, in_history: np.ndarray, cls: str,
             eligible: np.ndarray | None = None) -> np.ndarray:
    flag = np.zeros(n, dtype=bool)
    flag[choose(rng, in_history, RATES[cls], eligible)] = True
    return flag


def in_conflict(cols: dict[str, np.ndarray], key: np.ndarray) -> np.ndarray:
    """Rows whose copy key (an int64 per row) also has a conflicting_duplicate copy."""
    conflicting = key[cols["copy_kind"] == "conflicting_duplicate"]
    return np.isin(key, conflicting)


def to_arrow(cols: dict[str, np.ndarray]) -> pa.Table:
    arrays = {}
    for name, values in cols.items():
        values = np.asarray(values)
        if values.dtype == object:
            arrays[name] = pa.array([None if v == "" else v for v in values], type=pa.string())
        elif values.dtype == np.int64:
            arrays[name] = pa.array(values, mask=values == NONE)
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


# --------------------------------------------------------------------------------------
# the writer
# --------------------------------------------------------------------------------------

class Landing:
    """Builds every raw table of the world in DuckDB, then writes them a load day at a time."""

    def __init__(self, world: World, last_history_day: int, memory_limit: str = "3GB",
                 anomalies: list[dict] | None = None):
        self.world = world
        self.cfg: WorldConfig = world.config
        self.con = duckdb.connect()
        self.con.execute("set TimeZone = 'UTC'")
        # bounded memory: at SF10+ the tables spill to disk rather than fill the machine
        self._spill = tempfile.TemporaryDirectory(prefix="shopdw-")
        self.con.execute(f"set memory_limit = '{memory_limit}'")
        self.con.execute(f"set temp_directory = '{self._spill.name}'")
        self.rng = np.random.default_rng([self.cfg.seed, 7])
        self.last_history_day = last_history_day
        self.schema_change_day = int(self.cfg.start_ts // DAY) + max(1, self.cfg.days // 2)
        # injected on demand, to prove the anomaly tests: {table, day, volume | delay_hours}
        self.anomalies = anomalies or []
        # per table, the load days whose file is written empty (0 bytes)
        self.empty_files: dict[str, list[int]] = {}

    def keep(self, table: str) -> str:
        """SQL predicate of the rows that reach the files (a volume anomaly drops some)."""
        drops = [f"(file_day = {a['day']} and hash(entity_id, variant) % 1000 >= {int(a['volume'] * 1000)})"
                 for a in self.anomalies if a["table"] == table and "volume" in a]
        return f"not ({' or '.join(drops)})" if drops else "true"

    def loaded_at_column(self, table: str, day: int) -> str:
        for a in self.anomalies:
            if a["table"] == table and a["day"] == day and "delay_hours" in a:
                return (f"strftime(cast(_loaded_at as timestamp) + interval {int(a['delay_hours'])} hour, "
                        "'%Y-%m-%dT%H:%M:%SZ') as _loaded_at")
        return "_loaded_at"

    # each builder creates table raw_<name> with columns: the file's columns, file_day,
    # copy_kind, dirt (in-place class or null) and expect (what the warehouse must do with it)

    def build(self, progress: Callable[[str], None] | None = None) -> None:
        """Create the raw_<table> views: formatted text rows, computed when a day is written."""
        for name, step in [
            ("customers_cdc", self._customers),
            ("products", self._products),
            ("orders", self._orders),
            ("events", self._events),
        ]:
            if progress:
                progress(f"format {name}")
            step()
        self.world = None  # the numpy arrays are in DuckDB now

    def _register(self, name: str, cols: dict[str, np.ndarray]) -> None:
        """Store the numeric rows, sorted by load day so that each day's read skips the rest."""
        self.con.register("incoming", to_arrow(cols))
        self.con.execute(f"create table src_{name} as select * from incoming order by file_day")
        self.con.unregister("incoming")
        cols.clear()

    def _hist(self, file_day: np.ndarray) -> np.ndarray:
        return file_day <= self.last_history_day

    # ---------------- customers: CDC
    def _customers(self) -> None:
        w, rng = self.world, self.rng
        ch = w.customer_changes
        n = len(ch["ts"])
        file_day = ch["ts"] // DAY
        hist = self._hist(file_day)
        late = in_place(rng, n, hist, "cdc_out_of_order", eligible=ch["op"] == 2)
        file_day = file_day + np.where(late, rng.integers(1, 4, n), 0)
        arrival_day = self._early_order_arrival_days()[ch["customer_idx"]]
        late = late | (arrival_day > file_day)
        file_day = np.maximum(file_day, arrival_day)
        file_day, quiet = self._quiet_export(file_day)
        late = late | quiet
        hist = self._hist(file_day)
        messy = in_place(rng, n, hist, "messy_categorical")
        bad_email = in_place(rng, n, hist, "invalid_email", eligible=~ch["is_test"] & ~messy)
        cols = {
            "lsn": ch["lsn"], "op": ch["op"], "ts": ch["ts"], "customer_id": ch["customer_id"],
            "email_version": ch["email_version"], "country": ch["country"], "city": ch["city"],
            "segment": ch["segment"], "signup_ts": ch["signup_ts"], "is_test": ch["is_test"],
            "file_day": file_day, "late": late, "messy": messy, "bad_email": bad_email,
        }
        # a conflicting copy contradicts an update of a real customer: another segment; an
        # unknown_customer copy is an update (or, for odd variants, a delete) of a customer the
        # feed never created, with its own lsn (real lsns are multiples of 8)
        real_update = (ch["op"] == 2) & ~ch["is_test"]
        cols = with_copies(rng, cols, "customers_cdc", self._hist(cols["file_day"]),
                           eligible_for={"conflicting_duplicate": real_update, "unknown_customer": real_update})
        conflicting = cols["copy_kind"] == "conflicting_duplicate"
        cols["segment"] = np.where(conflicting, (cols["segment"] + 1) % len(ref.SEGMENTS), cols["segment"])
        orphan = cols["copy_kind"] == "unknown_customer"
        cols["lsn"] = np.where(orphan, cols["lsn"] + 1, cols["lsn"])
        cols["customer_id"] = np.where(orphan, 95_000_000 + np.cumsum(orphan), cols["customer_id"])
        cols["op"] = np.where(orphan & (cols["variant"] % 2 == 1), 3, cols["op"])
        cols["in_conflict"] = in_conflict(cols, cols["lsn"].astype(np.int64))
        self._register("customers_cdc", cols)
        first = lookup_sql(f"(hash(customer_id, 1) % {len(ref.FIRST_NAMES)})::int", ref.FIRST_NAMES)
        last = lookup_sql(f"(hash(customer_id, 2) % {len(ref.LAST_NAMES)})::int", ref.LAST_NAMES)
        domain = lookup_sql(f"(hash(customer_id, email_version) % {len(ref.EMAIL_DOMAINS)})::int", ref.EMAIL_DOMAINS)
        local = (f"lower({first}) || '.' || lower({last}) || customer_id::varchar "
                 f"|| (case when email_version > 0 then '.' || email_version::varchar else '' end)")
        good_email = f"{local} || '@' || (case when is_test then '{ref.TEST_ACCOUNT_DOMAIN}' else {domain} end)"
        bad = "(case variant % 5 " + " ".join(
            f"when {k} then " + " || ".join(
                _quote(part) if part != "{local}" else f"({local})"
                for part in _split_template(t)
            ) for k, t in enumerate(BAD_EMAILS)) + " end)"
        country_codes = [c[0] for c in ref.COUNTRIES]
        cities = [city for c in ref.COUNTRIES for city in c[5]]
        self.con.execute(f"""
            create view raw_customers_cdc as
            select
                lsn,
                ({_list_literal(['r', 'c', 'u', 'd'])})[op + 1] as op,
                case when copy_kind = 'invalid_timestamp' then {pick_sql('variant', BAD_TIMESTAMPS)}
                     else {ts_sql('ts')} end as committed_at,
                case when copy_kind = 'missing_key' then null else customer_id end as customer_id,
                case when bad_email then {bad} else {good_email} end as email,
                {first} as first_name,
                {last} as last_name,
                '+1-202-555-' || lpad((hash(customer_id, 3) % 10000)::varchar, 4, '0') as phone,
                ({_list_literal(cities)})[country * 3 + city + 1] as city,
                case when messy and variant % 2 = 0
                     then {messy_sql(lookup_sql('country', country_codes), 'variant // 2')}
                     else {lookup_sql('country', country_codes)} end as country_code,
                case when messy and variant % 2 = 1
                     then {messy_sql(lookup_sql('segment', ref.SEGMENTS), 'variant // 2')}
                     else {lookup_sql('segment', ref.SEGMENTS)} end as segment,
                {ts_sql('signup_ts')} as signed_up_at,
                {ts_sql(f'(file_day + 1) * {DAY} + {2 * HOUR}')} as _loaded_at,
                file_day, copy_kind,
                case when copy_kind is null and bad_email then 'invalid_email'
                     when copy_kind is null and messy then 'messy_categorical' end as dirt,
                late as is_late,
                case when copy_kind in ('missing_key', 'invalid_timestamp', 'unknown_customer') then copy_kind
                     when is_test then 'internal_test_account'
                     when in_conflict then 'conflicting_duplicate'
                     when copy_kind = 'duplicate_row' then 'duplicate'
                     else 'staged' end as expect,
                customer_id as entity_id,
                variant
            from src_customers_cdc
        """)

    def _quiet_export(self, file_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One day of the history on which the CDC feed sends an empty (0-byte) file and delivers
        that day's events with the next day's file: the warehouse must ingest and log the empty
        file, warn about it, and stage the events a day late. Returns the new file days and
        which rows moved. Own random stream, so the other dirt stays where it was."""
        rng = np.random.default_rng([self.cfg.seed, 23])
        first = int(self.cfg.start_ts // DAY)
        days = np.unique(file_day[(file_day > first) & (file_day < self.last_history_day)])
        if len(days) == 0:
            return file_day, np.zeros(len(file_day), dtype=bool)
        empty_day = int(rng.choice(days))
        self.empty_files["customers_cdc"] = [empty_day]
        moved = file_day == empty_day
        return np.where(moved, empty_day + 1, file_day), moved

    def _early_order_arrival_days(self) -> np.ndarray:
        """Per customer, the first load day of their change events: 0 (no constraint), or for an
        account created at checkout whose creation the CDC feed delivers one to three days
        after the order's own file, that later day. Its order arrives before its customer.
        Own random stream, so the other dirt stays where it was."""
        c = self.world.customers
        rng = np.random.default_rng([self.cfg.seed, 17])
        checkout = c["checkout_order_ts"] != NONE
        late_sync = np.zeros(len(checkout), dtype=bool)
        late_sync[choose(rng, self._hist(c["checkout_order_ts"] // DAY), RATES["early_arriving_order"],
                         eligible=checkout)] = True
        delay = rng.integers(1, 4, len(checkout))
        arrival = np.where(late_sync, np.where(checkout, c["checkout_order_ts"], 0) // DAY + delay, 0)
        self.con.register("arrival", pa.table({"customer_id": c["customer_id"], "late_sync": late_sync}))
        self.con.execute("create table customer_late_sync as select * from arrival where late_sync")
        self.con.unregister("arrival")
        return arrival

    # ---------------- products: daily full extracts
    def _products(self) -> None:
        w, rng = self.world, self.rng
        ex = w.product_extracts
        n = len(ex["day"])
        hist = self._hist(ex["day"])
        messy = in_place(rng, n, hist, "messy_categorical")
        cols = {
            "product_id": ex["product_idx"] + 1, "file_day": ex["day"], "price": ex["price_usd_cents"],
            "category": ex["category"], "brand": ex["brand"], "updated_ts": ex["updated_ts"],
            "category0": w.products["category0"][ex["product_idx"]],
            "brand0": w.products["brand0"][ex["product_idx"]], "messy": messy,
        }
        cols = with_copies(rng, cols, "products", hist)
        self._register("products", cols)
        cat_names = [c[1] for c in ref.CATEGORIES]
        self.con.execute(f"""
            create view raw_products as
            select
                case when copy_kind = 'missing_key' then null else product_id end as product_id,
                'SKU-' || lpad(product_id::varchar, 6, '0') as sku,
                {lookup_sql('brand0', ref.BRANDS)} || ' ' || {lookup_sql('category0', cat_names)}
                    || (case when copy_kind = 'invalid_text'
                                  then (case when variant % 2 = 0 then chr(0) else chr(9) end)
                             else '' end)
                    || ' Item ' || product_id::varchar as product_name,
                case when messy and variant % 2 = 0 then {messy_sql(lookup_sql('category', cat_names), 'variant // 2')}
                     else {lookup_sql('category', cat_names)} end as category,
                case when messy and variant % 2 = 1 then {messy_sql(lookup_sql('brand', ref.BRANDS), 'variant // 2')}
                     else {lookup_sql('brand', ref.BRANDS)} end as brand,
                case when copy_kind = 'invalid_price' then {pick_sql('variant', BAD_PRICES)}
                     else {money_sql('price')} end as price,
                'USD' as currency,
                {ts_sql('updated_ts')} as updated_at,
                {ts_sql(f'(file_day + 1) * {DAY} + {HOUR}')} as _loaded_at,
                {lookup_sql('(hash(product_id, 9) % 5)::int', ['red', 'blue', 'black', 'white', 'green'])} as color,
                file_day, copy_kind,
                case when copy_kind is null and messy then 'messy_categorical' end as dirt,
                case when copy_kind = 'duplicate_row' then 'duplicate'
                     when copy_kind is not null then copy_kind
                     else 'version' end as expect,
                product_id as entity_id,
                variant
            from src_products
        """)

    # ---------------- orders, items, payments
    def _orders(self) -> None:
        w, rng, cfg = self.world, self.rng, self.cfg
        o = w.orders
        n_real = len(o["order_id"])
        sim_span = (cfg.days + cfg.horizon_days) * DAY

        def extra_orders(rate: float, first_id: int, unknown_product: bool) -> dict:
            k_hist = max(MIN_COPIES, round(rate * n_real * cfg.days / (cfg.days + cfg.horizon_days)))
            k = k_hist + round(rate * n_real * cfg.horizon_days / (cfg.days + cfg.horizon_days))
            span_hist = cfg.days * DAY - 2 * DAY
            placed = np.concatenate([
                cfg.start_ts + HOUR + (rng.random(k_hist) * span_hist).astype(np.int64),
                cfg.history_end_ts + (rng.random(k - k_hist) * (sim_span - cfg.days * DAY - 2 * DAY)).astype(np.int64),
            ])
            if unknown_product:
                real = np.flatnonzero(w.customers["is_pre"] & ~w.customers["is_test"])
                cust = real[rng.integers(0, len(real), k)]
                products = 80_000_000 + np.arange(k)
            else:
                cust = np.full(k, -1)
                products = None
            orders = build_orders(rng, cfg, w, cust, placed, first_id, product_override=products)
            if not unknown_product:
                orders["customer_id"] = 90_000_000 + np.arange(k)
            return orders

        unk_c = extra_orders(RATES["unknown_customer"], n_real + 1, unknown_product=False)
        unk_p = extra_orders(RATES["unknown_product"], n_real + 1 + len(unk_c["order_id"]), unknown_product=True)
        entity = np.concatenate([
            np.full(n_real, "", dtype=object),
            np.full(len(unk_c["order_id"]), "unknown_customer", dtype=object),
            np.full(len(unk_p["order_id"]), "unknown_product", dtype=object),
        ])
        is_test = w.customers["is_test"]
        test_order = np.concatenate([
            (o["customer_idx"] >= 0) & is_test[np.maximum(o["customer_idx"], 0)],
            np.zeros(len(unk_c["order_id"]) + len(unk_p["order_id"]), dtype=bool),
        ])
        entity = np.where(test_order, "internal_test_account", entity)
        allo = {k: np.concatenate([o[k], unk_c[k], unk_p[k]])
                for k in o if k not in ("items", "payments")}
        versions = order_versions(allo, rng)
        self.order_entity = dict(zip(allo["order_id"].tolist(), entity.tolist()))

        # orders: one row per version
        vi = versions["order_idx"]
        file_day = versions["updated_ts"] // DAY + versions["lag_days"]
        hist = self._hist(file_day)
        clean = entity[vi] == ""
        messy = in_place(rng, len(vi), hist, "messy_categorical")
        style = np.where(rng.random(len(vi)) < RATES["mixed_utc_offset"], 2, rng.integers(0, 2, len(vi)))
        offsets = np.array([-300, -240, 60, 120, 330, 600])[rng.integers(0, 6, len(vi))]
        cols = {
            "order_id": allo["order_id"][vi], "customer_id": allo["customer_id"][vi], "status": versions["status"],
            "currency": allo["currency"][vi], "subtotal": allo["subtotal_cents"][vi],
            "discount": allo["discount_cents"][vi], "shipping": allo["shipping_cents"][vi],
            "total": allo["total_cents"][vi], "updated_ts": versions["updated_ts"],
            **{f"{s}_ts": versions[f"{s}_ts"] for s in ref.ORDER_STATUSES},
            "file_day": file_day, "messy": messy, "style": style, "utc_offset": offsets,
            "entity": entity[vi],
        }
        # a conflicting copy contradicts a version that a later version of the order replaces in
        # the same (or an earlier) file, so no build ever shows it as the order's current state
        replaced_at_once = np.zeros(len(vi), dtype=bool)
        replaced_at_once[:-1] = (vi[1:] == vi[:-1]) & (file_day[1:] <= file_day[:-1])
        cols = with_copies(rng, cols, "orders", hist, eligible=clean,
                           eligible_for={"conflicting_duplicate": replaced_at_once})
        conflicting = cols["copy_kind"] == "conflicting_duplicate"
        cancelled, paid = ref.ORDER_STATUSES.index("cancelled"), ref.ORDER_STATUSES.index("paid")
        cols["status"] = np.where(conflicting, np.where(cols["status"] == cancelled, paid, cancelled), cols["status"])
        cols["in_conflict"] = in_conflict(
            cols, cols["order_id"].astype(np.int64) * (1 << 31) + cols["updated_ts"].astype(np.int64))
        self._register("orders", cols)
        currencies = [c[0] for c in ref.CURRENCIES]
        future = f"(file_day + 1) * {DAY} + (30 + variant % 400) * {DAY}"
        ts_cols = ",\n".join(
            f"{ts_sql(f'{s}_ts', 'style', 'utc_offset')} as {s}_at" for s in ref.ORDER_STATUSES if s != "placed")
        self.con.execute(f"""
            create view raw_orders as
            select
                case when copy_kind = 'missing_key' and variant % 2 = 0 then null else order_id end as order_id,
                case when copy_kind = 'missing_key' and variant % 2 = 1 then null else customer_id end as customer_id,
                case when messy then {messy_sql(lookup_sql('status', ref.ORDER_STATUSES), 'variant')}
                     else {lookup_sql('status', ref.ORDER_STATUSES)} end as status,
                {lookup_sql('currency', currencies)} as currency,
                {money_sql('subtotal')} as items_subtotal,
                {money_sql('discount')} as discount_amount,
                {money_sql('shipping')} as shipping_amount,
                {money_sql('total')} as order_total,
                case when copy_kind = 'invalid_timestamp' and variant % 2 = 0
                          then {pick_sql('variant // 2', BAD_TIMESTAMPS)}
                     when copy_kind = 'future_timestamp' then {ts_sql(future)}
                     when copy_kind = 'out_of_range_timestamp' then {ts_sql('0')}
                     else {ts_sql('placed_ts', 'style', 'utc_offset')} end as placed_at,
                {ts_cols},
                case when copy_kind = 'invalid_timestamp' and variant % 2 = 1
                          then {pick_sql('variant // 2', BAD_TIMESTAMPS)}
                     when copy_kind = 'future_timestamp' then {ts_sql(future)}
                     else {ts_sql('updated_ts', 'style', 'utc_offset')} end as updated_at,
                {ts_sql(f'(file_day + 1) * {DAY} + {2 * HOUR}')} as _loaded_at,
                file_day, copy_kind,
                case when copy_kind is null and messy then 'messy_categorical'
                     when copy_kind is null and style = 2 then 'mixed_utc_offset' end as dirt,
                case when copy_kind in ('missing_key', 'invalid_timestamp', 'future_timestamp',
                                        'out_of_range_timestamp')
                     then copy_kind
                     when in_conflict then 'conflicting_duplicate'
                     when copy_kind = 'duplicate_row' then 'duplicate'
                     else 'version' end as expect,
                entity,
                order_id as entity_id,
                variant
            from src_orders
        """)

        # items: written with the order's placement
        items = {k: np.concatenate([o["items"][k], unk_c["items"][k], unk_p["items"][k]]) for k in o["items"]}
        item_entity = np.array([self.order_entity[i] for i in items["order_id"].tolist()], dtype=object)
        file_day = items["ts"] // DAY
        hist = self._hist(file_day)
        cols = {**items, "order_item_id": np.arange(1, len(file_day) + 1), "file_day": file_day,
                "entity": item_entity}
        cols = with_copies(rng, cols, "order_items", hist, eligible=item_entity == "")
        self._register("order_items", cols)
        self.con.execute(f"""
            create view raw_order_items as
            select
                case when copy_kind = 'missing_key' and variant % 3 = 0 then null else order_item_id end
                    as order_item_id,
                case when copy_kind = 'missing_key' and variant % 3 = 1 then null else order_id end as order_id,
                case when copy_kind = 'missing_key' and variant % 3 = 2 then null else product_id end as product_id,
                case when copy_kind = 'invalid_quantity' then {pick_sql('variant', BAD_QUANTITIES)}
                     else quantity::varchar end as quantity,
                case when copy_kind = 'invalid_price' then {pick_sql('variant', BAD_PRICES)}
                     else {money_sql('unit_price_cents')} end as unit_price,
                {money_sql('discount_cents')} as discount_amount,
                {ts_sql('ts')} as created_at,
                {ts_sql(f'(file_day + 1) * {DAY} + {2 * HOUR}')} as _loaded_at,
                file_day, copy_kind, null::varchar as dirt,
                case when copy_kind = 'duplicate_row' then 'duplicate'
                     when copy_kind is not null then copy_kind
                     else 'staged' end as expect,
                entity,
                order_item_id as entity_id,
                variant
            from src_order_items
        """)

        # payments
        pay = {k: np.concatenate([o["payments"][k], unk_c["payments"][k], unk_p["payments"][k]]) for k in o["payments"]}
        order = np.lexsort((pay["order_id"], pay["ts"]))
        pay = {k: v[order] for k, v in pay.items()}
        pay_entity = np.array([self.order_entity[i] for i in pay["order_id"].tolist()], dtype=object)
        file_day = pay["ts"] // DAY
        hist = self._hist(file_day)
        messy = in_place(rng, len(file_day), hist, "messy_categorical")
        cols = {**pay, "payment_id": np.arange(1, len(file_day) + 1), "file_day": file_day, "messy": messy,
                "entity": pay_entity}
        cols = with_copies(rng, cols, "payments", hist, eligible=pay_entity == "")
        self._register("payments", cols)
        self.con.execute(f"""
            create view raw_payments as
            select
                case when copy_kind = 'missing_key' and variant % 2 = 0 then null else payment_id end as payment_id,
                case when copy_kind = 'missing_key' and variant % 2 = 1 then null else order_id end as order_id,
                {lookup_sql('payment_type', ['charge', 'refund'])} as payment_type,
                case when messy then {messy_sql(lookup_sql('method', ref.PAYMENT_METHODS), 'variant')}
                     else {lookup_sql('method', ref.PAYMENT_METHODS)} end as payment_method,
                {lookup_sql('status', ['succeeded', 'failed'])} as status,
                case when copy_kind = 'invalid_amount' then {pick_sql('variant', BAD_AMOUNTS)}
                     else {money_sql('amount_cents')} end as amount,
                {lookup_sql('currency', currencies)} as currency,
                case when copy_kind = 'invalid_timestamp' then {pick_sql('variant', BAD_TIMESTAMPS)}
                     else {ts_sql('ts')} end as created_at,
                {ts_sql(f'(file_day + 1) * {DAY} + {2 * HOUR}')} as _loaded_at,
                file_day, copy_kind,
                case when copy_kind is null and messy then 'messy_categorical' end as dirt,
                case when copy_kind = 'duplicate_row' then 'duplicate'
                     when copy_kind is not null then copy_kind
                     else 'staged' end as expect,
                entity,
                payment_id as entity_id,
                variant
            from src_payments
        """)

    # ---------------- web events
    def _events(self) -> None:
        w, rng = self.world, self.rng
        ev = w.events
        n = len(ev["ts"])
        received = ev["received_ts"].copy()
        file_day = received // DAY
        hist = self._hist(file_day)
        messy = in_place(rng, n, hist, "messy_categorical")
        cols = {**ev, "file_day": file_day, "messy": messy}
        # a redelivered copy can land a day later: keep the copies off the history's last day,
        # so that every class is guaranteed inside the history whatever its length
        cols = with_copies(rng, cols, "events", hist, eligible=file_day != self.last_history_day)
        # at-least-once delivery: a duplicate is received again, seconds to a day later
        is_dup = cols["copy_kind"] == "duplicate_row"
        redelivery = np.where(rng.random(len(is_dup)) < 0.2, rng.integers(3_600, DAY, len(is_dup)),
                              rng.integers(1, 120, len(is_dup)))
        cols["received_ts"] = cols["received_ts"] + np.where(is_dup, redelivery, 0)
        cols["file_day"] = cols["received_ts"] // DAY
        self._register("events", cols)
        offsets = [c[4] for c in ref.COUNTRIES] + [-480, 330, 540]
        offset = (f"(case when visitor >= {2_000_000_000} then 0 else "
                  f"({_list_literal([str(x) for x in offsets])})"
                  f"[(hash(visitor, 5) % {len(offsets)})::int + 1]::int end)")
        bot_agent = lookup_sql(f'(hash(visitor) % {len(ref.BOT_USER_AGENTS)})::int', ref.BOT_USER_AGENTS)
        ua = (f"case when visitor >= 2000000000 then {bot_agent} "
              f"else {lookup_sql(f'(hash(visitor // 4 * 4, 6) % {len(ref.USER_AGENTS)})::int', ref.USER_AGENTS)} end")
        future = f"received_ts + (30 + variant % 400) * {DAY}"
        self.con.execute(f"""
            create view raw_events as
            with typed as (
                select *, {offset} as tz_offset,
                    {lookup_sql('event_type', ref.EVENT_TYPES)} as event_type_name
                from src_events
            )
            select
                case when copy_kind = 'missing_key' then null
                     else md5('{self.cfg.seed}:' || event_no::varchar) end as event_id,
                case when messy then {messy_sql('event_type_name', 'variant')} else event_type_name end as event_type,
                case when copy_kind = 'invalid_timestamp' then {pick_sql('variant', BAD_TIMESTAMPS)}
                     when copy_kind = 'future_timestamp' then {ts_sql(future, '2', 'tz_offset')}
                     when copy_kind = 'out_of_range_timestamp' then {ts_sql('0')}
                     else {ts_sql('ts', '2', 'tz_offset')} end as occurred_at,
                {ts_sql('received_ts')} as received_at,
                'anon-' || left(md5('visitor:{self.cfg.seed}:' || visitor::varchar), 20) as anonymous_id,
                nullif(customer_id, 0) as customer_id,
                -- JSON typed: a JSON object where the URL string belongs, written as an object
                case when copy_kind = 'invalid_text' and variant % 2 = 0
                          then '{{"path": "/", "query": {{"q": 1}}}}'::json
                     else to_json(case when copy_kind = 'invalid_text' then '/search?q=' || repeat('x', 5000)
                     else case event_type_name
                    when 'product_view' then '/products/' || product_id::varchar
                    when 'add_to_cart' then '/cart/add/' || product_id::varchar
                    when 'remove_from_cart' then '/cart/remove/' || product_id::varchar
                    when 'login' then '/account/login'
                    when 'checkout' then '/checkout'
                    when 'purchase' then '/checkout/confirmation'
                    else (['/', '/deals', '/search', '/category'])[(hash(event_no) % 4)::int + 1]
                end end) end as page_url,
                nullif(product_id, 0) as product_id,
                nullif(order_id, 0) as order_id,
                {ua} as user_agent,
                {ts_sql(f'(file_day + 1) * {DAY} + {2 * HOUR}')} as _loaded_at,
                file_day, copy_kind,
                case when copy_kind is null and messy then 'messy_categorical' end as dirt,
                received_ts - ts > {DAY} as is_late,
                case when copy_kind = 'duplicate_row' then 'duplicate'
                     when copy_kind is not null then copy_kind
                     else 'staged' end as expect,
                visitor >= 2000000000 as is_bot,
                event_no as entity_id,
                variant
            from typed
        """)

    # ------------------------------------------------------------------ writing
    FILES = {
        "customers_cdc": ("shop/customers_cdc", "jsonl"),
        "products": ("shop/products", "csv"),
        "orders": ("shop/orders", "csv"),
        "order_items": ("shop/order_items", "csv"),
        "payments": ("shop/payments", "csv"),
        "events": ("web/events", "jsonl"),
    }
    META_COLUMNS = ["file_day", "copy_kind", "dirt", "expect", "entity", "entity_id", "variant", "is_bot", "is_late"]

    def columns(self, table: str) -> list[str]:
        names = [r[0] for r in self.con.execute(f"select * from raw_{table} limit 0").description]
        cols = [c for c in names if c not in self.META_COLUMNS]
        if table == "products":
            cols.remove("color")
        return cols

    def write_day(self, root: Path, table: str, day: int) -> int:
        folder, fmt = self.FILES[table]
        path = root / folder / f"{_day_str(day)}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        cols = self.columns(table)
        if table == "products" and day == self.schema_change_day:
            select_list = [f"{c} as {SCHEMA_CHANGE['renamed'].get(c, c)}" for c in cols] + SCHEMA_CHANGE["added"]
        else:
            select_list = cols
        select_list = [self.loaded_at_column(table, day) if c == "_loaded_at" else c for c in select_list]
        # CDC feeds arrive out of log order; everything else in a stable, shuffled-by-hash order
        order = "hash(lsn, variant), variant" if table == "customers_cdc" else "hash(entity_id, copy_kind), variant"
        where = f"file_day = {day} and {self.keep(table)}"
        query = f"select {', '.join(select_list)} from raw_{table} where {where} order by {order}"
        count = self.con.execute(f"select count(*) from raw_{table} where {where}").fetchone()[0]
        if count == 0 and table != "products":
            if day in self.empty_files.get(table, []):
                path.write_bytes(b"")  # an export that ran and found nothing to send
            return 0
        options = "(format json)" if fmt == "jsonl" else "(header, delimiter ',')"
        self.con.execute(f"copy ({query}) to '{path}' {options}")
        return count

    def counts(self, table: str, first_day: int, last_day: int) -> dict:
        """What the written rows hold, by injected class and by what the warehouse must do."""
        where = f"file_day between {first_day} and {last_day} and {self.keep(table)}"
        q = self.con.execute
        empty = [_day_str(d) for d in self.empty_files.get(table, []) if first_day <= d <= last_day]
        out = {
            "rows": q(f"select count(*) from raw_{table} where {where}").fetchone()[0],
            "files": q(f"select count(distinct file_day) from raw_{table} where {where}").fetchone()[0] + len(empty),
            # files written without a row (0 bytes): ingested with row_count 0, logged and warned
            "empty_files": empty,
            "copies": dict(q(f"select copy_kind, count(*) from raw_{table} where {where} and copy_kind is not null "
                             "group by 1 order by 1").fetchall()),
            "in_place": dict(q(f"select dirt, count(*) from raw_{table} where {where} and dirt is not null "
                               "group by 1 order by 1").fetchall()),
            "expect": dict(q(f"select expect, count(*) from raw_{table} where {where} "
                             "group by 1 order by 1").fetchall()),
            # in-place dirt on the rows the warehouse must keep: it has to repair these, not reject them
            "in_place_kept": dict(q(f"select dirt, count(*) from raw_{table} where {where} and dirt is not null "
                                    "and copy_kind is null and expect in ('staged', 'version') "
                                    "group by 1 order by 1").fetchall()),
        }
        if table in ("customers_cdc", "events"):
            name = "cdc_out_of_order" if table == "customers_cdc" else "late_arrival"
            out["in_place"][name] = q(f"select count(*) from raw_{table} where {where} and copy_kind is null "
                                      "and is_late").fetchone()[0]
            # delivered in a later file than they happened (CDC: out of log order; web: late arrival)
            out["late_kept"] = q(f"select count(*) from raw_{table} where {where} and copy_kind is null "
                                 "and expect = 'staged' and is_late").fetchone()[0]
        return out


def _split_template(template: str) -> list[str]:
    parts, rest = [], template
    while "{local}" in rest:
        before, rest = rest.split("{local}", 1)
        if before:
            parts.append(before)
        parts.append("{local}")
    if rest:
        parts.append(rest)
    return parts


def _day_str(day: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=int(day))).isoformat()


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def config_to_json(cfg: WorldConfig) -> dict:
    out = asdict(cfg)
    out["start_date"] = cfg.start_date.isoformat()
    return out


def read_manifest(root: Path) -> dict:
    path = root / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"no landing zone at {root}: {MANIFEST} is missing (generate the history first)")
    return json.loads(path.read_text())
