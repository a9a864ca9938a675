"""The Piccolo engine chosen by DATABASE_URL, migrations, and transactions.

SQLite (a file under var/) is the embedded default; a postgres:// URL selects PostgreSQL
with a connection pool. Both run the same migrations.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

os.environ.setdefault("PICCOLO_CONF", "ashiato.piccolo_conf")


class DatabaseUnavailable(Exception):
    """The database could not be reached; callers answer 'try again later'."""


def make_engine(database_url: str) -> Engine:
    parsed = urlparse(database_url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": database_url})
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = database_url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: writers queue behind each other instead of failing.
        return SQLiteEngine(path=path, timeout=30)
    raise SystemExit(f"DATABASE_URL must be sqlite:///… or postgres://…, got {database_url!r}")


def table_classes() -> list[type]:
    """Every table of every app, plus Piccolo's own migration table."""
    from piccolo.apps.migrations.tables import Migration

    return [Migration, *Finder().get_table_classes()]


def configure(database_url: str) -> Engine:
    """Point Piccolo (its conf module and every table) at this database."""
    from ashiato import piccolo_conf

    engine = make_engine(database_url)
    piccolo_conf.DB = engine
    for table in table_classes():
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    from ashiato import piccolo_conf

    return piccolo_conf.DB


async def start(engine: Engine, pool_size: int = 20) -> None:
    """Open PostgreSQL's connection pool (0: a connection per query, as SQLite does)."""
    if isinstance(engine, PostgresEngine) and pool_size > 0 and engine.pool is None:
        await engine.start_connection_pool(min_size=min(2, pool_size), max_size=pool_size)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


async def migrate(engine: Engine | None = None) -> None:
    """Apply every app's pending migrations (idempotent)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    engine = engine or current_engine()
    if isinstance(engine, SQLiteEngine):
        # WAL lets readers proceed while one writer commits; it is a property of the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE),
    so two writers queue on the busy timeout instead of deadlocking on a lock upgrade."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield
