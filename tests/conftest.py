"""Shared fixtures: a fresh database per test, the app, a real SMTP sink, form helpers.

The database is SQLite in a temp dir, or a fresh PostgreSQL database when
TEST_DATABASE_URL=postgres://… is set. Either way migrations run once per session into a
template, and each test gets a copy (a file copy, or CREATE DATABASE … TEMPLATE).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient

from ashiato import db
from ashiato.settings import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))
# The database named in TEST_DATABASE_URL is the maintenance connection; the tests create
# "<name>_template" and one "<name>_<random>" per test beside it.
MAINTENANCE_DB = urlparse(TEST_DATABASE_URL).path.lstrip("/") or "postgres"
# The process id keeps two suites on one server (two developers, or CI) apart.
TEMPLATE_DB = f"{MAINTENANCE_DB}_template_{os.getpid()}"
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


class MailSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (the test's relay)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.received = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, address: str, pattern: str) -> str:
        """The last link matching pattern in mail to address."""
        for message in reversed(self.to(address)):
            found = re.search(pattern, self.text(message))
            if found:
                return found.group(0)
        raise AssertionError(f"no link {pattern!r} in mail to {address}: {self.messages}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_sink() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
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


@contextlib.asynccontextmanager
async def browser_of(app) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    """A browser on `app`; a test that needs settings read when the app is assembled (the
    trusted proxies, say) builds its own app with create_app and opens one with this."""
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        test_client.follow_redirects = False  # tests assert the 303s themselves
        yield test_client


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient]:
    async with browser_of(app) as test_client:
        yield test_client


@pytest.fixture
async def other_client(app) -> AsyncIterator[AsyncTestClient]:
    """A second browser: another member's cookies."""
    async with browser_of(app) as test_client:
        yield test_client


async def csrf_token(client: AsyncTestClient, path: str = "/login") -> str:
    """Load a page so the CSRF cookie is set, then return the token to send back."""
    if "csrftoken" not in client.cookies:
        await client.get(path)
    return client.cookies["csrftoken"]


async def post_form(client: AsyncTestClient, path: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    token = await csrf_token(client)
    return await client.post(path, data={**data, "_csrf_token": token}, **kwargs)


class QueryCounter:
    """Counts the SQL statements Piccolo runs (both engines) while enabled."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


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
