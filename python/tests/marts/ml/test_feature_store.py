"""The Feast feature store: generated definitions, point-in-time retrieval, online parity, serving."""

from __future__ import annotations

import json
import math
import shutil
import urllib.error
import urllib.request
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from shopdw.features import feature_repo, feature_server, feature_store
from shopdw.features.redis_server import RedisServer, free_port
from testsupport.debian import ensure_package
from testsupport.servers import serving
from testsupport.testing import PROJECT_DIR, Warehouse, venv_executable

warnings.filterwarnings("ignore", module="feast")


def _redis_installed() -> None:
    """Debian's redis-server; installed here (apt-get) when missing."""
    ensure_package("redis-server", "redis-server")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Warehouse:
    """A small warehouse, built, with its feature store synced by the CLI as `make build` does."""
    warehouse = Warehouse(tmp_path_factory.mktemp("feast"))
    # long enough for the features' 90-day warm-up and the labels' 30 days: a training set
    warehouse.generate(scale=0.05, days=135)
    warehouse.build(tests=False)
    _sync(warehouse)
    return warehouse


def _store_dir(warehouse: Warehouse) -> Path:
    return warehouse.root / "feature_store"


def _sync(warehouse: Warehouse, *args: str) -> str:
    result = warehouse.shopdw("feature-store", "sync", "--warehouse", str(warehouse.path),
                              "--store-dir", str(_store_dir(warehouse)), *args)
    assert result.ok, result.output
    return result.output


def _same(served_value, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)) or expected is pd.NA:
        return served_value is None or (isinstance(served_value, float) and math.isnan(served_value))
    if served_value is None:
        return False
    if isinstance(expected, (float, Decimal)):
        return abs(float(served_value) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected)))
    return served_value == expected


def _feature_names() -> list[str]:
    return feature_repo.service_features(PROJECT_DIR)


def _online_differences(warehouse: Warehouse, store, unknown: list[int]) -> list[str]:
    """Every customer of ml_customer_features_online, served, against the table; plus customers
    that must be unknown to the online store."""
    names = _feature_names()
    rows = warehouse.query(f"select customer_id, {', '.join(names)} from ml.ml_customer_features_online "
                           "order by customer_id")
    ids = [row[0] for row in rows] + unknown
    response = store.get_online_features(features=store.get_feature_service(feature_repo.FEATURE_SERVICE),
                                         entity_rows=[{"customer_id": i} for i in ids]).to_dict()
    problems = []
    for k, row in enumerate(rows):
        for name, expected in zip(names, row[1:]):
            if not _same(response[name][k], expected):
                problems.append(f"customer {row[0]} {name}: served {response[name][k]!r}, table {expected!r}")
    for k in range(len(rows), len(ids)):
        served = {name: response[name][k] for name in names if response[name][k] is not None}
        if served:
            problems.append(f"customer {ids[k]} must be unknown online, served {served}")
    return problems


# --- generated definitions --------------------------------------------------------------------

def test_feast_definitions_are_generated_from_the_dbt_project():
    """feature_repo/customer_features.py is what `shopdw feature-repo` writes now; its view has
    exactly the feature columns of the model's contract, its service the training set's."""
    path, fresh = feature_repo.write_repo(PROJECT_DIR, check=True)
    assert fresh, f"{path} is stale: run `shopdw feature-repo`"
    objects = feature_store.load_definitions(PROJECT_DIR)
    view = objects["view"]
    assert [f.name for f in view.features] == [n for n, _ in feature_repo.feature_columns(PROJECT_DIR)]
    assert view.ttl == timedelta(days=1) and view.batch_source.timestamp_field == "as_of_at"
    served = [f.name for projection in objects["service"].feature_view_projections for f in projection.features]
    training = json.dumps(feature_repo.service_features(PROJECT_DIR))
    assert served == json.loads(training) and "churned" not in served and len(served) > 20


def test_a_changed_model_contract_makes_the_definitions_stale(tmp_path):
    for relative in (feature_repo.DAILY_MODEL_YAML, feature_repo.TRAINING_SET_YAML, feature_repo.REPO_PATH,
                     Path("dbt_project.yml")):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_DIR / relative, tmp_path / relative)
    assert feature_repo.write_repo(tmp_path, check=True)[1]
    daily = tmp_path / feature_repo.DAILY_MODEL_YAML
    daily.write_text(daily.read_text().replace("name: orders_90d", "name: orders_91d", 1))
    with pytest.raises(ValueError, match="orders_91d"):
        feature_repo.write_repo(tmp_path, check=True)  # not in the registry: no description, no view
    daily.write_text(daily.read_text().replace("name: orders_91d", "name: orders_90d", 1)
                     .replace("data_type: bigint\n", "data_type: integer\n", 1))
    assert feature_repo.write_repo(tmp_path, check=True)[1]  # the key column's type is not a feature
    daily.write_text(daily.read_text().replace("data_type: decimal(18,2)", "data_type: text", 1))
    assert not feature_repo.write_repo(tmp_path, check=True)[1]


