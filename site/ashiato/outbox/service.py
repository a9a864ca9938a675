"""Queue mail with the change that causes it, and deliver it to the relay with retries."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import smtplib

from ashiato.outbox import queries
from ashiato.outbox.compose import compose
from ashiato.settings import Settings

log = logging.getLogger("ashiato.outbox")

BATCH = 50
LEASE = dt.timedelta(minutes=5)  # a crashed sender's claim expires after this
MAX_BACKOFF = dt.timedelta(hours=1)


async def enqueue(*, recipient: str, subject: str, body: str, kind: str, reply_to: str = "") -> int:
    """Write a mail row. Call inside the transaction of the change that causes the mail."""
    row = await queries.insert(
        recipient=recipient, subject=subject, body=body, kind=kind, reply_to=reply_to
    )
    return row.id


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s … capped at an hour."""
    return min(dt.timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _send_blocking(settings: Settings, sender: str, recipient: str, message: bytes) -> None:
    host, port = settings.smtp_relay
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        smtp.sendmail(sender, [recipient], message)


async def deliver_due(settings: Settings, now: dt.datetime | None = None) -> int:
    """Send every due row once; returns how many were sent. Failures are rescheduled."""
    now = now or dt.datetime.now(dt.UTC)
    sent = 0
    for row in await queries.due(now, BATCH):
        if not await queries.claim(row, now + LEASE):
            continue
        message = compose(
            sender=settings.mail_from,
            recipient=row.recipient,
            subject=row.subject,
            body=row.body,
            reply_to=row.reply_to,
        )
        try:
            await asyncio.to_thread(
                _send_blocking, settings, settings.mail_from, row.recipient, message.as_bytes()
            )
        except (OSError, smtplib.SMTPException) as exc:
            attempts = row.attempts + 1
            give_up = attempts >= settings.outbox_max_attempts
            # A permanent refusal of this recipient (5xx) will not improve with retries.
            if isinstance(exc, smtplib.SMTPRecipientsRefused):
                codes = [code for code, _ in exc.recipients.values()]
                give_up = give_up or all(500 <= code < 600 for code in codes)
            await queries.mark_failed_attempt(
                row.id, attempts, now + backoff(attempts), repr(exc), give_up
            )
            log.warning("outbox: delivery of %s failed (%s): %r", row.id, attempts, exc)
            continue
        await queries.mark_sent(row.id, dt.datetime.now(dt.UTC))
        sent += 1
    return sent


async def run_sender(settings: Settings, stop: asyncio.Event) -> None:
    """The background sender: poll for due rows until asked to stop."""
    while not stop.is_set():
        try:
            await deliver_due(settings)
        except Exception:  # the loop must outlive a database hiccup
            log.exception("outbox: sender pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.outbox_poll_seconds)
