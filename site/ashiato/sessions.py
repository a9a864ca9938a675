"""Server-side sessions that get a fresh ID at login.

Litestar's server-side backend keeps whatever session ID the cookie carries. A session ID
planted in a victim's browser before login (session fixation) would then be logged in
too, so login asks for a new ID and the old one is deleted from the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Message, ScopeSession

_ROTATE = "ashiato.rotate_session"
_NEW_ID = "ashiato.new_session_id"


def rotate_session_id(request: Request) -> None:
    """Call when the session's privilege changes (login)."""
    request.scope[_ROTATE] = True  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        if not connection.scope.get(_ROTATE):
            return super().get_session_id(connection)
        if _NEW_ID not in connection.scope:
            connection.scope[_NEW_ID] = self.generate_session_id()  # type: ignore[literal-required]
        return connection.scope[_NEW_ID]  # type: ignore[literal-required]

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        old_id = connection.cookies.get(self.config.key)
        if connection.scope.get(_ROTATE) and old_id:
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(old_id, store=store)
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