# --- offline retrieval ------------------------------------------------------------------------

def test_historical_features_of_the_training_rows_equal_the_training_set(served):
    names = _feature_names()
    rows = served.query(f"select customer_id, as_of_at, {', '.join(names)} from ml.ml_churn_training_set "
                        "order by as_of_at, customer_id")
    assert len(rows) > 500
    entities = pd.DataFrame({"customer_id": [r[0] for r in rows],
                             "event_timestamp": pd.to_datetime([r[1] for r in rows], utc=True)})
    store = feature_store.open_store(_store_dir(served))
    frame = store.get_historical_features(entity_df=entities, features=store.get_feature_service("churn_model")).to_df()
    frame = frame.sort_values(["event_timestamp", "customer_id"]).reset_index(drop=True)
    assert len(frame) == len(rows)
    problems = [f"{row[0]} at {row[1]} {name}: feast {frame.at[k, name]!r}, training set {value!r}"
                for k, row in enumerate(rows) for name, value in zip(names, row[2:])
                if not _same(None if pd.isna(frame.at[k, name]) else frame.at[k, name], value)]
    assert not problems, f"{len(problems)} differences, first: {problems[:5]}"


def test_historical_features_never_come_from_a_later_as_of_time(served):
    """A microsecond before T gets the day before's features; an unknown customer and a time a
    day past the newest as-of time get nulls."""
    names = _feature_names()
    newest = served.scalar("select max(as_of_date) from ml.ml_customer_features_daily")
    sample = served.query("""
        select today.customer_id, today.as_of_at, today.orders_lifetime, yesterday.orders_lifetime
        from ml.ml_customer_features_daily as today
        left join ml.ml_customer_features_daily as yesterday
            on today.customer_id = yesterday.customer_id and yesterday.as_of_date = today.as_of_date - 1
        where today.as_of_date > (select min(as_of_date) from ml.ml_customer_features_daily)
        order by hash(today.customer_id, today.as_of_date) limit 300""")
    changed = [r for r in sample if r[2] != r[3]]
    assert changed, "the sample must hold customers whose features changed from one day to the next"
    newest_at = feature_store.as_of_time(newest)
    entities = pd.DataFrame({
        "customer_id": [r[0] for r in sample] + [r[0] for r in sample] + [987654321, sample[0][0]],
        "event_timestamp": ([pd.Timestamp(r[1], tz="UTC") - pd.Timedelta(microseconds=1) for r in sample]
                            + [pd.Timestamp(r[1], tz="UTC") for r in sample]
                            + [pd.Timestamp(newest_at),
                               pd.Timestamp(newest_at) + pd.Timedelta(days=1, microseconds=1)]),
    })
    entities["request"] = range(len(entities))  # passes through: each answer's request
    store = feature_store.open_store(_store_dir(served))
    frame = store.get_historical_features(entity_df=entities, features=[f"customer_features:{n}" for n in names]
                                          ).to_df()
    got = dict(zip(frame["request"], frame["orders_lifetime"]))
    assert len(got) == len(entities)
    n = len(sample)
    for k, (customer, at, today, yesterday) in enumerate(sample):
        assert _same(None if pd.isna(got[k]) else got[k], yesterday), (customer, at, "1 µs before T")
        assert got[n + k] == today, (customer, at, "at T")
    assert pd.isna(got[2 * n])  # a customer the warehouse does not know
    assert pd.isna(got[2 * n + 1])  # past the newest as-of time's day: nothing newer is known


# --- online store -----------------------------------------------------------------------------

def _deleted_customers(warehouse: Warehouse) -> list[int]:
    """Customers with features on an earlier date and none on the newest (deleted, or gone)."""
    return [r[0] for r in warehouse.query(
        "select customer_id from ml.ml_customer_features_daily except "
        "select customer_id from ml.ml_customer_features_online order by 1")]


