"""Feast's HTTP feature server on the warehouse's feature store, with its requests checked first.

`serve` runs Feast's own FastAPI app (feast.feature_server.get_app) with uvicorn, so the API is
Feast's: `POST /get-online-features` with `{"feature_service": "churn_model", "entities":
{"customer_id": [...]}}`. An unknown customer gets nulls with Feast's NOT_FOUND status. Feast
answers a wrong entity name or a customer id that is not an integer with a 500; here such a
request is refused first with a 422 and a message naming the problem, so a client error is never
a server error. With online_store="redis", a Redis server of its own is started on 127.0.0.1
and a free port, loaded with the newest features, and stopped when the server stops.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from shopdw.features import feature_repo, feature_store
from shopdw.features.redis_server import RedisServer

# one request may ask for this many customers at most (a batch, not a table scan)
MAX_ENTITIES = 1000


def request_problem(body: bytes, feature_services: set[str], features: set[str]) -> str | None:
    """What is wrong with a /get-online-features request body, or None if Feast can answer it."""
    try:
        request = json.loads(body)
    except ValueError as err:
        return f"the body is not JSON: {err}"
    if not isinstance(request, dict):
        return "the body must be a JSON object"
    entities = request.get("entities")
    if not isinstance(entities, dict) or not entities:
        return 'entities must be an object, e.g. {"customer_id": [1, 2]}'
    unknown = sorted(set(entities) - {feature_repo.JOIN_KEY})
    if unknown:
        return f"unknown entity key(s) {unknown}: the entity key is {feature_repo.JOIN_KEY!r}"
    ids = entities.get(feature_repo.JOIN_KEY)
    if not isinstance(ids, list) or not ids:
        return f"entities.{feature_repo.JOIN_KEY} must be a non-empty list of integers"
    if len(ids) > MAX_ENTITIES:
        return f"at most {MAX_ENTITIES} customers per request, got {len(ids)}"
    bad = [value for value in ids if isinstance(value, bool) or not isinstance(value, int)]
    if bad:
        return f"entities.{feature_repo.JOIN_KEY} must hold integers, got {bad[:3]!r}"
    if any(not -2**63 <= value < 2**63 for value in ids):
        return f"entities.{feature_repo.JOIN_KEY}: a customer id is outside the 64-bit integer range"
    service, wanted = request.get("feature_service"), request.get("features")
    if (service is None) == (wanted is None):
        return "give either feature_service (e.g. \"churn_model\") or features, not both or neither"
    if service is not None and service not in feature_services:
        return f"unknown feature_service {service!r}: known are {sorted(feature_services)}"
    if wanted is not None:
        if not isinstance(wanted, list) or not wanted or not all(isinstance(f, str) for f in wanted):
            return f'features must be a list of names like "{feature_repo.FEATURE_VIEW}:orders_30d"'
        unknown = sorted(set(wanted) - features)
        if unknown:
            return f"unknown feature(s) {unknown[:5]}: features are named {feature_repo.FEATURE_VIEW}:<feature>"
    return None


class RequestCheck:
    """ASGI middleware: a POST /get-online-features whose body request_problem rejects gets a
    422 with the problem; every other request goes to the app untouched."""

    def __init__(self, app, feature_services: set[str], features: set[str]):
        self.app, self.feature_services, self.features = app, feature_services, features

    async def __call__(self, scope, receive, send):
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/get-online-features"):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = request_problem(body, self.feature_services, self.features)
        if problem is not None:
            from starlette.responses import JSONResponse

            await JSONResponse(status_code=422, content={"error": "invalid request", "detail": problem})(
                scope, receive, send)
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def make_app(store):
    """Feast's app for the store, behind the check of /get-online-features requests."""
    from feast.feature_server import get_app

    services = {service.name for service in store.list_feature_services()}
    names = {f"{view.name}:{feature.name}" for view in store.list_feature_views() for feature in view.features}
    return RequestCheck(get_app(store), services, names)


def run_server(store, host: str, port: int, workers: int) -> None:
    """Run the app as `feast serve` does: gunicorn with uvicorn workers (one per core by default),
    after Feast's security and auth managers are set up from the store's config."""
    import gunicorn.app.base
    from feast.permissions.server.utils import (
        ServerType,
        init_auth_manager,
        init_security_manager,
        str_to_auth_manager_type,
    )

    auth_type = str_to_auth_manager_type(store.config.auth_config.type)
    init_security_manager(auth_type=auth_type, fs=store)
    init_auth_manager(auth_type=auth_type, server_type=ServerType.REST, auth_config=store.config.auth_config)

    class Server(gunicorn.app.base.BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "uvicorn_worker.UvicornWorker")
            self.cfg.set("keepalive", 30)
            self.cfg.set("loglevel", "warning")

        def load(self):
            return make_app(store)

    Server().run()


def serve(warehouse: Path, store_dir: Path, project_dir: Path, host: str, port: int,
          online_store: str = "sqlite", workers: int = 0, redis: str | None = None) -> None:
    """Serve the feature store until interrupted (Ctrl-C); workers 0: one per core. With
    online_store "redis": the Redis at `redis` (kept in step by the syncs), else one of its own."""
    workers = workers or os.cpu_count() or 1
    if online_store == "redis" and redis:
        store = feature_store.open_store(store_dir.resolve(), redis=redis)
        print(f"Feast feature server on http://{host}:{port} (online store: Redis {redis})", flush=True)
        run_server(store, host, port, workers)
        return
    if online_store == "redis":
        with RedisServer() as redis:
            loaded = feature_store.sync(warehouse, store_dir, project_dir, full=True, redis=redis.address)
            print(f"Redis on {redis.address}: {loaded.report()}", flush=True)
            store = feature_store.open_store(store_dir.resolve(), redis=redis.address)
            print(f"Feast feature server on http://{host}:{port} (online store: Redis {redis.address})", flush=True)
            run_server(store, host, port, workers)
        return
    store_dir = store_dir.resolve()
    if not (store_dir / "registry.db").exists():
        raise FileNotFoundError(f"no feature store in {store_dir}: run `make build` (or shopdw feature-store sync)")
    store = feature_store.open_store(store_dir)
    print(f"Feast feature server on http://{host}:{port} (online store {store_dir / 'online.db'})", flush=True)
    run_server(store, host, port, workers)
