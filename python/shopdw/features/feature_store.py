"""The warehouse's Feast feature store: its folder, the offline source and the online store.

A feature store lives in one folder (SHOP_FEATURE_STORE_DIR, by default data/feature_store):

- `feature_store.yaml`: the configuration (project shop_warehouse, file offline store, SQLite
  online store `online.db`, or Redis when a connection string is given);
- `registry.db`: Feast's registry, with the definitions of feature_repo/customer_features.py;
- `offline/ml_customer_features_daily/<as-of date>.parquet`: the offline source, one file per
  as-of date of the dbt model, and `offline/manifest.json` (rows per date, the columns).

`sync` runs after every green build: it exports the as-of dates that are new or changed (a
daily run: the new date), applies the definitions when they changed, and materialises the
newest as-of date into the online store. The online store then holds, per customer, the newest
features; a customer known on the previous date and gone since (deleted) gets a row of nulls, so
no feature outlives its customer. The cost follows the new data: a daily sync reads and writes
one as-of date (plus one count per date), whatever the length of the history.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from shopdw.features import feature_repo

PROJECT = "shop_warehouse"
DAILY_TABLE = "ml.ml_customer_features_daily"
ONLINE_TABLE = "ml.ml_customer_features_online"


def default_store_dir() -> Path:
    return Path(os.environ.get("SHOP_FEATURE_STORE_DIR", "data/feature_store"))


def store_config(store_dir: Path, redis: str | None = None) -> dict:
    """The feature_store.yaml of a store folder: SQLite online store, or Redis at host:port."""
    online = ({"type": "redis", "connection_string": redis} if redis
              else {"type": "sqlite", "path": str(store_dir / "online.db")})
    return {
        "project": PROJECT,
        "provider": "local",
        # the server re-reads the registry at most this often (a sync applies new definitions)
        "registry": {"path": str(store_dir / ("registry.redis.db" if redis else "registry.db")),
                     "cache_ttl_seconds": 60},
        "online_store": online,
        "offline_store": {"type": "duckdb"},
        "entity_key_serialization_version": 3,
    }


def open_store(store_dir: Path, redis: str | None = None):
    """A FeatureStore on the folder (SQLite online store, or Redis at host:port)."""
    from feast import FeatureStore

    store_dir = store_dir.resolve()
    store_dir.mkdir(parents=True, exist_ok=True)
    name = "feature_store.redis.yaml" if redis else "feature_store.yaml"
    path = store_dir / name
    text = yaml.safe_dump(store_config(store_dir, redis), sort_keys=False)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return FeatureStore(repo_path=str(store_dir), fs_yaml_file=path)


def load_definitions(project_dir: Path, store_dir: Path | None = None) -> dict:
    """The objects of feature_repo/customer_features.py (entity, source, view, service); with
    store_dir, the source's path made absolute in that feature store's folder."""
    path = project_dir / feature_repo.REPO_PATH
    spec = importlib.util.spec_from_file_location("shop_customer_features", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = module.ml_customer_features_daily
    if store_dir is not None:
        source.file_options.uri = str(store_dir.resolve() / source.file_options.uri)
    return {
        "entity": getattr(module, feature_repo.ENTITY),
        "source": source,
        "view": getattr(module, feature_repo.FEATURE_VIEW),
        "service": getattr(module, feature_repo.FEATURE_SERVICE),
    }


def as_of_time(as_of_date: date) -> datetime:
    """T: the as-of date + 1 day, 00:00 UTC."""
    return datetime.combine(as_of_date + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


# --- the offline source ---------------------------------------------------------------------

def _offline_dir(store_dir: Path) -> Path:
    return store_dir / feature_repo.OFFLINE_PATH


def _manifest_path(store_dir: Path) -> Path:
    return store_dir / "offline" / "manifest.json"


def _read_manifest(store_dir: Path) -> dict:
    path = _manifest_path(store_dir)
    return json.loads(path.read_text()) if path.exists() else {"columns": None, "dates": {}}


def _select_features(project_dir: Path, where: str) -> str:
    """The offline source's columns: the entity key, the event time (UTC) and the features,
    as the Feast types (decimals as doubles, integers as bigints)."""
    columns = []
    for name, data_type in feature_repo.feature_columns(project_dir):
        kind = feature_repo.feast_type(data_type)
        cast = {"Int64": "bigint", "Float64": "double", "String": "varchar", "Bool": "boolean"}[kind]
        columns.append(f"cast({name} as {cast}) as {name}")
    return (f"select customer_id, timezone('UTC', {feature_repo.EVENT_TIMESTAMP}) as {feature_repo.EVENT_TIMESTAMP}, "
            f"{', '.join(columns)} from {DAILY_TABLE} where {where} order by customer_id")


@dataclass
class OfflineExport:
    written: list[date]
    removed: list[date]
    dates: dict[date, int]


def export_offline(warehouse: Path, store_dir: Path, project_dir: Path, full: bool = False) -> OfflineExport:
    """Write the Parquet file of each as-of date that is new or whose row count changed (every
    date with full, or when the feature columns changed); remove the files of dates gone."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build it first (make build)")
    manifest = _read_manifest(store_dir)
    columns = [name for name, _ in feature_repo.feature_columns(project_dir)]
    full = full or manifest["columns"] != columns
    folder = _offline_dir(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        try:
            counts = dict(con.execute(f"select as_of_date, count(*) from {DAILY_TABLE} group by 1").fetchall())
        except duckdb.CatalogException:
            raise FileNotFoundError(f"{warehouse} has no table {DAILY_TABLE}: build the warehouse first "
                                    "(make build)") from None
        known = {} if full else {date.fromisoformat(d): rows for d, rows in manifest["dates"].items()}
        written = sorted(d for d, rows in counts.items() if known.get(d) != rows)
        for as_of_date in written:
            path = folder / f"{as_of_date.isoformat()}.parquet"
            partial = path.with_suffix(".parquet.partial")
            con.execute(f"copy ({_select_features(project_dir, f'as_of_date = date {as_of_date.isoformat()!r}')}) "
                        f"to '{partial}' (format parquet)")
            os.replace(partial, path)
    finally:
        con.close()
    removed = []
    for path in folder.glob("*.parquet"):
        if date.fromisoformat(path.stem) not in counts:
            path.unlink()
            removed.append(date.fromisoformat(path.stem))
    _manifest_path(store_dir).write_text(json.dumps(
        {"columns": columns, "dates": {d.isoformat(): rows for d, rows in sorted(counts.items())}}, indent=1) + "\n")
    return OfflineExport(written, sorted(removed), counts)


def read_offline_date(store_dir: Path, as_of_date: date) -> pd.DataFrame:
    path = _offline_dir(store_dir) / f"{as_of_date.isoformat()}.parquet"
    return duckdb.connect().execute(f"select * from '{path}'").df()


# --- definitions and the online store -------------------------------------------------------

def _definitions_hash(project_dir: Path) -> str:
    return hashlib.sha256((project_dir / feature_repo.REPO_PATH).read_bytes()).hexdigest()


def definitions_changed(project_dir: Path, stamp: Path) -> bool:
    """Whether feature_repo/customer_features.py changed since the apply recorded in stamp."""
    return not stamp.exists() or stamp.read_text() != _definitions_hash(project_dir)


def apply_definitions(store, project_dir: Path, stamp: Path, teardown: bool) -> None:
    """Apply feature_repo/customer_features.py to the store's registry; with teardown, first drop
    the online store's tables and the registry, so nothing of an earlier definition or build
    stays online."""
    if teardown and Path(store.config.registry.path).exists():
        store.teardown()
    objects = load_definitions(project_dir, Path(store.repo_path))
    store.apply([objects["entity"], objects["source"], objects["view"], objects["service"]])
    stamp.write_text(_definitions_hash(project_dir))


def materialized_until(store) -> datetime | None:
    """The newest as-of time written to the online store (Feast's materialisation intervals)."""
    view = store.get_feature_view(feature_repo.FEATURE_VIEW, allow_registry_cache=False)
    ends = [end for _, end in view.materialization_intervals]
    return max(ends).astimezone(UTC) if ends else None


def delete_customers(store, customer_ids: list[int]) -> None:
    """Remove customers from the online store, so Feast answers NOT_FOUND for them, as for a
    customer it never knew. Feast has no per-entity delete: this removes the rows its SQLite
    and Redis stores keep for an entity key (the same key serialisation they write with)."""
    if not customer_ids:
        return
    from feast.infra.key_encoding_utils import serialize_entity_key
    from feast.infra.online_stores.helpers import _redis_key
    from feast.infra.online_stores.sqlite import _table_id
    from feast.protos.feast.types.EntityKey_pb2 import EntityKey
    from feast.protos.feast.types.Value_pb2 import Value

    version = store.config.entity_key_serialization_version
    keys = [EntityKey(join_keys=[feature_repo.JOIN_KEY], entity_values=[Value(int64_val=int(i))])
            for i in customer_ids]
    online = store.config.online_store
    if online.type == "redis":
        import redis

        host, port = online.connection_string.split(",")[0].split(":")
        client = redis.Redis(host=host, port=int(port))
        try:
            client.delete(*[_redis_key(store.project, key, entity_key_serialization_version=version) for key in keys])
        finally:
            client.close()
    elif online.type == "sqlite":
        import sqlite3

        view = store.get_feature_view(feature_repo.FEATURE_VIEW, allow_registry_cache=False)
        with sqlite3.connect(online.path) as con:
            con.executemany(f'delete from "{_table_id(store.project, view)}" where entity_key = ?',
                            [(serialize_entity_key(key, entity_key_serialization_version=version),) for key in keys])
    else:
        raise ValueError(f"no delete for online store type {online.type!r}")


def materialize_newest(store, store_dir: Path, exported: OfflineExport, record: Path, full: bool = False) -> dict:
    """Write the newest as-of date's features to the online store when it is new or was exported
    again, and remove every customer written before (the list in record) that the newest date
    no longer has (deleted). Reads that one date, whatever the history. Records the
    interval in the registry, as `feast materialize` does."""
    started = time.perf_counter()
    if not exported.dates:
        return {"as_of_date": None, "rows": 0, "removed": 0, "seconds": 0.0}
    newest = max(exported.dates)
    until = None if full else materialized_until(store)
    if until is not None and until >= as_of_time(newest) and newest not in exported.written:
        return {"as_of_date": newest, "rows": 0, "removed": 0, "seconds": time.perf_counter() - started}
    rows = read_offline_date(store_dir, newest)
    written_before = set(json.loads(record.read_text())) if record.exists() and not full else set()
    gone = sorted(written_before - set(int(c) for c in rows["customer_id"]))
    view = store.get_feature_view(feature_repo.FEATURE_VIEW, allow_registry_cache=False)
    # Feast's own write path (the one `feast materialize` and push use): per-store serialisation
    store._get_provider().ingest_df(view, rows)
    delete_customers(store, gone)
    record.write_text(json.dumps(sorted(int(c) for c in rows["customer_id"])) + "\n")
    end = as_of_time(newest)
    start = until if until is not None and until < end else end - timedelta(days=feature_repo.TTL_DAYS)
    store.registry.apply_materialization(view, store.project, start, end, commit=True)
    return {"as_of_date": newest, "rows": len(rows), "removed": len(gone),
            "seconds": time.perf_counter() - started}


@dataclass
class SyncResult:
    export: OfflineExport
    applied: bool
    materialized: dict
    seconds: float

    def report(self) -> str:
        m = self.materialized
        online = (f"online store: as-of date {m['as_of_date']} written ({m['rows']:,} customers, "
                  f"{m['removed']:,} removed: deleted since)" if m["rows"] else
                  f"online store: up to date (as-of date {m['as_of_date']})")
        return (f"feature store: {len(self.export.written)} as-of date(s) exported, "
                f"{len(self.export.removed)} removed; "
                f"definitions {'applied' if self.applied else 'unchanged'}; {online}; {self.seconds:.1f} s")


def sync(warehouse: Path, store_dir: Path, project_dir: Path, full: bool = False,
         redis: str | None = None) -> SyncResult:
    """After a green build: export the new as-of dates, apply changed definitions, materialise."""
    started = time.perf_counter()
    store_dir = store_dir.resolve()
    store_dir.mkdir(parents=True, exist_ok=True)
    # one sync at a time per store (a nightly job and a hand-run `make features` wait in turn)
    with (store_dir / ".sync.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _sync(warehouse, store_dir, project_dir, full, redis, started)


def _sync(warehouse: Path, store_dir: Path, project_dir: Path, full: bool, redis: str | None,
          started: float) -> SyncResult:
    exported = export_offline(warehouse, store_dir, project_dir, full=full)
    store = open_store(store_dir, redis=redis)
    stamp = store_dir / ("applied.redis" if redis else "applied")
    # a full refresh or new definitions: the online store starts again from the newest date
    applied = full or definitions_changed(project_dir, stamp)
    if applied:
        apply_definitions(store, project_dir, stamp, teardown=True)
    record = store_dir / ("online_customers.redis.json" if redis else "online_customers.json")
    materialized = materialize_newest(store, store_dir, exported, record, full=applied)
    return SyncResult(exported, applied, materialized, time.perf_counter() - started)
