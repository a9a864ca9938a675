"""Long-lived connections (issue 11): exact results under concurrency, rollback, and no
connection (so no thread) opened per query. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import aiosqlite
import pytest

from ashiato import db
from tests.helpers import ON_POSTGRES

POOL = 4


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[db.Engine]:
    engine = db.configure(database_url)
    await db.start(engine, POOL)
    await engine.run_ddl("CREATE TABLE perf_counter (id INTEGER PRIMARY KEY, n INTEGER)")
    await engine.run_ddl("INSERT INTO perf_counter (id, n) VALUES (1, 0)")
    try:
        yield engine
    finally:
        await db.stop(engine)


async def counter(engine: db.Engine) -> int:
    rows = await engine.run_ddl("SELECT n FROM perf_counter WHERE id = 1")
    return rows[0]["n"]


async def increment(engine: db.Engine) -> None:
    """Read, yield to the other tasks, write: exact only if transactions are serialised
    (BEGIN IMMEDIATE on SQLite, the row lock of FOR UPDATE on PostgreSQL)."""
    lock = " FOR UPDATE" if ON_POSTGRES else ""
    async with db.transaction():
        rows = await engine.run_ddl(f"SELECT n FROM perf_counter WHERE id = 1{lock}")
        await asyncio.sleep(0)
        await engine.run_ddl(f"UPDATE perf_counter SET n = {rows[0]['n'] + 1} WHERE id = 1")


async def test_concurrent_increments_in_transactions_are_exact(engine):
    await asyncio.gather(*(increment(engine) for _ in range(50)))
    assert await counter(engine) == 50


async def test_concurrent_reads_and_writes_keep_exact_results(engine):
    seen: list[int] = []

    async def read() -> None:
        seen.append(await counter(engine))

    async def write() -> None:
        await engine.run_ddl("UPDATE perf_counter SET n = n + 1 WHERE id = 1")

    tasks = [job() for _ in range(50) for job in (read, write)]
    await asyncio.gather(*tasks, *(increment(engine) for _ in range(50)))
    assert await counter(engine) == 100
    assert all(0 <= n <= 100 for n in seen) and len(seen) == 50


async def test_a_failed_transaction_rolls_back_and_the_next_one_commits(engine):
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await engine.run_ddl("UPDATE perf_counter SET n = 7 WHERE id = 1")
            raise RuntimeError("boom")
    assert await counter(engine) == 0
    await increment(engine)
    assert await counter(engine) == 1


async def test_a_nested_transaction_is_part_of_the_outer_one(engine):
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await engine.run_ddl("UPDATE perf_counter SET n = 5 WHERE id = 1")
            async with db.transaction():
                await engine.run_ddl("UPDATE perf_counter SET n = 6 WHERE id = 1")
            assert await counter(engine) == 6  # the transaction sees its own writes
            raise RuntimeError("boom")
    assert await counter(engine) == 0


async def test_a_failing_statement_leaves_the_writer_usable(engine):
    with pytest.raises(Exception, match="(?i)no such table|does not exist"):
        async with db.transaction():
            await engine.run_ddl("UPDATE no_such_table SET n = 1")
    await increment(engine)
    assert await counter(engine) == 1


@pytest.mark.skipif(ON_POSTGRES, reason="asyncpg's pool is PostgreSQL's; this is SQLite's")
async def test_queries_open_no_connection_and_no_thread_each(engine, monkeypatch):
    await asyncio.gather(*(counter(engine) for _ in range(POOL)))  # every reader opened
    opened = []
    connect = aiosqlite.connect

    def counting_connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(args)
        return connect(*args, **kwargs)

    monkeypatch.setattr(aiosqlite, "connect", counting_connect)
    threads = threading.active_count()
    for _ in range(50):
        await counter(engine)
        await increment(engine)
    assert opened == []
    assert threading.active_count() == threads
    # The connections are the ones settled once: WAL and synchronous=NORMAL.
    assert (await engine.run_ddl("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    assert (await engine.run_ddl("PRAGMA synchronous"))[0]["synchronous"] == 1


@pytest.mark.skipif(ON_POSTGRES, reason="the per-loop fallback is SQLite's")
async def test_another_event_loop_gets_a_connection_per_query(engine):
    """Litestar's test client runs the app on its own thread's loop: the started engine
    answers there too, with Piccolo's connection per query."""
    result = await asyncio.to_thread(asyncio.run, counter(engine))
    assert result == 0
    await asyncio.to_thread(asyncio.run, increment(engine))
    assert await counter(engine) == 1


async def test_configuring_the_same_database_again_keeps_its_engine(database_url, engine):
    assert db.configure(database_url) is engine
    await db.start(engine, POOL)  # the app's lifespan inside `ashiato serve`
    await db.stop(engine)
    assert await counter(engine) == 0  # still open: the first start has not stopped yet
    if ON_POSTGRES:
        assert engine.pool is not None
    else:
        assert engine.connections_here() is not None
