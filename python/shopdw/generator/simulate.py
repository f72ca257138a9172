"""Simulate the clean world of the shop: customers, products, orders, payments, web sessions.

Everything is vectorised with numpy and deterministic from one seed. Times are int64 seconds
since the Unix epoch, in UTC. The world is simulated from history start to a horizon some
days past the last written load, so that next-day mode can write day N+1 from the very same
world (the simulation never depends on how many days were already written).

Dirt is not added here: :mod:`shopdw.dirt` corrupts the clean tables afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

from shopdw.generator import reference as ref

DAY = 86_400
HOUR = 3_600
# new customers who sign up at checkout, to place their first order minutes later
CHECKOUT_SIGNUP_SHARE = 0.35
_KEY_SHIFT = 34  # 2**34 seconds is ~544 years: room for any timestamp offset we use


@dataclass(frozen=True)
class WorldConfig:
    """What the world depends on; the same config always gives the same world."""

    scale: float
    seed: int
    start_date: date
    days: int
    horizon_days: int = 60
    # behaviour drift, to prove the drift monitor: from this date (YYYY-MM-DD) on, prices
    # (and so order values) are multiplied by drift_order_value
    drift_from: str | None = None
    drift_order_value: float = 1.0

    @property
    def start_ts(self) -> int:
        return day_ts(self.start_date)

    @property
    def history_end_ts(self) -> int:
        """Exclusive end of the initial history (midnight after its last day)."""
        return self.start_ts + self.days * DAY

    @property
    def horizon_end_ts(self) -> int:
        return self.history_end_ts + self.horizon_days * DAY


def day_ts(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


def ts_day(ts: np.ndarray) -> np.ndarray:
    """Day number (days since epoch) of each timestamp."""
    return np.floor_divide(ts, DAY)


def mix(*cols: np.ndarray | int) -> np.ndarray:
    """A vectorised splitmix64 hash of the columns: stable attributes per (entity, version)."""
    acc = np.zeros(1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in cols:
            acc = acc * np.uint64(0x9E3779B97F4A7C15) + np.asarray(col).astype(np.uint64)
            acc ^= acc >> np.uint64(30)
            acc *= np.uint64(0xBF58476D1CE4E5B9)
            acc ^= acc >> np.uint64(27)
            acc *= np.uint64(0x94D049BB133111EB)
            acc ^= acc >> np.uint64(31)
    return acc


def unit(h: np.ndarray) -> np.ndarray:
    """Hash to a float in [0, 1)."""
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def weighted_pick(u: np.ndarray, weights: list[float]) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(weights) - 1)


def group_starts(groups: np.ndarray) -> np.ndarray:
    """For a sorted group column, the index of the first row of each row's group."""
    is_start = np.ones(len(groups), dtype=bool)
    is_start[1:] = groups[1:] != groups[:-1]
    return np.maximum.accumulate(np.where(is_start, np.arange(len(groups)), 0))


