"""The outbox keeps mail until the relay takes it, and encodes it as carriers expect."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from ashiato import db
from ashiato.outbox import service
from ashiato.outbox.compose import charset_for, compose
from ashiato.outbox.tables import OutboxMessage
from tests.helpers import MailSink, free_port


async def test_mail_waits_while_the_relay_is_down_and_goes_out_when_it_is_back(settings):
    port = free_port()  # nothing listens here yet: the relay is "down"
    settings = replace(settings, smtp_relay=("127.0.0.1", port))
    async with db.transaction():
        await service.enqueue(
            recipient="taro@docomo.ne.jp",
            subject="ようこそ",
            body="登録ありがとうございます",
            kind="test",
        )
    assert await service.deliver_due(settings) == 0
    row = await OutboxMessage.objects().first()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > dt.datetime.now(dt.UTC)  # backed off, not hammering

    # Not due yet: a second pass right away does not retry.
    assert await service.deliver_due(settings) == 0
    assert (await OutboxMessage.objects().first()).attempts == 1

    sink = MailSink()
    relay = Controller(sink, hostname="127.0.0.1", port=port)
    relay.start()
    try:
        later = dt.datetime.now(dt.UTC) + service.backoff(1) + dt.timedelta(seconds=1)
        assert await service.deliver_due(settings, now=later) == 1
    finally:
        relay.stop()
    row = await OutboxMessage.objects().first()
    assert row.sent_at is not None
    assert len(sink.messages) == 1
    assert sink.text(sink.messages[0]).strip() == "登録ありがとうございます"
    assert await service.deliver_due(settings, now=later) == 0  # sent once only


async def test_a_rolled_back_change_leaves_no_mail(settings):
    try:
        async with db.transaction():
            await service.enqueue(recipient="a@example.jp", subject="s", body="b", kind="test")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert await OutboxMessage.count() == 0


async def test_permanent_refusal_is_not_retried_forever(settings, sink):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 5.1.1 no such user"

    port = free_port()
    relay = Controller(Refusing(), hostname="127.0.0.1", port=port)
    relay.start()
    try:
        settings = replace(settings, smtp_relay=("127.0.0.1", port))
        await service.enqueue(recipient="gone@example.jp", subject="s", body="b", kind="test")
        assert await service.deliver_due(settings) == 0
    finally:
        relay.stop()
    row = await OutboxMessage.objects().first()
    assert row.failed_at is not None and row.sent_at is None


def test_japanese_mail_goes_out_as_iso_2022_jp():
    message = compose(
        sender="no-reply@mail.example.jp",
        recipient="taro@docomo.ne.jp",
        subject="足あとがつきました",
        body="はなこさんがあなたのページを見ました。",
    )
    raw = message.as_bytes()
    assert b'charset="iso-2022-jp"' in raw
    assert b"Subject: =?iso-2022-jp?b?" in raw
    assert all(byte < 0x80 for byte in raw)  # 7-bit on the wire
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "足あとがつきました"
    assert parsed.get_content().strip() == "はなこさんがあなたのページを見ました。"


def test_text_outside_jis_falls_back_to_utf8_and_ascii_stays_ascii():
    assert charset_for("桜が満開🌸") == "utf-8"
    assert charset_for("①番") == "utf-8"
    assert charset_for("Hello") == "us-ascii"
    assert charset_for("こんにちは", "Hello") == "iso-2022-jp"
    message = compose(sender="a@b.jp", recipient="c@d.jp", subject="桜🌸", body="🌸")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "桜🌸" and parsed.get_content().strip() == "🌸"
