"""How a long-lived reader opens the published warehouse so that it sees each publish.

``shopdw publish`` replaces the published file atomically (a new inode at the same path).
A reader that opens the path afresh gets the new build. But DuckDB keeps one database
instance per file path and process: while any connection of a process has the path open,
every new ``duckdb.connect(path)`` in that process reuses that instance, which still reads
the *replaced* file. A BI server with a connection pool (SQLAlchemy's default ``QueuePool``)
always holds a connection open, so it serves the old build until it restarts; with no pool
(``NullPool``) it serves it as long as any query of the process is running.

``reader_engine`` avoids the shared instance: each pooled connection is its own in-memory
DuckDB that attaches the published file read-only (``warehouse``, the default catalog, so
``marts.fct_orders`` resolves as usual). When a connection is taken from the pool, the
published file's identity (inode and change time) is compared with the one the connection
attached; after a publish the connection is discarded and a fresh one attaches the new file.
So every query that starts after a publish has finished reads the new build; a query
already running finishes on the build it started with. Writes are refused (read-only
attach), and a reader never locks the file for anyone else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event, exc, pool

CATALOG = "warehouse"


def file_identity(path: Path) -> tuple[int, int, int]:
    """What changes when the published file is replaced: device, inode and change time."""
    found = os.stat(path)
    return found.st_dev, found.st_ino, found.st_ctime_ns


def publication_of(connection: Any) -> str:
    """The publication id of the build a (DBAPI or SQLAlchemy) connection reads."""
    query = "select publication_id from main.publication"
    if isinstance(connection, sqlalchemy.Connection):
        return connection.execute(sqlalchemy.text(query)).scalar_one()
    return connection.execute(query).fetchone()[0]


def reader_engine(published_path: Path | str, **engine_options: Any) -> sqlalchemy.Engine:
    """A pooled SQLAlchemy engine (duckdb-engine) on the published warehouse that sees each
    publish: every query started after a publish has finished reads the new build.

    ``engine_options`` go to ``sqlalchemy.create_engine`` (``pool_size``, ``max_overflow``,
    ``pool_recycle``, ...); the pool is a ``QueuePool`` unless ``poolclass`` says otherwise.
    """
    path = Path(published_path).resolve()
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}: run `make build` (or `shopdw publish`)")
    engine_options.setdefault("poolclass", pool.QueuePool)
    engine = sqlalchemy.create_engine("duckdb:///:memory:", **engine_options)
    attach = f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as {CATALOG} (read_only)"

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection, connection_record) -> None:  # noqa: ANN001 - SQLAlchemy's hook
        # the identity before the attach: if a publish lands in between, the next checkout
        # sees a newer identity and reconnects (never the other way round)
        connection_record.info["published_file"] = file_identity(path)
        dbapi_connection.execute(attach)
        dbapi_connection.execute(f"use {CATALOG}")

    @event.listens_for(engine, "checkout")
    def _fresh(dbapi_connection, connection_record, connection_proxy) -> None:  # noqa: ANN001
        if connection_record.info.get("published_file") != file_identity(path):
            # SQLAlchemy closes this connection and opens a new one (which attaches the new file)
            raise exc.DisconnectionError("the published warehouse was replaced by a newer build")

    return engine
