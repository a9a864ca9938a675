"""Members in every relation to an owner, more logged-in browsers, and a query counter."""

from __future__ import annotations

import io
from contextlib import AsyncExitStack

import pytest
from litestar.testing import AsyncTestClient
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from PIL import Image

from ashiato.friends import service as friends
from tests.factories import login, make_member

RELATIONS = ("owner", "friend", "fof", "stranger", "blocked")


@pytest.fixture
async def people(settings):
    """owner; friend (maimiku); fof (a friend's friend); stranger; blocked (by the owner)."""
    made = {name: await make_member(f"{name}@example.jp", name) for name in RELATIONS}
    await friends.make_friends(made["owner"], made["friend"])
    await friends.make_friends(made["friend"], made["fof"])
    await friends.block(made["owner"], made["blocked"].id)
    return made


@pytest.fixture
async def open_as(app):
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


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def query_counter(monkeypatch) -> QueryCounter:
    """Counts every statement Piccolo sends, on either engine."""
    counter = QueryCounter()
    for engine in (SQLiteEngine, PostgresEngine):
        original = engine.run_querystring

        async def counted(self, querystring, *args, _original=original, **kwargs):
            counter.count += 1
            return await _original(self, querystring, *args, **kwargs)

        monkeypatch.setattr(engine, "run_querystring", counted)
    return counter


def png(colour: str = "orange", size: tuple[int, int] = (60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()