def group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum of values within each group of a sorted group column (inclusive)."""
    total = np.cumsum(values)
    starts = group_starts(groups)
    return total - total[starts] + values[starts]


class ChangeLog:
    """Counts, per entity, how many changes happened at or before a time."""

    def __init__(self, entity: np.ndarray, ts: np.ndarray, base_ts: int):
        self.base_ts = base_ts
        self.keys = np.sort(self._key(entity, ts))

    def _key(self, entity: np.ndarray, ts: np.ndarray) -> np.ndarray:
        offset = np.asarray(ts, dtype=np.int64) - self.base_ts
        if len(offset) and (offset.min() < 0 or offset.max() >= (1 << _KEY_SHIFT)):
            raise ValueError("timestamp outside the change log's range")
        return (np.asarray(entity, dtype=np.int64) << _KEY_SHIFT) | offset

    def count_at(self, entity: np.ndarray, ts: np.ndarray) -> np.ndarray:
        hi = np.searchsorted(self.keys, self._key(entity, ts), side="right")
        lo = np.searchsorted(self.keys, np.asarray(entity, dtype=np.int64) << _KEY_SHIFT, side="left")
        return hi - lo


@dataclass
class World:
    config: WorldConfig
    customers: dict[str, np.ndarray] = field(default_factory=dict)
    customer_changes: dict[str, np.ndarray] = field(default_factory=dict)
    products: dict[str, np.ndarray] = field(default_factory=dict)
    product_extracts: dict[str, np.ndarray] = field(default_factory=dict)
    order_versions: dict[str, np.ndarray] = field(default_factory=dict)
    orders: dict[str, np.ndarray] = field(default_factory=dict)
    order_items: dict[str, np.ndarray] = field(default_factory=dict)
    payments: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# customers (change-data capture)
# --------------------------------------------------------------------------------------

def customer_country(customer_idx: np.ndarray, base_country: np.ndarray, address_version: np.ndarray) -> np.ndarray:
    """Country of a customer at an address version: most moves stay in the country."""
    moved = (address_version > 0) & (unit(mix(customer_idx, address_version, 101)) < 0.3)
    other = weighted_pick(unit(mix(customer_idx, address_version, 102)), ref.COUNTRY_WEIGHTS)
    return np.where(moved, other, base_country)


def simulate_customers(rng: np.random.Generator, cfg: WorldConfig, world: World) -> None:
    start, hend = cfg.start_ts, cfg.horizon_end_ts
    sim_days = cfg.days + cfg.horizon_days
    n_pre = max(20, round(6_000 * cfg.scale))
    n_new = max(10, round(4_000 * cfg.scale * sim_days / 365))
    signup = np.concatenate([
        start - (rng.uniform(1, 3 * 365, n_pre) * DAY),
        start + HOUR + rng.uniform(0, sim_days - 0.1, n_new) * DAY,
    ]).astype(np.int64)
    order = np.argsort(signup, kind="stable")
    signup = signup[order]
    is_pre = (np.arange(n_pre + n_new) < n_pre)[order]
    n = len(signup)

    # internal QA accounts: existing accounts that place test orders all the time
    is_test = rng.random(n) < 0.0005
    existing = np.flatnonzero(is_pre)
    is_test[rng.choice(existing, size=min(len(existing), 3), replace=False)] = True
    country0 = weighted_pick(rng.random(n), ref.COUNTRY_WEIGHTS)
    segment0 = weighted_pick(rng.random(n), [0.7, 0.22, 0.08])
    activity = rng.gamma(0.9, 1.0, n)
    active_from = np.maximum(signup, start)
    churn_at = active_from + (rng.exponential(420, n) * DAY).astype(np.int64)
    # account deletion requests (GDPR) arrive at a steady rate; a customer stops buying
    # some days before asking to be deleted
    deleted = rng.random(n) < 0.06
    delete_from = active_from + 2 * DAY
    delete_at = (delete_from + rng.random(n) * np.maximum(hend - delete_from, 0)).astype(np.int64)
    delete_at = np.where(deleted & (delete_at < hend), delete_at, np.iinfo(np.int64).max)
    churn_at = np.minimum(churn_at, delete_at - (rng.uniform(1, 30, n) * DAY).astype(np.int64))
    churn_at = np.where(is_test, hend + 365 * DAY, churn_at)
    delete_at = np.where(is_test, np.iinfo(np.int64).max, delete_at)
    devices = 1 + (rng.random(n) < 0.35).astype(np.int64)

    world.customers = {
        "idx": np.arange(n), "customer_id": np.arange(1, n + 1), "signup_ts": signup,
        "is_pre": is_pre, "is_test": is_test, "country0": country0, "segment0": segment0,
        "activity": activity, "churn_ts": churn_at, "delete_ts": delete_at, "devices": devices,
    }

    # change events: snapshot reads (r) at history start, inserts (c) at signup, updates, deletes
    idx = np.arange(n)
    pre_idx = idx[is_pre]
    snap_ts = start + (np.arange(len(pre_idx)) * 3_000 // max(1, len(pre_idx)))
    new_idx = idx[~is_pre]
    span_from = np.where(is_pre, start + HOUR, signup + 60)
    span_to = np.minimum(delete_at, hend) - 60
    span = np.maximum(span_to - span_from, 0)
    n_upd = rng.poisson(0.9 * span / (365 * DAY))
    upd_idx = np.repeat(idx, n_upd)
    upd_ts = span_from[upd_idx] + (rng.random(len(upd_idx)) * span[upd_idx]).astype(np.int64)
    upd_field = weighted_pick(rng.random(len(upd_idx)), [0.3, 0.4, 0.3])  # email, address, segment
    del_idx = idx[delete_at < hend]

    cust = np.concatenate([pre_idx, new_idx, upd_idx, del_idx])
    ts = np.concatenate([snap_ts, signup[new_idx], upd_ts, delete_at[del_idx]])
    op = np.concatenate([
        np.full(len(pre_idx), 0), np.full(len(new_idx), 1), np.full(len(upd_idx), 2), np.full(len(del_idx), 3),
    ])  # r, c, u, d
    fld = np.concatenate([np.full(len(pre_idx) + len(new_idx), -1), upd_field, np.full(len(del_idx), -1)])

    by_customer = np.lexsort((op, ts, cust))
    cust, ts, op, fld = cust[by_customer], ts[by_customer], op[by_customer], fld[by_customer]
    email_v = group_cumsum((fld == 0).astype(np.int64), cust)
    addr_v = group_cumsum((fld == 1).astype(np.int64), cust)
    seg_v = group_cumsum((fld == 2).astype(np.int64), cust)

    by_time = np.lexsort((cust, ts))
    lsn = np.empty(len(ts), dtype=np.int64)
    lsn[by_time] = 1_000_000 + np.arange(len(ts), dtype=np.int64) * 8

    world.customer_changes = {
        "customer_idx": cust, "customer_id": cust + 1, "ts": ts, "op": op, "lsn": lsn,
        "email_version": email_v, "address_version": addr_v,
        "country": customer_country(cust, country0[cust], addr_v),
        "city": (mix(cust, addr_v, 103) % np.uint64(3)).astype(np.int64),
        "segment": (segment0[cust] + seg_v) % len(ref.SEGMENTS),
        "signup_ts": signup[cust], "is_test": is_test[cust],
    }
    is_address_change = fld == 1
    world.customers["address_log"] = ChangeLog(cust[is_address_change], ts[is_address_change], start - 5 * 365 * DAY)


# --------------------------------------------------------------------------------------
# products (daily full extracts)
# --------------------------------------------------------------------------------------

def simulate_products(rng: np.random.Generator, cfg: WorldConfig, world: World) -> None:
    start, hend = cfg.start_ts, cfg.horizon_end_ts
    sim_days = cfg.days + cfg.horizon_days
    n = max(30, round(1_000 * cfg.scale))
    is_new = rng.random(n) < 0.15
    created = np.where(
        is_new,
        start + rng.uniform(0.5, sim_days - 1, n) * DAY,
        start - rng.uniform(30, 1_000, n) * DAY,
    ).astype(np.int64)
    created = np.sort(created)
    is_new = created >= start
    discontinued = rng.random(n) < 0.20
    disc_from = np.maximum(created, start) + 3 * DAY
    disc_at = (disc_from + rng.random(n) * np.maximum(hend - disc_from, 0)).astype(np.int64)
    disc_at = np.where(discontinued & (disc_at < hend), disc_at, np.iinfo(np.int64).max)
    category0 = rng.integers(0, len(ref.CATEGORIES), n)
    brand0 = rng.integers(0, len(ref.BRANDS), n)
    base_cents = np.clip(np.round(rng.lognormal(np.log(35), 0.8, n) * 100), 199, 199_900).astype(np.int64)

    idx = np.arange(n)
    span_from = np.maximum(created, start) + HOUR
    span_to = np.minimum(disc_at, hend) - HOUR
    span = np.maximum(span_to - span_from, 0)
    n_chg = rng.poisson(3.0 * span / (365 * DAY))
    chg_idx = np.repeat(idx, n_chg)
    chg_ts = span_from[chg_idx] + (rng.random(len(chg_idx)) * span[chg_idx]).astype(np.int64)
    chg_kind = weighted_pick(rng.random(len(chg_idx)), [0.9, 0.05, 0.05])  # price, category, brand
    base = start - 5 * 365 * DAY
    logs = [ChangeLog(chg_idx[chg_kind == k], chg_ts[chg_kind == k], base) for k in range(3)]
    any_log = ChangeLog(chg_idx, chg_ts, base)
    order = np.lexsort((chg_ts, chg_idx))
    world.products = {
        "idx": idx, "product_id": idx + 1, "created_ts": created, "disc_ts": disc_at,
        "category0": category0, "brand0": brand0, "base_cents": base_cents, "is_new": is_new,
        "logs": logs, "any_log": any_log,
        "chg_idx": chg_idx[order], "chg_ts": chg_ts[order],
    }

    # one extract per day: every product alive at the end of that day, in its state then
    first_day = int(start // DAY)
    n_days = sim_days
    snap_ts = (first_day + 1 + np.arange(n_days)) * DAY - 1  # 23:59:59 of each day
    alive = (created[None, :] <= snap_ts[:, None]) & (disc_at[None, :] > snap_ts[:, None])
    day_i, prod = np.nonzero(alive)
    at = snap_ts[day_i]
    world.product_extracts = {
        "day": first_day + day_i, "product_idx": prod, "snapshot_ts": at,
        **product_state(world.products, prod, at),
    }


def product_state(products: dict, prod: np.ndarray, at: np.ndarray) -> dict[str, np.ndarray]:
    """Price (USD cents), category, brand and last change time of products at times."""
    price_v, cat_v, brand_v = (log.count_at(prod, at) for log in products["logs"])
    price = np.round(products["base_cents"][prod] * (0.85 + 0.3 * unit(mix(prod, price_v, 201)))).astype(np.int64)
    price = np.where(price_v == 0, products["base_cents"][prod], price)
    category = np.where(
        cat_v == 0, products["category0"][prod],
        (mix(prod, cat_v, 202) % np.uint64(len(ref.CATEGORIES))).astype(np.int64),
    )
    brand = np.where(
        brand_v == 0, products["brand0"][prod],
        (mix(prod, brand_v, 203) % np.uint64(len(ref.BRANDS))).astype(np.int64),
    )
    n_changes = products["any_log"].count_at(prod, at)
    # time of the latest change at or before `at`, else creation
    chg_idx, chg_ts = products["chg_idx"], products["chg_ts"]
    first = np.searchsorted(chg_idx, prod, side="left")
    last = first + n_changes - 1
    if len(chg_ts):
        last_change = chg_ts[np.clip(last, 0, len(chg_ts) - 1)]
    else:
        last_change = np.zeros(len(prod), dtype=np.int64)
    updated = np.where(n_changes > 0, last_change, products["created_ts"][prod])
    return {"price_usd_cents": price, "category": category, "brand": brand, "updated_ts": updated}


def pick_alive_products(rng: np.random.Generator, products: dict, at: np.ndarray) -> np.ndarray:
    """A random product alive at each time (resampling, then falling back to evergreen ones)."""
    n_prod = len(products["idx"])
    pick = rng.integers(0, n_prod, len(at))
    for _ in range(6):
        dead = (products["created_ts"][pick] > at) | (products["disc_ts"][pick] <= at)
        if not dead.any():
            break
        pick[dead] = rng.integers(0, n_prod, int(dead.sum()))
    evergreen = np.flatnonzero((products["disc_ts"] == np.iinfo(np.int64).max) & ~products["is_new"])
    dead = (products["created_ts"][pick] > at) | (products["disc_ts"][pick] <= at)
    pick[dead] = evergreen[rng.integers(0, len(evergreen), int(dead.sum()))]
    return pick


# --------------------------------------------------------------------------------------
# orders, items, payments
# --------------------------------------------------------------------------------------

_RATE_MONTH0 = (ref.RATE_FIRST_YEAR, 1)


def rate_table() -> np.ndarray:
    """rates[currency_index, month_index] in USD per unit."""
    codes = [c[0] for c in ref.CURRENCIES]
    return np.array([[ref.rate_to_usd(code, y, m) for (y, m) in ref.months()] for code in codes])


def month_index(ts: np.ndarray) -> np.ndarray:
    dt = ts.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return dt - ((_RATE_MONTH0[0] - 1970) * 12)


def simulate_orders(rng: np.random.Generator, cfg: WorldConfig, world: World) -> None:
    c = world.customers
    start, hist_end, hend = cfg.start_ts, cfg.history_end_ts, cfg.horizon_end_ts
    win_from = np.maximum(c["signup_ts"], start) + HOUR
    win_to = np.minimum(np.minimum(c["churn_ts"], c["delete_ts"] - DAY), hend - HOUR)
    length = np.maximum(win_to - win_from, 0).astype(np.float64)
    hist_len = np.maximum(np.minimum(win_to, hist_end) - win_from, 0).astype(np.float64)
    target = 100_000 * cfg.scale * cfg.days / 365
    real = ~c["is_test"]
    per_second = target / max(float((c["activity"] * hist_len * real).sum()), 1.0)
    # QA accounts order at a fixed pace (one test order every two days), outside real demand
    rate = np.where(real, c["activity"] * per_second, 0.5 / DAY)
    n_orders = rng.poisson(rate * length)
    cust = np.repeat(c["idx"], n_orders)
    placed = (win_from[cust] + rng.random(len(cust)) * length[cust]).astype(np.int64)
    order = np.argsort(placed, kind="stable")
    cust, placed = cust[order], placed[order]
    orders = build_orders(rng, cfg, world, cust, placed, first_id=1)

    # sign-up at checkout: a share of the new customers create their account to place their
    # first order, minutes later. Their own random stream, so the rest of the world is the same.
    checkout_rng = np.random.default_rng([cfg.seed, 13])
    new = np.flatnonzero(~c["is_pre"] & ~c["is_test"])
    new = new[checkout_rng.random(len(new)) < CHECKOUT_SIGNUP_SHARE]
    at = c["signup_ts"][new] + checkout_rng.integers(5 * 60, 45 * 60, len(new))
    before_churn = at < win_to[new]
    new, at = new[before_churn], at[before_churn]
    checkout = build_orders(checkout_rng, cfg, world, new, at, first_id=len(orders["order_id"]) + 1)
    c["checkout_order_ts"] = np.full(len(c["idx"]), np.iinfo(np.int64).max)
    c["checkout_order_ts"][new] = at
    world.orders = concat_orders(orders, checkout)


def concat_orders(*parts: dict) -> dict:
    """One orders dict (with its items and payments) of several built by build_orders."""
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k not in ("items", "payments")}
    for sub in ("items", "payments"):
        out[sub] = {k: np.concatenate([p[sub][k] for p in parts]) for k in parts[0][sub]}
    return out


def build_orders(rng, cfg, world, cust, placed, first_id, product_override=None) -> dict[str, np.ndarray]:
    """Orders of customers (indices into customers; -1 for unknown ones) at times."""
    c, p = world.customers, world.products
    n = len(cust)
    known = cust >= 0
    cust_safe = np.where(known, cust, 0)
    addr_v = c["address_log"].count_at(cust_safe, placed)
    country = customer_country(cust_safe, c["country0"][cust_safe], addr_v)
    country = np.where(known, country, 0)
    currency_codes = [cc[0] for cc in ref.CURRENCIES]
    currency = np.array([currency_codes.index(ref.COUNTRIES[k][3]) for k in range(len(ref.COUNTRIES))])[country]
    rates = rate_table()[currency, month_index(placed)]

    n_items = 1 + rng.poisson(1.5, n) if product_override is None else np.ones(n, dtype=np.int64)
    item_order = np.repeat(np.arange(n), n_items)
    item_at = placed[item_order]
    if product_override is None:
        prod = pick_alive_products(rng, p, item_at)
        price_usd = product_state(p, prod, item_at)["price_usd_cents"]
        product_id = prod + 1
    else:
        product_id = product_override
        price_usd = np.round(rng.lognormal(np.log(30), 0.5, len(item_order)) * 100).astype(np.int64)
    qty = 1 + rng.poisson(0.35, len(item_order))
    if cfg.drift_from is not None:
        drifted = item_at >= day_ts(date.fromisoformat(cfg.drift_from))
        price_usd = np.where(drifted, np.round(price_usd * cfg.drift_order_value), price_usd)
    unit_cents = np.maximum(np.round(price_usd / rates[item_order]), 1).astype(np.int64)
    has_disc = rng.random(len(item_order)) < 0.2
    disc_cents = np.where(has_disc, np.round(qty * unit_cents * rng.uniform(0.05, 0.2, len(item_order))),
                          0).astype(np.int64)
    subtotal = np.bincount(item_order, weights=qty * unit_cents, minlength=n).astype(np.int64)
    discount = np.bincount(item_order, weights=disc_cents, minlength=n).astype(np.int64)
    shipping = np.where(subtotal < 5_000, 499, 0)
    total = subtotal - discount + shipping

    # status timeline
    none = np.iinfo(np.int64).max
    fail_first = rng.random(n) < 0.04
    cancel_unpaid = fail_first & (rng.random(n) < 0.5)
    paid = placed + np.where(fail_first, rng.uniform(600, 3_600, n), rng.uniform(60, 3_600, n)).astype(np.int64)
    paid = np.where(cancel_unpaid, none, paid)
    cancelled = np.where(cancel_unpaid, placed + rng.uniform(1_800, 7_200, n).astype(np.int64), none)
    cancel_paid = ~cancel_unpaid & (rng.random(n) < 0.03)
    cancelled = np.where(cancel_paid, paid + rng.uniform(HOUR, 20 * HOUR, n).astype(np.int64), cancelled)
    ships = ~cancel_unpaid & ~cancel_paid
    shipped = np.where(ships, paid + (rng.uniform(0.5, 3, n) * DAY).astype(np.int64), none)
    delivered = np.where(ships, shipped + (rng.uniform(1, 6, n) * DAY).astype(np.int64), none)
    returns = ships & (rng.random(n) < 0.05)
    returned = np.where(returns, delivered + (rng.uniform(2, 20, n) * DAY).astype(np.int64), none)

    order_id = first_id + np.arange(n)
    orders = {
        "order_id": order_id, "customer_idx": cust, "customer_id": np.where(known, cust + 1, 0),
        "placed_ts": placed, "paid_ts": paid, "shipped_ts": shipped, "delivered_ts": delivered,
        "cancelled_ts": cancelled, "returned_ts": returned, "currency": currency, "country": country,
        "subtotal_cents": subtotal, "discount_cents": discount, "shipping_cents": shipping,
        "total_cents": total, "fail_first": fail_first,
    }
    orders["items"] = {
        "order_id": order_id[item_order], "product_id": product_id, "quantity": qty,
        "unit_price_cents": unit_cents, "discount_cents": disc_cents, "ts": item_at,
    }
    # payments: a failed first attempt, the successful charge, refunds of cancelled/returned paid orders
    method = weighted_pick(rng.random(n), ref.PAYMENT_METHOD_WEIGHTS)
    fail_ts = placed + rng.uniform(30, 300, n).astype(np.int64)
    refunded = cancel_paid | returns
    refund_ts = np.where(cancel_paid, cancelled + HOUR, returned + DAY)
    parts = [
        (fail_first, fail_ts, 0, 1),  # (mask, ts, payment_type charge=0/refund=1, status failed=1)
        (paid != none, paid, 0, 0),
        (refunded, refund_ts, 1, 0),
    ]
    pay = {k: [] for k in ("order_id", "ts", "payment_type", "status", "method", "amount_cents", "currency")}
    for mask, ts, ptype, status in parts:
        sel = np.flatnonzero(mask)
        pay["order_id"].append(order_id[sel])
        pay["ts"].append(ts[sel])
        pay["payment_type"].append(np.full(len(sel), ptype))
        pay["status"].append(np.full(len(sel), status))
        pay["method"].append(method[sel])
        pay["amount_cents"].append(total[sel])
        pay["currency"].append(currency[sel])
    orders["payments"] = {k: np.concatenate(v) for k, v in pay.items()}
    return orders


def order_versions(orders: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One row per status change of each order, carrying the timestamps known by then."""
    none = np.iinfo(np.int64).max
    statuses = ["placed", "paid", "shipped", "delivered", "cancelled", "returned"]
    idx_parts, status_parts, ts_parts = [], [], []
    for k, status in enumerate(statuses):
        ts = orders[f"{status}_ts"]
        sel = np.flatnonzero(ts != none)
        idx_parts.append(sel)
        status_parts.append(np.full(len(sel), k))
        ts_parts.append(ts[sel])
    idx = np.concatenate(idx_parts)
    status = np.concatenate(status_parts)
    updated = np.concatenate(ts_parts)
    order = np.lexsort((updated, idx))
    idx, status, updated = idx[order], status[order], updated[order]
    versions = {"order_idx": idx, "status": status, "updated_ts": updated}
    for name in statuses:
        ts = orders[f"{name}_ts"][idx]
        versions[f"{name}_ts"] = np.where(ts <= updated, ts, none)
    # the loader sometimes delivers a change a day late
    versions["lag_days"] = (rng.random(len(idx)) < 0.02).astype(np.int64)
    return versions


