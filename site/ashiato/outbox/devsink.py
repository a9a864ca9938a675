"""A local relay for development: it keeps outgoing mail as .eml files the site can show.

`ashiato serve` starts it when no ASHIATO_SMTP_RELAY is configured, so invitations and
confirmation links of a demo can be read at /admin/mail without a real mail server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

KEEP = 200


class SinkHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        (self.folder / f"{stamp}.eml").write_bytes(envelope.original_content or b"")
        for old in sorted(self.folder.glob("*.eml"))[:-KEEP]:
            old.unlink(missing_ok=True)
        return "250 2.0.0 kept in the development mail sink"


async def start_sink(folder: Path, host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    handler = SinkHandler(folder)
    return await loop.create_server(lambda: SMTP(handler, hostname="devsink"), host, port)


@dataclass(frozen=True)
class SunkMail:
    name: str
    recipient: str
    subject: str
    date: str
    text: str


def read_sink(folder: Path, limit: int = 50) -> list[SunkMail]:
    """The newest mails first, decoded (ISO-2022-JP included) for display."""
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        found.append(
            SunkMail(
                name=path.stem,
                recipient=str(message["To"] or ""),
                subject=str(message["Subject"] or ""),
                date=str(message["Date"] or ""),
                text=body.get_content() if body is not None else "",
            )
        )
    return found
