"""``make bench``: how long after a publish a long-lived reader's new queries still see the old build.

Three readers of the published file, each as a BI server holds it, measured side by side on
the same publishes: a pooled SQLAlchemy engine on the file's path (SQLAlchemy's default
``QueuePool``), an engine without a pool (``NullPool``, Superset's default), and
``shopdw.publishing.readers.reader_engine``. Each runs, in threads, a dashboard's long query over and over
(a new one starting half-way through the previous, as two users would) and a poller that
starts a short query every 20 ms. After a publish returns, the staleness is the time until
the last query that *started* after it still read the old build (0 when none did), observed
for ``window`` seconds: a reader still stale at the end of the window is reported as such.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy
from sqlalchemy import event, pool

from shopdw.publishing import publish, readers

LONG_QUERY = "select count(*) from range(?) as r(i) where i % 7 = 3"


def _engines(path: Path) -> dict[str, sqlalchemy.Engine]:
    return {
        "path, QueuePool (SQLAlchemy's default)": _quiet(sqlalchemy.create_engine(
            f"duckdb:///{path}", connect_args={"read_only": True})),
        "path, NullPool (Superset's default)": _quiet(sqlalchemy.create_engine(
            f"duckdb:///{path}", connect_args={"read_only": True}, poolclass=pool.NullPool)),
        "shopdw.publishing.readers.reader_engine": _quiet(readers.reader_engine(path, pool_size=4, max_overflow=4)),
    }


def _quiet(engine: sqlalchemy.Engine) -> sqlalchemy.Engine:
    """No progress bar on stderr from the long queries (a per-connection setting in DuckDB)."""
    event.listen(engine, "connect", lambda dbapi_connection, _: dbapi_connection.execute(
        "set enable_progress_bar = false"))
    return engine


def _long_query_size(engine: sqlalchemy.Engine, seconds: float) -> int:
    """Rows of range() that one long query scans in about ``seconds``."""
    size = 10_000_000
    with engine.connect() as con:
        started = time.monotonic()
        con.exec_driver_sql(LONG_QUERY, (size,)).scalar_one()
        took = max(time.monotonic() - started, 1e-3)
    return int(size * seconds / took)


def staleness(engine: sqlalchemy.Engine, publish_new: callable, long_seconds: float = 2.0,
              window: float = 10.0) -> dict:
    """Seconds after ``publish_new()`` returns during which a newly started query still read the
    old build, with two overlapping long queries running all along."""
    size = _long_query_size(engine, long_seconds)
    with engine.connect() as con:
        old = readers.publication_of(con)
    stop = threading.Event()
    polls: list[tuple[float, str]] = []
    errors: list[str] = []

    def long_queries(delay: float) -> None:
        time.sleep(delay)
        while not stop.is_set():
            try:
                with engine.connect() as con:
                    con.exec_driver_sql(LONG_QUERY, (size,)).scalar_one()
            except Exception as err:  # noqa: BLE001 - recorded, reported
                errors.append(repr(err))

    def poller() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                with engine.connect() as con:
                    polls.append((started, readers.publication_of(con)))
            except Exception as err:  # noqa: BLE001 - recorded, reported
                errors.append(repr(err))
            time.sleep(0.02)

    threads = [threading.Thread(target=long_queries, args=(0.0,)),
               threading.Thread(target=long_queries, args=(long_seconds / 2,)),
               threading.Thread(target=poller)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(long_seconds * 1.5)
        new = publish_new()
        published = time.monotonic()
        time.sleep(window)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    after = [(at - published, seen) for at, seen in polls if at >= published]
    stale = [offset for offset, seen in after if seen == old]
    return {
        "polls_after_publish": len(after),
        "stale_polls": len(stale),
        "staleness_seconds": round(max(stale), 3) if stale else 0.0,
        "still_stale_at_end_of_window": bool(after) and after[-1][1] == old,
        "window_seconds": window,
        "saw_new_build": any(seen == new for _, seen in after),
        "errors": errors[:3],
    }


def measure(build_path: Path, published_path: Path, target_dir: Path, window: float = 10.0,
            long_seconds: float = 2.0) -> dict:
    """Each reader kind on its own publishes of the same build."""
    publish.publish(build_path, published_path, target_dir)
    results = {}
    for name, engine in _engines(published_path).items():
        try:
            results[name] = staleness(
                engine, lambda: publish.publish(build_path, published_path, target_dir).publication_id,
                long_seconds=long_seconds, window=window)
        finally:
            engine.dispose()
    return results