# --------------------------------------------------------------------------------------
# web events
# --------------------------------------------------------------------------------------

EV = {name: k for k, name in enumerate(ref.EVENT_TYPES)}
VISITOR_ANON_BASE = 1_000_000_000
VISITOR_BOT_BASE = 2_000_000_000


def simulate_events(rng: np.random.Generator, cfg: WorldConfig, world: World) -> None:
    c, o = world.customers, world.orders
    start, hend = cfg.start_ts, cfg.horizon_end_ts
    sim_days = cfg.days + cfg.horizon_days
    per_day = 1_000_000 * cfg.scale / 365
    real = ~c["is_test"]

    sessions: dict[str, list[np.ndarray]] = {k: [] for k in (
        "anchor_ts", "anchor_is_end", "n", "visitor", "customer_id", "login_pos", "order_id", "kind")}

    def add(anchor_ts, anchor_is_end, n, visitor, customer_id, login_pos, order_id, kind):
        m = len(anchor_ts)
        for key, val in (("anchor_ts", anchor_ts), ("anchor_is_end", anchor_is_end), ("n", n),
                         ("visitor", visitor), ("customer_id", customer_id), ("login_pos", login_pos),
                         ("order_id", order_id), ("kind", kind)):
            sessions[key].append(np.broadcast_to(np.asarray(val), (m,)).astype(np.int64))

    def login_positions(n, last_allowed):
        authenticated = (rng.random(len(n)) < 0.6) | (last_allowed < 1)
        pos = 1 + (rng.random(len(n)) * np.maximum(last_allowed, 1)).astype(np.int64)
        return np.where(authenticated, 0, np.minimum(pos, np.maximum(last_allowed, 1)))

    # 1. purchase sessions: one per order of a real customer, ending in the purchase event
    real_order = (o["customer_idx"] >= 0) & real[np.maximum(o["customer_idx"], 0)]
    oc = o["customer_idx"][real_order]
    n_p = 3 + rng.poisson(2, len(oc))
    device = (mix(oc, o["order_id"][real_order], 301) % c["devices"][oc].astype(np.uint64)).astype(np.int64)
    add(o["placed_ts"][real_order] + 1, 1, n_p, oc * 4 + device, oc + 1,
        login_positions(n_p, n_p - 3), o["order_id"][real_order], 0)
    purchase_events = int(n_p.sum())

    # 2. anonymous sessions of customers before they signed up, on their first device
    new_c = np.flatnonzero(~c["is_pre"] & real)
    k = 1 + rng.poisson(0.8, len(new_c))
    pc = np.repeat(new_c, k)
    pre_start = c["signup_ts"][pc] - (rng.uniform(HOUR, 14 * DAY, len(pc))).astype(np.int64)
    n_pre = 2 + rng.poisson(2.0, len(pc))
    add(pre_start, 0, n_pre, pc * 4, 0, -1, 0, 1)
    pre_events = int(n_pre.sum())

    # 3. browse sessions of customers and of anonymous visitors; 4. bots
    remaining = max(per_day * sim_days - purchase_events - pre_events, 0)
    bot_events = 0.03 * per_day * sim_days
    browse_events = max(remaining - bot_events, 0)
    mean_browse = 4.5
    win_from = np.maximum(c["signup_ts"], start)
    win_to = np.minimum(np.minimum(c["churn_ts"] + 30 * DAY, c["delete_ts"] - DAY), hend - HOUR)
    length = np.maximum(win_to - win_from, 0).astype(np.float64) * real
    weight = (0.3 + c["activity"]) * length
    cust_sessions = 0.7 * browse_events / mean_browse
    k = rng.poisson(weight / max(weight.sum(), 1.0) * cust_sessions)
    bc = np.repeat(c["idx"], k)
    b_start = (win_from[bc] + rng.random(len(bc)) * length[bc]).astype(np.int64)
    n_b = 2 + rng.poisson(2.5, len(bc))
    device = (mix(bc, b_start, 302) % c["devices"][bc].astype(np.uint64)).astype(np.int64)
    add(b_start, 0, n_b, bc * 4 + device, bc + 1, login_positions(n_b, n_b - 1), 0, 2)

    anon_sessions = int(0.3 * browse_events / mean_browse)
    n_visitors = max(10, len(c["idx"]) // 2)
    av = rng.integers(0, n_visitors, anon_sessions)
    a_start = (start - 2 * DAY + rng.random(anon_sessions) * (sim_days + 2) * DAY).astype(np.int64)
    n_a = 2 + rng.poisson(2.5, anon_sessions)
    add(a_start, 0, n_a, VISITOR_ANON_BASE + av, 0, -1, 0, 3)

    n_bot_sessions = max(3, int(bot_events / 40))
    bots = rng.integers(0, max(3, len(c["idx"]) // 1000), n_bot_sessions)
    bt_start = (start + rng.random(n_bot_sessions) * sim_days * DAY).astype(np.int64)
    n_bt = rng.integers(20, 61, n_bot_sessions)
    add(bt_start, 0, n_bt, VISITOR_BOT_BASE + bots, 0, -1, 0, 4)

    s = {k: np.concatenate(v) for k, v in sessions.items()}
    n_ev = s["n"]
    sess = np.repeat(np.arange(len(n_ev)), n_ev)
    offsets = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    pos = np.arange(len(sess)) - offsets[sess]
    kind = s["kind"][sess]
    gap = np.clip(rng.exponential(45, len(sess)), 2, 900)
    gap = np.where(kind == 4, rng.uniform(1, 3, len(sess)), gap)
    long_pause = (kind == 2) & (rng.random(len(sess)) < 0.03)
    gap = np.where(long_pause, rng.uniform(1_900, 5_400, len(sess)), gap)
    gap = np.where(pos == 0, 0, gap).astype(np.int64)
    cum = group_cumsum(gap, sess)
    total = cum[offsets + n_ev - 1]
    s_start = np.where(s["anchor_is_end"] == 1, s["anchor_ts"] - total, s["anchor_ts"])
    ts = s_start[sess] + cum

    etype = weighted_pick(rng.random(len(sess)), [0.35, 0.45, 0.15, 0.05])  # page/product/add/remove
    etype = np.where(pos == 0, EV["page_view"], etype)
    etype = np.where(kind == 4, np.where(rng.random(len(sess)) < 0.5, EV["page_view"], EV["product_view"]), etype)
    login_pos = s["login_pos"][sess]
    etype = np.where((login_pos > 0) & (pos == login_pos), EV["login"], etype)
    last = s["n"][sess] - 1
    is_purchase_session = kind == 0
    etype = np.where(is_purchase_session & (pos == last - 2), EV["add_to_cart"], etype)
    etype = np.where(is_purchase_session & (pos == last - 1), EV["checkout"], etype)
    etype = np.where(is_purchase_session & (pos == last), EV["purchase"], etype)
    cust_id = s["customer_id"][sess]
    cust_id = np.where((login_pos >= 0) & (pos >= login_pos), cust_id, 0)
    has_product = np.isin(etype, [EV["product_view"], EV["add_to_cart"], EV["remove_from_cart"]])
    product = np.where(has_product, pick_alive_products(rng, world.products, ts) + 1, 0)
    order_id = np.where(etype == EV["purchase"], s["order_id"][sess], 0)
    delay = rng.integers(1, 6, len(sess))
    late = (kind != 4) & (rng.random(len(sess)) < 0.02)
    delay = np.where(late, (rng.uniform(1, 5, len(sess)) * DAY).astype(np.int64), delay)
    received = ts + delay

    keep = (received >= start) & (ts >= start - 7 * DAY)
    order = np.lexsort((pos[keep], sess[keep], received[keep]))
    ev = {
        "session": sess, "pos": pos, "kind": kind, "visitor": s["visitor"][sess], "customer_id": cust_id,
        "event_type": etype, "ts": ts, "received_ts": received, "product_id": product, "order_id": order_id,
    }
    world.events = {k: v[keep][order] for k, v in ev.items()}
    world.events["event_no"] = np.arange(len(world.events["ts"]))


def simulate_world(cfg: WorldConfig, progress=None) -> World:
    rng = np.random.default_rng(cfg.seed)
    world = World(config=cfg)
    steps = [
        ("customers", simulate_customers),
        ("products", simulate_products),
        ("orders", simulate_orders),
        ("web events", simulate_events),
    ]
    for name, step in steps:
        if progress:
            progress(name)
        step(rng, cfg, world)
    world.order_versions = order_versions(world.orders, rng)
    return world
