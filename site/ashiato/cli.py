"""The `ashiato` command: serve, migrate, admin, invite, member, demo, i18n, outbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable

from ashiato.settings import Settings


def _settings() -> Settings:
    return Settings.from_env().resolved()


async def _with_database(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    from ashiato import db

    engine = db.configure(settings.database_url)
    await db.start(engine, settings.db_pool_size)
    try:
        await db.migrate(engine)
        return await work()
    finally:
        await db.stop(engine)


def _run(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    from ashiato.errors import DomainError, FormInvalid

    try:
        return asyncio.run(_with_database(settings, work))
    except FormInvalid as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        raise SystemExit(2) from None
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        raise SystemExit(2) from None


# -- serve -------------------------------------------------------------------------------


async def _serve(settings: Settings, host: str, port: int, smtp_port: int, demo: bool) -> None:
    import uvicorn

    from ashiato import db
    from ashiato.app import create_app
    from ashiato.footprints.service import run_pruner
    from ashiato.outbox.service import run_sender
    from mailgate.server import start_gateway

    engine = db.configure(settings.database_url)
    await db.start(engine, settings.db_pool_size)
    await db.migrate(engine)
    if demo:
        from ashiato.demo import fill_demo

        report = await fill_demo(settings)
        print(report)

    stop = asyncio.Event()
    sink = None
    if settings.dev_mail_sink:
        from ashiato.outbox.devsink import start_sink

        relay_host, relay_port = settings.smtp_relay
        sink = await start_sink(settings.mail_sink_dir, relay_host, relay_port)
        print(f"development mail sink: smtp://{relay_host}:{relay_port}, shown at /admin/mail")
    gateway = await start_gateway(settings, host=host, port=smtp_port)
    sender = asyncio.create_task(run_sender(settings, stop))
    pruner = asyncio.create_task(run_pruner(settings, stop))
    # proxy_headers=False: the app reads X-Forwarded-For itself, trusting only the proxies
    # of ASHIATO_FORWARDED_ALLOW_IPS (app.proxy_headers); uvicorn's own default would trust
    # 127.0.0.1 and FORWARDED_ALLOW_IPS, a second and differently configured place.
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        lifespan="on",
        log_level="info",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    print(f"Ashiato: http://{host}:{port}/  mail gateway: smtp://{host}:{smtp_port}", flush=True)
    try:
        await server.serve()
    finally:
        stop.set()
        gateway.close()
        await gateway.wait_closed()
        if sink is not None:
            sink.close()
        await sender
        await pruner
        await db.stop(engine)


def cmd_serve(args: argparse.Namespace) -> None:
    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(_serve(settings, args.host, args.port, args.smtp_port, args.demo))


# -- operators ---------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> None:
    async def nothing() -> None:
        return None

    _run(_settings(), nothing)
    print("migrations applied")


def cmd_admin_create(args: argparse.Namespace) -> None:
    from ashiato.accounts import service

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        import getpass

        password = getpass.getpass("Password: ")
    settings = _settings()

    async def work() -> object:
        return await service.create_founder(args.email, password, args.nickname or "", settings)

    member = _run(settings, work)
    print(f"created administrator {member.pc_email} (id {member.id})")  # type: ignore[attr-defined]


def cmd_invite(args: argparse.Namespace) -> None:
    from ashiato.accounts import queries, service
    from ashiato.accounts.forms import InvitationForm
    from ashiato.errors import NotFound

    settings = _settings()

    async def work() -> object:
        inviter = await queries.member_by_pc_email(service.normalize_email(args.by))
        if inviter is None:
            raise NotFound(f"no member with the address {args.by}")
        form = InvitationForm(email=args.email, message=args.message or "")
        return await service.invite(inviter, form, settings)

    issued = _run(settings, work)
    print(issued.url)  # type: ignore[attr-defined]


def cmd_member_show(args: argparse.Namespace) -> None:
    from ashiato.accounts import queries, service
    from ashiato.errors import NotFound

    settings = _settings()

    async def work() -> object:
        from ashiato.mobile.service import operator_addresses

        member = await queries.member_by_pc_email(service.normalize_email(args.email))
        if member is None:
            raise NotFound(f"no member with the address {args.email}")
        return member_summary(member, await operator_addresses(member, settings))

    summary = _run(settings, work)
    print(json.dumps(summary, ensure_ascii=False))


def member_summary(member, addresses: dict | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The operator's view of a member (`ashiato member show --json`); `addresses` are
    the gateway's regist_address and post_address (ashiato.mobile.service)."""
    return {
        **(addresses or {"regist_address": None, "post_address": None}),
        "id": member.id,
        "status": member.status,
        "nickname": member.nickname,
        "pc_email": member.pc_email,
        "pc_verified": member.pc_verified_at is not None,
        "mobile_email": member.mobile_email,
        "mobile_verified": member.mobile_verified_at is not None,
        "is_admin": member.is_admin,
        "locale": member.locale,
        "created_at": member.created_at.isoformat() if member.created_at else None,
    }


