"""Drive the mail gateway as a carrier's MTA does: smtplib over a real socket, in a thread,
while the gateway runs on the test's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import smtplib
import ssl
from collections.abc import AsyncIterator
from email import policy
from email.message import EmailMessage
from typing import Any

from ashiato.accounts import queries as account_queries
from ashiato.members.tables import Member
from ashiato.mobile import service
from ashiato.settings import Settings
from mailgate.server import start_gateway
from tests.helpers import sample_entry, sample_path
from tests.helpers import sample_params as sample_params  # the gateway tests' parametrize


def sample(name: str) -> dict[str, Any]:
    """The manifest entry of one sample (the test fails without the corpus)."""
    return sample_entry(name)


def sample_raw(entry: dict[str, Any], token: str) -> bytes:
    """The sample's DATA with our token in place of the sample's (it appears only in To:)."""
    raw = sample_path(entry["file"]).read_bytes()
    return raw.replace(entry["envelope"]["token"].encode("ascii"), token.encode("ascii"))


def sample_rcpt(entry: dict[str, Any], token: str) -> str:
    return entry["envelope"]["rcpt_to"].replace(entry["envelope"]["token"], token)


def token_of(address: str) -> str:
    return address.partition("+")[2].partition("@")[0]


def settings_with(settings: Settings, **values: Any) -> Settings:
    return dataclasses.replace(settings, **values)


@contextlib.asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[int]:
    """The gateway on a port of 127.0.0.1 the OS picks, on this test's loop; yields it."""
    server = await start_gateway(settings, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@dataclasses.dataclass(frozen=True)
class Reply:
    """The reply that decided a mail: the first refusal, or DATA's answer."""

    stage: str
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.stage} {self.code} {self.text}"


def _transaction(
    port: int,
    sender: str,
    recipients: list[str],
    raw: bytes,
    declare_size: bool,
    starttls: bool,
) -> Reply:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo("mx.carrier.example")
        if starttls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            smtp.starttls(context=context)
            smtp.ehlo("mx.carrier.example")
        options = [f"SIZE={len(raw)}"] if declare_size else []
        code, text = smtp.mail(sender, options)
        if code != 250:
            return Reply("MAIL", code, text.decode())
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code != 250:
                return Reply("RCPT", code, text.decode())
        code, text = smtp.data(raw)
        return Reply("DATA", code, text.decode())


async def send(
    port: int,
    sender: str,
    recipient: str | list[str],
    raw: bytes,
    *,
    declare_size: bool = False,
    starttls: bool = False,
) -> Reply:
    recipients = [recipient] if isinstance(recipient, str) else recipient
    return await asyncio.to_thread(
        _transaction, port, sender, recipients, raw, declare_size, starttls
    )


def empty_mail(sender: str, to: str, message_id: str, extra_headers: str = "") -> bytes:
    """A 空メール as a phone sends it: headers only, no subject, no text."""
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: \r\nMessage-ID: {message_id}\r\n"
        f"Date: Sat, 15 May 2010 09:12:44 +0900\r\nMIME-Version: 1.0\r\n{extra_headers}"
        "Content-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode("ascii")


def post_mail(
    sender: str,
    to: str,
    message_id: str,
    *,
    subject: str = "",
    body: str = "",
    photos: list[bytes] = (),  # type: ignore[assignment]
    html: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> bytes:
    """A mail as a smartphone sends it (UTF-8), with JPEG attachments; `html` alone makes
    an HTML-only mail (Deco-mail without a text part)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Sat, 15 May 2010 09:12:44 +0900"
    for name, value in (extra_headers or {}).items():
        message[name] = value
    if html is not None:
        message.set_content(html, subtype="html", charset="utf-8")
    else:
        message.set_content(body, charset="utf-8")
    for number, photo in enumerate(photos, start=1):
        message.add_attachment(
            photo, maintype="image", subtype="jpeg", filename=f"photo{number}.jpg"
        )
    return message.as_bytes(policy=policy.SMTP)


async def registration_token(member: Member, settings: Settings) -> str:
    state = await service.verification_state(member, settings)
    return token_of(state.address)


async def posting_token(member: Member, settings: Settings) -> str:
    return token_of(await service.posting_address(member, settings))


async def fresh(member: Member) -> Member:
    found = await account_queries.member_by_id(member.id)
    assert found is not None
    return found
