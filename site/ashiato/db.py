"""The Piccolo engine chosen by DATABASE_URL, migrations, and transactions.

SQLite (a file under var/) is the embedded default; a postgres:// URL selects PostgreSQL
with a connection pool. Both run the same migrations.

Connections live as long as the process (start() to stop()): PostgreSQL through asyncpg's
pool, SQLite through PersistentSQLiteEngine — one writer connection that every transaction
and every write takes in turn, and a few reader connections for SELECTs outside a
transaction (WAL lets them read while the writer commits). Piccolo's own SQLiteEngine
opened a connection, and so started a thread, for every query.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiosqlite
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)

os.environ.setdefault("PICCOLO_CONF", "ashiato.piccolo_conf")


class DatabaseUnavailable(Exception):
    """The database could not be reached; callers answer 'try again later'."""


# SQLite reader connections at most, whatever ASHIATO_DB_POOL_SIZE says: each is a thread,
# and SQLite reads are short; more readers than cores only queue in the interpreter.
MAX_SQLITE_READERS = 4


@dataclass(eq=False)
class _Connections:
    """One event loop's long-lived SQLite connections (asyncio's locks belong to a loop)."""

    loop: asyncio.AbstractEventLoop
    writer: aiosqlite.Connection
    writer_lock: asyncio.Lock
    reader_slots: asyncio.Semaphore
    idle_readers: list[aiosqlite.Connection] = field(default_factory=list)
    readers: list[aiosqlite.Connection] = field(default_factory=list)


class PersistentSQLiteTransaction(SQLiteTransaction):
    """Piccolo's transaction (nesting, savepoints, rollback on error), on the engine's one
    writer connection, held under its lock from BEGIN to COMMIT/ROLLBACK instead of a
    connection opened and closed per transaction."""

    __slots__ = ("_connections",)

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine: PersistentSQLiteEngine = self.engine  # type: ignore[assignment]
        connections = engine.connections_here()
        self._connections = connections
        if connections is None:  # not started, or another loop: Piccolo's own way
            return await super().__aenter__()
        await connections.writer_lock.acquire()
        try:
            self.connection = connections.writer
            await _end_leftover_transaction(self.connection)
            await self.begin()
        except BaseException:
            connections.writer_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:  # type: ignore[no-untyped-def]
        if self._parent is not None or self._connections is None:
            return await super().__aexit__(exception_type, exception, traceback)
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            try:
                # A failed COMMIT (or a cancelled ROLLBACK) must not leave the writer
                # inside a transaction for the next task.
                await _end_leftover_transaction(self.connection)
            finally:
                self._connections.writer_lock.release()
        return exception is None


async def _end_leftover_transaction(connection: aiosqlite.Connection) -> None:
    if connection.in_transaction:
        await connection.rollback()


class PersistentSQLiteEngine(SQLiteEngine):
    """SQLiteEngine with long-lived connections on the loop that called open().

    Connections carry WAL, synchronous=NORMAL, the busy timeout and foreign keys from the
    start. Outside a transaction a SELECT takes an idle reader, anything else the writer
    (under its lock, so writes queue here rather than on SQLite's busy timeout); a
    transaction holds the writer from BEGIN to its end. On any other event loop (Litestar's
    test client runs the app on a loop of its own thread), before open() and after close(),
    the engine behaves as Piccolo's: a connection per query.
    """

    __slots__ = ("_connections", "_users")

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._connections: _Connections | None = None
        self._users = 0

    async def _connect(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        busy_ms = int(float(self.connection_kwargs.get("timeout", 5)) * 1000)
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            f"PRAGMA busy_timeout = {busy_ms}",
            "PRAGMA foreign_keys = 1",
        ):
            async with connection.execute(pragma):
                pass
        return connection

    async def open(self, readers: int) -> None:
        """Open the writer on the running loop (readers open as they are first needed).
        Counted: as many close() as open() calls shut it down."""
        self._users += 1
        if self._connections is not None:
            return
        writer = await self._connect()
        self._connections = _Connections(
            loop=asyncio.get_running_loop(),
            writer=writer,
            writer_lock=asyncio.Lock(),
            reader_slots=asyncio.Semaphore(max(1, min(readers, MAX_SQLITE_READERS))),
        )

    async def close(self) -> None:
        self._users = max(0, self._users - 1)
        connections = self._connections
        if self._users > 0 or connections is None:
            return
        self._connections = None
        for connection in (connections.writer, *connections.readers):
            await connection.close()

    def connections_here(self) -> _Connections | None:
        connections = self._connections
        if connections is None:
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return connections if connections.loop is loop else None

    async def _run(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None,
        query_type: str,
        table: Any,
    ) -> Any:
        async with connection.execute(query, args or []) as cursor:
            response = await cursor.fetchall()
            if query_type == "insert" and self.get_version_sync() < 3.35:
                pk = await self._get_inserted_pk(cursor, table)
                return [{table._meta.primary_key._meta.db_column_name: pk}]
            return response

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connections = self.connections_here()
        if connections is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        if query.lstrip().upper().startswith("SELECT"):
            async with connections.reader_slots:
                if connections.idle_readers:
                    reader = connections.idle_readers.pop()
                else:
                    reader = await self._connect()
                    connections.readers.append(reader)
                try:
                    return await self._run(reader, query, args, query_type, table)
                finally:
                    connections.idle_readers.append(reader)
        async with connections.writer_lock:
            return await self._run(connections.writer, query, args, query_type, table)

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Piccolo re-sends PRAGMA foreign_keys before each statement of a transaction; the
        # connection has it already (get_connection and _connect set it).
        return await self._run(connection, query, args, query_type, table)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PersistentSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def make_engine(database_url: str) -> Engine:
    parsed = urlparse(database_url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": database_url})
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = database_url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: writers queue behind each other instead of failing.
        return PersistentSQLiteEngine(path=path, timeout=30)
    raise SystemExit(f"DATABASE_URL must be sqlite:///… or postgres://…, got {database_url!r}")


def table_classes() -> list[type]:
    """Every table of every app, plus Piccolo's own migration table."""
    from piccolo.apps.migrations.tables import Migration

    return [Migration, *Finder().get_table_classes()]


def configure(database_url: str) -> Engine:
    """Point Piccolo (its conf module and every table) at this database.

    Configuring the database already configured keeps its engine: `ashiato serve` configures
    it, then the app's lifespan again, and two engines would mean two pools."""
    from ashiato import piccolo_conf

    if _configured.get(database_url) is getattr(piccolo_conf, "DB", None):
        return piccolo_conf.DB
    engine = make_engine(database_url)
    _configured.clear()
    _configured[database_url] = engine
    piccolo_conf.DB = engine
    for table in table_classes():
        table._meta.db = engine
    return engine


_configured: dict[str, Engine] = {}
# start() calls not yet matched by stop(), per PostgreSQL engine: its one pool closes on the
# last stop (the CLI and the app's lifespan share the engine).
_pool_users: dict[int, int] = {}


def current_engine() -> Engine:
    from ashiato import piccolo_conf

    return piccolo_conf.DB


async def start(engine: Engine, pool_size: int = 20) -> None:
    """Open the long-lived connections: PostgreSQL's pool of `pool_size`, SQLite's writer
    and up to MAX_SQLITE_READERS readers on this event loop (0: a connection per query)."""
    if pool_size <= 0:
        return
    if isinstance(engine, PersistentSQLiteEngine):
        await engine.open(readers=pool_size)
    elif isinstance(engine, PostgresEngine):
        _pool_users[id(engine)] = _pool_users.get(id(engine), 0) + 1
        if engine.pool is None:
            await engine.start_connection_pool(min_size=min(2, pool_size), max_size=pool_size)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PersistentSQLiteEngine):
        await engine.close()
    elif isinstance(engine, PostgresEngine):
        users = _pool_users.pop(id(engine), 0) - 1
        if users > 0:
            _pool_users[id(engine)] = users
        elif engine.pool is not None:
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