def test_served_features_equal_the_online_table_after_a_build_and_a_daily_run(served):
    store = feature_store.open_store(_store_dir(served))
    assert _online_differences(served, store, [987654321] + _deleted_customers(served)) == []
    assert "up to date" in _sync(served)  # nothing new: nothing exported, nothing written
    served.next_day()
    served.build(tests=False, vars={"test_scope": "daily"})
    output = _sync(served)
    assert "1 as-of date(s) exported" in output and "written" in output, output
    store = feature_store.open_store(_store_dir(served))
    assert _online_differences(served, store, [987654321] + _deleted_customers(served)) == []
    newest = served.scalar("select max(as_of_date) from ml.ml_customer_features_daily")
    assert feature_store.materialized_until(store) == feature_store.as_of_time(newest)


@pytest.mark.parametrize("online", ["sqlite", "redis"])
def test_a_customer_gone_from_the_newest_date_leaves_the_online_store(served, tmp_path, online):
    """A customer deleted since the last materialisation is served as unknown: no feature
    outlives its customer. (Feast answers NOT_FOUND from SQLite; from Redis, nulls, as for any
    customer it does not hold.)"""
    copy = Warehouse(tmp_path)
    copy.root.mkdir(exist_ok=True)
    shutil.copy(served.path, copy.path)
    customer = served.scalar("select min(customer_id) from ml.ml_customer_features_online")
    context = None
    if online == "redis":
        _redis_installed()
        context = RedisServer()
        context.__enter__()
    try:
        redis = context.address if context else None
        feature_store.sync(copy.path, _store_dir(copy), PROJECT_DIR, redis=redis)
        store = feature_store.open_store(_store_dir(copy), redis=redis)
        before = store.get_online_features(features=["customer_features:orders_lifetime"],
                                           entity_rows=[{"customer_id": customer}]).to_dict()
        assert before["orders_lifetime"] == [served.scalar(
            "select orders_lifetime from ml.ml_customer_features_online where customer_id = ?", [customer])]
        copy.execute("delete from ml.ml_customer_features_daily where customer_id = "
                     f"{customer} and as_of_date = (select max(as_of_date) from ml.ml_customer_features_daily)")
        result = feature_store.sync(copy.path, _store_dir(copy), PROJECT_DIR, redis=redis)
        assert result.materialized["removed"] == 1 and result.export.written
        after = store.get_online_features(features=["customer_features:orders_lifetime"],
                                          entity_rows=[{"customer_id": customer}])
        assert after.to_dict()["orders_lifetime"] == [None]
        if online == "sqlite":
            assert list(after.proto.results[1].statuses) == [3]  # FieldStatus.NOT_FOUND
    finally:
        if context:
            context.__exit__(None, None, None)


def test_redis_online_store_serves_what_sqlite_serves(served):
    _redis_installed()
    with RedisServer() as redis:
        output = feature_store.sync(served.path, _store_dir(served), PROJECT_DIR, redis=redis.address).report()
        assert "definitions applied" in output and "written" in output
        store = feature_store.open_store(_store_dir(served), redis=redis.address)
        assert _online_differences(served, store, [987654321] + _deleted_customers(served)) == []


# --- serving over HTTP ------------------------------------------------------------------------

def _post(url: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def server(served, request):
    """`make serve` (shopdw feature-store serve) on a free port, with either online store."""
    if request.param == "redis":
        _redis_installed()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [venv_executable("shopdw"), "feature-store", "serve", "--warehouse", str(served.path),
               "--store-dir", str(_store_dir(served)), "--port", str(port), "--online-store", request.param]
    with serving(command, f"{url}/health", "the feature server", PROJECT_DIR, served.env()):
        yield url


def test_the_feature_server_answers_the_readme_request(served, server):
    names = _feature_names()
    rows = served.query(f"select customer_id, {', '.join(names)} from ml.ml_customer_features_online "
                        "order by customer_id limit 25")
    status, body = _post(f"{server}/get-online-features",
                         {"feature_service": "churn_model",
                          "entities": {"customer_id": [r[0] for r in rows] + [987654321]}})
    assert status == 200, body
    columns = body["metadata"]["feature_names"]
    results = {name: result for name, result in zip(columns, body["results"])}
    for k, row in enumerate(rows):
        for name, expected in zip(names, row[1:]):
            assert _same(results[name]["values"][k], expected), (row[0], name)
    unknown = [results[name]["values"][-1] for name in names]
    assert unknown == [None] * len(names)
    if "NOT_FOUND" in json.dumps(body):
        assert results[names[0]]["statuses"][-1] == "NOT_FOUND"


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not JSON"),
    ([1, 2], "JSON object"),
    ({"feature_service": "churn_model", "entities": {"customer": [1]}}, "entity key"),
    ({"feature_service": "churn_model", "entities": {"customer_id": ["abc"]}}, "integers"),
    ({"feature_service": "churn_model", "entities": {"customer_id": [1.5]}}, "integers"),
    ({"feature_service": "churn_model", "entities": {"customer_id": [True]}}, "integers"),
    ({"feature_service": "churn_model", "entities": {"customer_id": [2**70]}}, "64-bit"),
    ({"feature_service": "churn_model", "entities": {"customer_id": []}}, "non-empty"),
    ({"feature_service": "churn_model", "entities": {}}, "entities"),
    ({"feature_service": "churn_model"}, "entities"),
    ({"feature_service": "no_such_model", "entities": {"customer_id": [1]}}, "unknown feature_service"),
    ({"features": ["customer_features:no_such"], "entities": {"customer_id": [1]}}, "unknown feature"),
    ({"entities": {"customer_id": [1]}}, "either feature_service"),
    ({"feature_service": "churn_model", "features": ["customer_features:orders_7d"],
      "entities": {"customer_id": [1]}}, "either feature_service"),
    ({"feature_service": "churn_model", "entities": {"customer_id": list(range(1001))}}, "at most"),
])
def test_a_malformed_request_gets_a_4xx_with_a_message(server, body, message):
    status, answer = _post(f"{server}/get-online-features", body)
    assert 400 <= status < 500, (status, answer)
    assert message in json.dumps(answer), answer


def test_request_check_accepts_what_feast_serves():
    services, names = {"churn_model"}, {"customer_features:orders_7d"}
    ok = [{"feature_service": "churn_model", "entities": {"customer_id": [1, 2**63 - 1, -5]}},
          {"features": ["customer_features:orders_7d"], "entities": {"customer_id": [3]},
           "full_feature_names": True}]
    for body in ok:
        assert feature_server.request_problem(json.dumps(body).encode(), services, names) is None


def test_the_offline_source_holds_one_file_per_as_of_date(served):
    folder = _store_dir(served) / feature_repo.OFFLINE_PATH
    dates = served.query("select as_of_date, count(*) from ml.ml_customer_features_daily group by 1 order by 1")
    files = sorted(folder.glob("*.parquet"))
    assert [f.stem for f in files] == [d.isoformat() for d, _ in dates]
    with duckdb.connect() as con:
        counts = con.execute(f"select count(*) from '{folder}/*.parquet'").fetchone()[0]
    assert counts == sum(n for _, n in dates)


def test_the_benchmark_step_measures_every_lookup_path(served, tmp_path):
    """make bench's feature store step, on the small build: every path answers every lookup
    (no timing is asserted here: the numbers are the benchmark's)."""
    from shopdw.benchmark import bench_features

    _redis_installed()
    result = bench_features.measure(served.path, tmp_path / "bench_store", PROJECT_DIR, per_thread=8)
    assert sorted(result["lookups"]) == sorted(f"{api}, {store}, concurrency {c}" for api in ("SDK", "HTTP")
                                               for store in ("sqlite", "redis") for c in (1, 16))
    for name, lookups in result["lookups"].items():
        assert lookups["error_count"] == 0, (name, lookups["errors"])
        assert lookups["lookups"] == (8 if name.endswith("concurrency 1") else 16 * 2), name
    assert set(result["materialize_day_seconds"]) == {"sqlite", "redis"}
    training = result["training_set"]
    assert training["rows"] == training["feast_rows"] == served.scalar("select count(*) from ml.ml_churn_training_set")


def test_a_sync_without_a_built_warehouse_says_what_is_missing(tmp_path):
    warehouse = Warehouse(tmp_path)
    missing = warehouse.shopdw("feature-store", "sync", "--warehouse", str(tmp_path / "none.duckdb"),
                               "--store-dir", str(tmp_path / "store"))
    assert missing.returncode == 2 and "no warehouse at" in missing.output and "Traceback" not in missing.output
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    empty = warehouse.shopdw("feature-store", "sync", "--warehouse", str(tmp_path / "empty.duckdb"),
                             "--store-dir", str(tmp_path / "store"))
    assert empty.returncode == 2 and "has no table ml.ml_customer_features_daily" in empty.output
    assert "Traceback" not in empty.output
