"""Drive the mail gateway as a carrier's MTA does: smtplib over a real socket, in a thread,
while the gateway runs on the test's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import smtplib
import ssl
from collections.abc import AsyncIterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ashiato.accounts import queries as account_queries
from ashiato.members.tables import Member
from ashiato.mobile import service
from ashiato.settings import Settings
from mailgate.server import start_gateway
from tests.conftest import free_port

SAMPLES_DIR = Path(__file__).parents[3] / "shared" / "mail-samples"
MANIFEST = SAMPLES_DIR / "manifest.json"
NO_SAMPLES = f"carrier mail samples not found at {SAMPLES_DIR}"


def manifest() -> list[dict[str, Any]]:
    if not MANIFEST.exists():
        return []
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["samples"]


def sample_params(wanted) -> list[Any]:  # type: ignore[no-untyped-def]
    """Manifest entries as pytest params (one skipped param when the corpus is absent)."""
    samples = manifest()
    if not samples:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_SAMPLES), id="no-samples")]
    return [
        pytest.param(sample, id=sample["file"].removesuffix(".eml"))
        for sample in samples
        if wanted(sample)
    ]


def sample(name: str) -> dict[str, Any]:
    for entry in manifest():
        if entry["file"] == name:
            return entry
    pytest.skip(NO_SAMPLES)


def sample_raw(entry: dict[str, Any], token: str) -> bytes:
    """The sample's DATA with our token in place of the sample's (it appears only in To:)."""
    raw = (SAMPLES_DIR / entry["file"]).read_bytes()
    return raw.replace(entry["envelope"]["token"].encode("ascii"), token.encode("ascii"))


def sample_rcpt(entry: dict[str, Any], token: str) -> str:
    return entry["envelope"]["rcpt_to"].replace(entry["envelope"]["token"], token)


def token_of(address: str) -> str:
    return address.partition("+")[2].partition("@")[0]


def settings_with(settings: Settings, **values: Any) -> Settings:
    return dataclasses.replace(settings, **values)


@contextlib.asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[int]:
    """The gateway on a free port of 127.0.0.1, on this test's loop; yields the port."""
    port = free_port()
    server = await start_gateway(settings, "127.0.0.1", port)
    try:
        yield port
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
