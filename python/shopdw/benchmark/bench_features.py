"""Benchmark step: the feature store's online lookups, materialisation and offline retrieval.

Single-customer lookups of the feature service churn_model, through Feast's SDK and through the
HTTP feature server, on the SQLite and on the Redis online store: p50 and p99 latency at
concurrency 1 and 16, and lookups per second. Also the time to materialise one as-of date into
each online store, and to retrieve the whole training set through Feast against reading the
table. Every path runs in the same process run, side by side, so the ratios hold on a busy machine.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import duckdb
import pandas as pd

from shopdw.features import feature_repo, feature_store
from shopdw.features.redis_server import RedisServer, free_port


def _percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "lookups": len(ordered)}


def _load(lookup, customers: list[int], concurrency: int, per_thread: int) -> dict:
    """Each of `concurrency` threads looks up per_thread customers one by one."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        local, client = [], lookup()
        for k in range(per_thread):
            customer = customers[(offset * per_thread + k) % len(customers)]
            started = time.perf_counter()
            try:
                client(customer)
            except Exception as err:  # a failed lookup is reported, not timed
                with lock:
                    errors.append(repr(err)[:200])
                continue
            local.append(time.perf_counter() - started)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {**_percentiles(latencies or [float("nan")]), "lookups_per_second": len(latencies) / seconds,
            "errors": errors[:5], "error_count": len(errors)}


def _sdk(store):
    service = store.get_feature_service(feature_repo.FEATURE_SERVICE)

    def lookup():
        def one(customer: int):
            return store.get_online_features(features=service, entity_rows=[{"customer_id": customer}]).to_dict()
        return one
    return lookup


def _http(port: int):
    body = lambda customer: json.dumps({"feature_service": feature_repo.FEATURE_SERVICE,  # noqa: E731
                                        "entities": {"customer_id": [customer]}})

    def lookup():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def one(customer: int):
            connection.request("POST", "/get-online-features", body(customer),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
            return payload
        return one
    return lookup


def _server(published: Path, store_dir: Path, project_dir: Path, online_store: str):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "shopdw", "feature-store", "serve", "--warehouse", str(published),
                             "--store-dir", str(store_dir), "--project-dir", str(project_dir), "--port", str(port),
                             "--online-store", online_store],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the feature server ({online_store}) exited") from None
            time.sleep(0.25)
    proc.terminate()
    raise RuntimeError(f"the feature server ({online_store}) did not answer within 100 s")


def measure(published: Path, store_dir: Path, project_dir: Path, per_thread: int = 200) -> dict:
    """All measurements on the published build; store_dir is (re)made for the benchmark."""
    warnings.filterwarnings("ignore", module="feast")
    out: dict = {"lookups": {}, "materialize_day_seconds": {}}
    sync = feature_store.sync(published, store_dir, project_dir, full=True)
    out["sync_full_seconds"] = sync.seconds
    with duckdb.connect(str(published), read_only=True) as con:
        customers = [r[0] for r in con.execute(
            "select customer_id from ml.ml_customer_features_online order by hash(customer_id)").fetchall()]
    with RedisServer() as redis:
        stores = {"sqlite": feature_store.open_store(store_dir.resolve()),
                  "redis": None}
        feature_store.sync(published, store_dir, project_dir, full=True, redis=redis.address)
        stores["redis"] = feature_store.open_store(store_dir.resolve(), redis=redis.address)
        for name, store in stores.items():
            exported = feature_store.export_offline(published, store_dir.resolve(), project_dir)
            record = store_dir.resolve() / f"bench_online_customers.{name}.json"
            out["materialize_day_seconds"][name] = feature_store.materialize_newest(
                store, store_dir.resolve(), exported, record, full=True)["seconds"]
            for concurrency in (1, 16):
                out["lookups"][f"SDK, {name}, concurrency {concurrency}"] = _load(
                    _sdk(store), customers, concurrency, per_thread if concurrency == 1 else max(1, per_thread // 4))
    for online in ("sqlite", "redis"):
        proc, port = _server(published, store_dir, project_dir, online)
        try:
            for concurrency in (1, 16):
                out["lookups"][f"HTTP, {online}, concurrency {concurrency}"] = _load(
                    _http(port), customers, concurrency, per_thread if concurrency == 1 else max(1, per_thread // 4))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    out["training_set"] = _training_set(published, store_dir, project_dir)
    return out


def _training_set(published: Path, store_dir: Path, project_dir: Path) -> dict:
    names = feature_repo.service_features(project_dir)
    started = time.perf_counter()
    with duckdb.connect(str(published), read_only=True) as con:
        table = con.execute(f"select customer_id, as_of_at, {', '.join(names)} from ml.ml_churn_training_set").df()
    read_seconds = time.perf_counter() - started
    entities = pd.DataFrame({"customer_id": table["customer_id"],
                             "event_timestamp": pd.to_datetime(table["as_of_at"], utc=True)})
    store = feature_store.open_store(store_dir.resolve())
    started = time.perf_counter()
    frame = store.get_historical_features(entity_df=entities,
                                          features=store.get_feature_service(feature_repo.FEATURE_SERVICE)).to_df()
    feast_seconds = time.perf_counter() - started
    return {"rows": len(table), "feast_rows": len(frame), "table_read_seconds": read_seconds,
            "feast_seconds": feast_seconds}
