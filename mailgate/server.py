"""The SMTP listener: aiosmtpd on the web app's event loop, answering for the mail domain.

Routing of regist+TOKEN@ and post+TOKEN@ is added by the mail-gateway feature; until then
every recipient is refused at RCPT, so no sender is told 250 for mail nobody will read.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.smtp import SMTP, Envelope, Session
from ashiato.settings import Settings

from mailgate import replies

log = logging.getLogger("mailgate")

SIZE_LIMIT = 2 * 1024 * 1024


class GatewayHandler:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        log.info("rcpt refused: %s", address)
        return replies.UNKNOWN_RECIPIENT

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return replies.UNKNOWN_RECIPIENT


def make_smtp(settings: Settings) -> SMTP:
    return SMTP(
        GatewayHandler(settings),
        hostname=settings.mail_domain,
        data_size_limit=SIZE_LIMIT,
        enable_SMTPUTF8=False,
        ident="Ashiato mailgate",
    )


async def start_gateway(settings: Settings, host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: make_smtp(settings), host=host, port=port)


async def run_standalone(settings: Settings, host: str, port: int) -> None:
    """`ashiato mailgate`: the gateway alone (the database it writes to is configured here)."""
    from ashiato import db

    engine = db.configure(settings.database_url)
    await db.start(engine, settings.db_pool_size)
    await db.migrate(engine)
    server = await start_gateway(settings, host, port)
    print(f"Ashiato mail gateway: smtp://{host}:{port}", flush=True)
    try:
        async with server:
            await server.serve_forever()
    finally:
        await db.stop(engine)
