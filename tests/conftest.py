"""Shared fixtures: a fresh database per test, the app, a real SMTP sink, form helpers.

The database is SQLite in a temp dir, or a fresh PostgreSQL database when
TEST_DATABASE_URL=postgres://… is set. Either way migrations run once per session into a
template, and each test gets a copy (a file copy, or CREATE DATABASE … TEMPLATE).

Safe under pytest-xdist (`bin/test` runs `-n auto`): each worker is its own session, so it
migrates its own template (SQLite under the worker's own temp dir; on PostgreSQL a template
named after the worker and the process), every test database has a random name, and servers
listen on ports the OS picks. Helpers that are not fixtures live in tests/helpers.py.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from litestar.testing import AsyncTestClient

from ashiato import db
from ashiato.friends import service as friends
from ashiato.settings import Settings
from tests.factories import login, make_member
from tests.helpers import (
    ON_POSTGRES,
    TEST_DATABASE_URL,
    MailSink,
    QueryCounter,
    SinkController,
    browser_of,
    require_mail_samples,
)

# The database named in TEST_DATABASE_URL is the maintenance connection; the tests create
# "<name>_template_<worker>_<pid>" and one "<name>_<random>" per test beside it.
MAINTENANCE_DB = urlparse(TEST_DATABASE_URL).path.lstrip("/") or "postgres"
# The xdist worker (gw0, gw1…; "main" without xdist) and the process id keep the workers of
# one run, and two runs on one server (two developers, or CI), apart.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEMPLATE_DB = f"{MAINTENANCE_DB}_template_{WORKER}_{os.getpid()}"
# The tests' Argon2 cost (argon2.profiles): the cheapest, so hashing costs next to nothing.
HASH_PROFILE = "CHEAPEST"


def _pg_url(database: str) -> str:
    parsed = urlparse(TEST_DATABASE_URL)
    return urlunparse(parsed._replace(path=f"/{database}"))


async def _pg_admin(*statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_pg_url(MAINTENANCE_DB))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _migrate(url: str) -> None:
    engine = db.configure(url)
    await db.migrate(engine)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that each test copies."""
    if ON_POSTGRES:
        asyncio.run(
            _pg_admin(
                f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)',
                f'CREATE DATABASE "{TEMPLATE_DB}"',
            )
        )
        asyncio.run(_migrate(_pg_url(TEMPLATE_DB)))
        yield TEMPLATE_DB
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite:///{path}"))
    yield str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    if ON_POSTGRES:
        name = f"{MAINTENANCE_DB}_{uuid.uuid4().hex[:12]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        yield _pg_url(name)
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path / "ashiato.sqlite3"
        shutil.copyfile(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def mail_sink() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    controller = SinkController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, mail_sink: tuple[MailSink, int]) -> Settings:
    _, port = mail_sink
    db.configure(database_url)  # every query of this test goes to its own database
    return replace(
        Settings.from_env({}),
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        var_dir=tmp_path / "var",
        base_url="http://testserver.local",
        smtp_relay=("127.0.0.1", port),
        # The cheapest Argon2 cost: hashing at the production cost was over half the suite.
        # Litestar's test client runs the app's lifespan on a loop of its own thread; a pool
        # opened there cannot serve the test's loop, so tests open a connection per query.
        db_pool_size=0,
        password_hash_profile=HASH_PROFILE,
    )


@pytest.fixture
def sink(mail_sink: tuple[MailSink, int]) -> MailSink:
    return mail_sink[0]


@pytest.fixture
async def app(settings: Settings):
    from ashiato.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient]:
    async with browser_of(app) as test_client:
        yield test_client


@pytest.fixture
async def other_client(app) -> AsyncIterator[AsyncTestClient]:
    """A second browser: another member's cookies."""
    async with browser_of(app) as test_client:
        yield test_client


@pytest.fixture
def count_queries(monkeypatch: pytest.MonkeyPatch) -> QueryCounter:
    """Wraps run_querystring of both engine classes; `count_queries.reset()` then act."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    counter = QueryCounter()
    for engine_class in (SQLiteEngine, PostgresEngine):
        original = engine_class.run_querystring

        async def counting(self, querystring, *args, __original=original, **kwargs):
            counter.statements.append(str(querystring))
            return await __original(self, querystring, *args, **kwargs)

        monkeypatch.setattr(engine_class, "run_querystring", counting)
    return counter


@pytest.fixture
def query_counter(count_queries: QueryCounter) -> QueryCounter:
    """The same counter under the name the profile and footprint tests use."""
    return count_queries


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `mail_samples` fails (never skips) without the carrier mail corpus."""
    if item.get_closest_marker("mail_samples"):
        require_mail_samples()


RELATIONS = ("owner", "friend", "fof", "stranger", "blocked")


@pytest.fixture
async def people(settings: Settings) -> dict:
    """owner; friend (maimiku); fof (a friend's friend); stranger; blocked (by the owner)."""
    made = {name: await make_member(f"{name}@example.jp", name) for name in RELATIONS}
    await friends.make_friends(made["owner"], made["friend"])
    await friends.make_friends(made["friend"], made["fof"])
    await friends.block(made["owner"], made["blocked"].id)
    return made


@pytest.fixture
async def open_as(app):  # type: ignore[no-untyped-def]
    """open_as(email) → a new browser logged in as that member (closed after the test)."""
    async with AsyncExitStack() as stack:

        async def open_browser(email: str, **headers: str) -> AsyncTestClient:
            browser = await stack.enter_async_context(
                AsyncTestClient(app=app, base_url="http://testserver.local")
            )
            browser.follow_redirects = False
            browser.headers.update(headers)
            await login(browser, email)
            return browser

        yield open_browser
