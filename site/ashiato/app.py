"""create_app(settings): the only place the web app is assembled. Nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ashiato import db, i18n, registry
from ashiato.accounts.throttle import LoginThrottle
from ashiato.assets import (
    HASHED_PREFIX,
    HashedStaticFiles,
    htmx_dir,
    plain_static_url,
    static_dir,
    static_url,
    templates_dir,
)
from ashiato.errors import DomainError
from ashiato.features import FEATURES
from ashiato.home.routes import not_yet_open_controller
from ashiato.nav import nav_badges
from ashiato.sessions import RotatingSessionConfig
from ashiato.settings import Settings
from ashiato.text import render_text
from ashiato.web import (
    SECURITY_HEADERS,
    STATIC_PATHS,
    MemberAndLocaleMiddleware,
    domain_error_handler,
    http_error_handler,
    provide_me,
    provide_settings,
    provide_viewer,
)

SESSION_DAYS = 30
# Stylesheets and scripts need no session, member or CSRF token: those middlewares skip them.
# Pages link them by content-hashed names (`static_url`), cached for a year; the plain names
# still answer, cached briefly, for anything that kept an old link.
IMMUTABLE = CacheControlHeader(public=True, max_age=365 * 86400, immutable=True)
SHORT_LIVED = CacheControlHeader(public=True, max_age=300)


def make_jinja_environment(*, auto_reload: bool = False) -> Environment:
    """Templates are read once and kept (`auto_reload` checks their files on every render:
    for development, ASHIATO_TEMPLATE_RELOAD, which also links static files by their plain
    names, so an edited stylesheet is not hidden behind a year-long cached hash)."""
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        auto_reload=auto_reload,
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext,
        ngettext=i18n.template_ngettext,
        newstyle=True,
    )
    environment.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        number=i18n.format_number,
        ago=i18n.format_ago,
        member_text=render_text,
    )
    environment.globals.update(
        current_locale=i18n.current_locale,
        languages=i18n.LANGUAGE_NAMES,
        navigation=registry.navigation(FEATURES),
        badge_triggers=registry.badge_triggers(FEATURES),
        static_url=plain_static_url if auto_reload else static_url,
    )
    return environment


def make_stores(settings: Settings) -> dict[str, Store]:
    """Sessions and rate limits: Redis when several processes serve, else this machine."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=settings.redis_url, namespace="ashiato")
        return {
            "sessions": root.with_namespace("sessions"),
            "limits": root.with_namespace("limits"),
        }
    return {
        "sessions": FileStore(settings.var_dir / "sessions", create_directories=True),
        "limits": MemoryStore(),
    }


def proxy_headers(settings: Settings) -> list[DefineMiddleware]:
    """The client's address behind our reverse proxies, decided in this one place: uvicorn's
    proxy-headers middleware believes X-Forwarded-For/-Proto only from the addresses in
    ASHIATO_FORWARDED_ALLOW_IPS (none by default), so `request.client` is the client's
    for the login throttle and the mobile policy alike, and a visitor cannot forge it."""
    if not settings.forwarded_allow_ips:
        return []
    return [
        DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips))
    ]


def create_app(settings: Settings) -> Litestar:
    settings = settings.resolved()
    stores = make_stores(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = db.configure(settings.database_url)
        await db.start(engine, settings.db_pool_size)
        try:
            yield
        finally:
            await db.stop(engine)

    async def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.update(SECURITY_HEADERS)
        return response

    # A menu entry of a feature that serves no page yet says so instead of answering 404.
    unserved = {
        entry.path.strip("/"): entry.label for f in FEATURES if not f.controllers for entry in f.nav
    }
    placeholders = [not_yet_open_controller(unserved)] if unserved else []
    return Litestar(
        route_handlers=[
            *(controller for feature in FEATURES for controller in feature.controllers),
            *placeholders,
            nav_badges,
            create_static_files_router(
                path=HASHED_PREFIX,
                directories=[static_dir().resolve()],
                file_system=HashedStaticFiles(),
                name="static_hashed",
                cache_control=IMMUTABLE,
            ),
            create_static_files_router(
                path="/static/htmx",
                directories=[htmx_dir()],
                name="htmx",
                cache_control=SHORT_LIVED,
            ),
            create_static_files_router(
                path="/static", directories=[static_dir()], name="static", cache_control=SHORT_LIVED
            ),
        ],
        state=State(
            {
                "settings": settings,
                "features": FEATURES,
                "login_throttle": LoginThrottle(
                    stores["limits"], settings.login_attempts, settings.login_window_seconds
                ),
            }
        ),
        stores=StoreRegistry(stores=stores),
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "me": Provide(provide_me, sync_to_thread=False),
            "viewer": Provide(provide_viewer, sync_to_thread=False),
        },
        lifespan=[database],
        request_class=HTMXRequest,
        after_request=security_headers,
        middleware=[
            *proxy_headers(settings),
            RotatingSessionConfig(
                store="sessions",
                max_age=SESSION_DAYS * 86400,
                secure=settings.secure_cookies,
                httponly=True,
                samesite="lax",
                key="ashiato_session",
                exclude=STATIC_PATHS,
            ).middleware,
            MemberAndLocaleMiddleware(),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            header_name="x-csrftoken",
            exclude=STATIC_PATHS,
        ),
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(
                make_jinja_environment(auto_reload=settings.template_reload)
            )
        ),
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
        },
        request_max_body_size=10 * 1024 * 1024,
        logging_config=LoggingConfig(
            log_exceptions="always", disable_stack_trace={400, 401, 403, 404, 405, 422, 429}
        ),
    )