def cmd_demo(args: argparse.Namespace) -> None:
    from ashiato.demo import fill_demo

    settings = _settings()

    async def work() -> object:
        return await fill_demo(settings)

    print(_run(settings, work))


def cmd_outbox_send(args: argparse.Namespace) -> None:
    from ashiato.outbox.service import deliver_due

    settings = _settings()

    async def work() -> object:
        return await deliver_due(settings)

    print(f"sent {_run(settings, work)} message(s)")


def cmd_jobs(args: argparse.Namespace) -> None:
    """Background jobs run once (serve also runs them on timers)."""
    from ashiato.footprints.service import prune

    settings = _settings()

    async def work() -> object:
        return await prune(settings)

    if args.job == "prune-footprints":
        print(f"pruned {_run(settings, work)} footprint(s)")


def cmd_i18n(args: argparse.Namespace) -> None:
    from ashiato import catalogs

    raise SystemExit(catalogs.run(args.action))


def cmd_mailgate(args: argparse.Namespace) -> None:
    from mailgate.server import run_standalone

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run_standalone(settings, args.host, args.smtp_port))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ashiato", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then run the site and the mail gateway")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--smtp-port", type=int, default=2525)
    serve.add_argument("--demo", action="store_true", help="fill an empty database with demo data")
    serve.set_defaults(func=cmd_serve)

    mailgate = sub.add_parser("mailgate", help="run only the SMTP gateway")
    mailgate.add_argument("--host", default="127.0.0.1")
    mailgate.add_argument("--smtp-port", type=int, default=2525)
    mailgate.set_defaults(func=cmd_mailgate)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    admin = sub.add_parser("admin", help="administrators")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_sub.add_parser("create", help="create the founding member (no invitation)")
    create.add_argument("email")
    create.add_argument("--nickname", default="")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(func=cmd_admin_create)

    invite = sub.add_parser("invite", help="invite someone and print the invitation URL")
    invite.add_argument("email")
    invite.add_argument("--by", required=True, metavar="MEMBER_EMAIL")
    invite.add_argument("--message", default="")
    invite.set_defaults(func=cmd_invite)

    member = sub.add_parser("member", help="members")
    member_sub = member.add_subparsers(dest="member_command", required=True)
    show = member_sub.add_parser("show", help="print one member")
    show.add_argument("email")
    show.add_argument("--json", action="store_true", help="one JSON object (the only format)")
    show.set_defaults(func=cmd_member_show)

    sub.add_parser("demo", help="fill an empty database with demo data").set_defaults(func=cmd_demo)

    outbox = sub.add_parser("outbox", help="outgoing mail")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_sub.add_parser("send", help="deliver due mail once").set_defaults(func=cmd_outbox_send)

    jobs = sub.add_parser("jobs", help="run a background job once")
    jobs.add_argument("job", choices=["prune-footprints"])
    jobs.set_defaults(func=cmd_jobs)

    i18n = sub.add_parser("i18n", help="translation catalogs")
    i18n.add_argument("action", choices=["extract", "update", "compile", "check"])
    i18n.set_defaults(func=cmd_i18n)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        args.func(args)
