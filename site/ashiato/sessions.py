"""Server-side sessions: a fresh ID at login, and nothing stored that has not changed.

Litestar's server-side backend keeps whatever session ID the cookie carries. A session ID
planted in a victim's browser before login (session fixation) would then be logged in
too, so login asks for a new ID and the old one is deleted from the store.

Litestar's backend also writes the session and sets its cookie on every response, so each
anonymous request made a session file (20 s of anonymous load left 16,020 files) and each
logged-in page rewrote its own. Here a visitor's empty session is never stored (the CSRF
cookie is all an anonymous form needs), and a session is written only when its contents
changed, or once a day to keep the 30-day expiry sliding (`_RENEWED`, the day number).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

_ROTATE = "ashiato.rotate_session"
_NEW_ID = "ashiato.new_session_id"
_LOADED = "ashiato.session_as_loaded"  # the stored session as read, None when there was none
_RENEWED = "_renewed"  # day number (UTC) of the session's last write


def rotate_session_id(request: Request) -> None:
    """Call when the session's privilege changes (login)."""
    request.scope[_ROTATE] = True  # type: ignore[literal-required]


def _today() -> int:
    return int(time.time() // 86400)


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        if not connection.scope.get(_ROTATE):
            return super().get_session_id(connection)
        if _NEW_ID not in connection.scope:
            connection.scope[_NEW_ID] = self.generate_session_id()  # type: ignore[literal-required]
        return connection.scope[_NEW_ID]  # type: ignore[literal-required]

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session = await super().load_from_connection(connection)
        connection.scope[_LOADED] = dict(session) if session else None  # type: ignore[literal-required]
        return session

    def _cookie(self, value: str, **extra: Any) -> str:
        params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        return Cookie(value=value, key=self.config.key, **{**params, **extra}).to_header(header="")

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        old_id = connection.cookies.get(self.config.key)
        rotate = bool(scope.get(_ROTATE))
        loaded: dict[str, Any] | None = scope.get(_LOADED)  # type: ignore[assignment]
        session = {} if scope_session is Empty else dict(scope_session or {})
        if rotate and old_id:
            await self.delete(old_id, store=store)
        if not session:
            # Nothing to keep: a visitor's request stores nothing and sets no cookie; a
            # session that had contents (logout) or a cookie naming none is cleared.
            if old_id and not rotate:
                await self.delete(old_id, store=store)
                headers.add("Set-Cookie", self._cookie("null", expires=0))
            return
        today = _today()
        unchanged = loaded is not None and {k: v for k, v in loaded.items() if k != _RENEWED} == {
            k: v for k, v in session.items() if k != _RENEWED
        }
        if unchanged and not rotate and loaded.get(_RENEWED) == today:  # type: ignore[union-attr]
            return
        session[_RENEWED] = today
        session_id = self.get_session_id(connection)
        await self.set(session_id, self.serialize_data(session, scope), store=store)
        headers.add("Set-Cookie", self._cookie(session_id))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
