"""What every handler shares: the current member and locale, rendering, errors, headers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlparse

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.types import ASGIApp, Receive, Scope, Send

from ashiato import i18n
from ashiato.errors import DomainError
from ashiato.i18n import _
from ashiato.members import can_act
from ashiato.members.queries import member_for_session
from ashiato.members.tables import Member
from ashiato.settings import Settings

LANG_COOKIE = "lang"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def current_member(request: Request) -> Member | None:
    return getattr(request.state, "member", None)


# -- app-level dependencies (registered in app.py; a handler names them as parameters) ----


def provide_settings(state: State) -> Settings:
    """`settings`: the site's resolved settings."""
    return state.settings


def provide_me(request: Request) -> Member:
    """`me`: the logged-in member. Only for handlers behind a member guard, which has
    already turned a visitor away (a handler without one gets a 401 here, never None)."""
    member = current_member(request)
    if member is None:
        raise NotAuthorizedException()
    return member


def provide_viewer(request: Request) -> Member | None:
    """`viewer`: the logged-in member, or None for a visitor (public pages)."""
    return current_member(request)


# Static files need no member, session or language: they skip those middlewares.
STATIC_PREFIX = "/static/"
STATIC_PATHS = f"^{STATIC_PREFIX}"  # as a pattern, for the session and CSRF middlewares


class MemberAndLocaleMiddleware(ASGIMiddleware):
    """Who is asking, and in which language to answer: set before guards and handlers run
    (Litestar runs guards before `before_request` hooks, so this is a middleware)."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return scope["path"].startswith(STATIC_PREFIX)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection = ASGIConnection(scope)
        session = scope.get("session") or {}
        member = await member_for_session(session.get("member_id"))
        connection.state.member = member
        preferred = (member.locale if member else "") or connection.cookies.get(LANG_COOKIE)
        default = connection.app.state.settings.default_locale
        locale = i18n.negotiate(connection.headers.get("accept-language"), preferred, default)
        i18n.activate(locale, member.time_zone if member else None)
        await next_app(scope, receive, send)


def requires_member(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: the page is for logged-in members (the whole site is members-only)."""
    if current_member(connection) is None:  # type: ignore[arg-type]
        raise NotAuthorizedException()


def requires_active_member(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    requires_member(connection, handler)
    if not can_act(current_member(connection)):  # type: ignore[arg-type]
        raise NotAuthorizedException(detail="pending")


def is_fragment_request(request: Request) -> bool:
    return isinstance(request, HTMXRequest) and bool(request.htmx) and not request.htmx.boosted


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Template:
    """The whole page, or only its fragment for an htmx request (same template file)."""
    name = fragment if fragment and is_fragment_request(request) else template
    return Template(
        template_name=name,
        context=context or {},
        status_code=status_code,
        headers={"vary": "HX-Request"},
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """Only redirect back to our own pages."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=HTTP_303_SEE_OTHER)


def client_address(request: Request) -> str:
    """The client's address: behind trusted proxies, the one they report (the proxy-headers
    middleware of app.py has set it), else the peer's. Nothing else reads proxy headers."""
    return request.client.host if request.client else "unknown"


def domain_error_handler(request: Request, exc: DomainError) -> Template:
    return render(
        request,
        "errors/error.html",
        {"message": exc.message, "status": exc.status_code},
        fragment="errors/_error.html",
        status_code=exc.status_code,
    )


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    if not hasattr(request.state, "member"):
        # No route matched, so the middleware never ran: answer in the visitor's language.
        preferred = request.cookies.get(LANG_COOKIE)
        default = request.app.state.settings.default_locale
        i18n.activate(i18n.negotiate(request.headers.get("accept-language"), preferred, default))
    if exc.status_code == 401:
        if exc.detail == "pending":
            return see_other("/welcome")  # type: ignore[return-value]
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return see_other(f"/login?next={target}")  # type: ignore[return-value]
    messages = {
        403: _("You cannot do this."),
        404: _("This page does not exist."),
        405: _("This page does not exist."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a moment."),
    }
    if exc.status_code == 403 and "csrf" in str(exc.detail).lower():
        message = _("This form has expired. Please reload the page and try again.")
    else:
        message = messages.get(exc.status_code, _("Something went wrong. Please try again."))
    return Template(
        template_name="errors/error.html",
        context={"message": message, "status": exc.status_code},
        status_code=exc.status_code,
    )  # type: ignore[return-value]
