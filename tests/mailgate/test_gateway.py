"""The SMTP gateway over real sockets: what a carrier's MTA is told, and what it changes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import shutil
import smtplib
import subprocess
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from ashiato import db
from ashiato.accounts import queries as account_queries
from ashiato.diaries.tables import Diary
from ashiato.members.tables import Member, MemberStatus
from ashiato.mobile import service
from ashiato.mobile.tables import GatewayAddress, GatewayEvent, ProcessedMail
from ashiato.outbox.service import deliver_due
from ashiato.outbox.tables import OutboxMessage
from mailgate.carriers import normalize_address
from tests.factories import make_member
from tests.helpers import take_database_down
from tests.mailgate.gateway_client import (
    empty_mail,
    fresh,
    post_mail,
    posting_token,
    registration_token,
    running_gateway,
    sample,
    sample_params,
    sample_raw,
    sample_rcpt,
    send,
    settings_with,
)

REGISTRATIONS = sample_params(lambda s: s["expected"]["outcome"] == "accept-verify")


@pytest.fixture
def required(settings):
    return replace(settings, mobile_verification="required")


async def pending_member(email: str, *, locale: str = "ja") -> Member:
    """PC address confirmed, phone not yet: what the welcome page waits on."""
    member = await make_member(email, "たろう", status=MemberStatus.PENDING, locale=locale)
    await account_queries.update_member(member.id, pc_verified_at=dt.datetime.now(dt.UTC))
    return await fresh(member)


async def member_with_phone(email: str, phone: str, *, locale: str = "ja") -> Member:
    member = await make_member(email, locale=locale)
    await account_queries.update_member(
        member.id, mobile_email=phone, mobile_verified_at=dt.datetime.now(dt.UTC)
    )
    return await fresh(member)


async def outbox(kind: str) -> list[OutboxMessage]:
    return await OutboxMessage.objects().where(OutboxMessage.kind == kind)


async def events() -> list[GatewayEvent]:
    return await GatewayEvent.objects().order_by(GatewayEvent.id)


# -- registration by empty mail ----------------------------------------------------------


@pytest.mark.parametrize("entry", REGISTRATIONS)
async def test_registration_samples_verify_the_phone_and_answer_it_in_iso_2022_jp(
    entry, required, sink
):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    async with running_gateway(required) as port:
        reply = await send(
            port,
            entry["envelope"]["mail_from"],
            sample_rcpt(entry, token),
            sample_raw(entry, token),
        )
    assert (reply.stage, reply.code) == ("DATA", 250), reply
    member = await fresh(member)
    phone = normalize_address(entry["envelope"]["mail_from"])
    assert member.mobile_email == phone
    assert member.mobile_verified_at is not None
    assert member.status == MemberStatus.ACTIVE  # both addresses confirmed
    [event] = await events()
    assert (event.decision, event.reason, event.member) == ("accepted", "verified", member.id)
    assert token not in event.rcpt_to  # the secret is not kept in the log

    assert await deliver_due(required) == 1
    [answer] = sink.to(phone)
    raw = message_from_bytes(answer.as_bytes(), policy=policy.compat32)
    assert raw.get_content_charset() == "iso-2022-jp"  # what feature phones read
    assert "http://testserver.local/" in sink.text(answer)


async def test_rfc_breaking_docomo_address_is_stored_as_sent(required):
    entry = sample("docomo-regist-dotted-address.eml")
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    async with running_gateway(required) as port:
        reply = await send(
            port, "taro..yamada.@docomo.ne.jp", sample_rcpt(entry, token), sample_raw(entry, token)
        )
    assert reply.code == 250, reply
    assert (await fresh(member)).mobile_email == "taro..yamada.@docomo.ne.jp"


async def test_registration_from_a_pc_address_is_refused_with_550(required):
    entry = sample("pc-regist-noncarrier.eml")
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    async with running_gateway(required) as port:
        reply = await send(
            port,
            entry["envelope"]["mail_from"],
            sample_rcpt(entry, token),
            sample_raw(entry, token),
        )
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.7.1")
    member = await fresh(member)
    assert member.mobile_email is None and member.status == MemberStatus.PENDING
    assert await outbox("mobile_verified") == []
    [event] = await events()
    assert (event.decision, event.reason) == ("refused", "non-carrier-sender")


@pytest.mark.parametrize(
    "phone",
    ["miki.o@i.softbank.jp", "kenji@au.com", "k-mori@wm.pdx.ne.jp", "HANAKO@DoCoMo.ne.jp"],
)
async def test_carrier_domains_include_smartphones_and_pdx_subdomains(phone, required):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    async with running_gateway(required) as port:
        reply = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<a1@carrier.example>"))
    assert reply.code == 250, reply
    assert (await fresh(member)).mobile_email == phone.lower()


@pytest.mark.parametrize("phone", ["taro@evil-docomo.ne.jp", "taro@docomo.ne.jp.example.com"])
async def test_lookalike_domains_are_not_carriers(phone, required):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    async with running_gateway(required) as port:
        reply = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<a2@carrier.example>"))
    assert (reply.stage, reply.code) == ("RCPT", 550), reply


async def test_carrier_domains_are_a_setting(required):
    custom = settings_with(required, carrier_domains=("mvno.example.jp",))
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, custom)
    rcpt = f"regist+{token}@{custom.mail_domain}"
    async with running_gateway(custom) as port:
        refused = await send(port, "hanako@docomo.ne.jp", rcpt, b"Subject: x\r\n\r\n")
        accepted = await send(
            port,
            "hanako@mvno.example.jp",
            rcpt,
            empty_mail("hanako@mvno.example.jp", rcpt, "<m@x>"),
        )
    assert (refused.stage, refused.code) == ("RCPT", 550), refused
    assert accepted.code == 250, accepted


async def test_a_phone_belongs_to_one_member_at_a_time(required):
    await member_with_phone("first@example.jp", "hanako.sato@docomo.ne.jp")
    second = await pending_member("second@example.jp")
    token = await registration_token(second, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    phone = "hanako.sato@docomo.ne.jp"
    async with running_gateway(required) as port:
        reply = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<dup-phone@docomo.ne.jp>"))
    assert (reply.stage, reply.code) == ("DATA", 550), reply
    assert "another member" in reply.text
    second = await fresh(second)
    assert second.mobile_email is None and second.status == MemberStatus.PENDING
    assert (await events())[-1].reason == "address-taken"
    # The refusal is undone completely: the address can still be used by its member.
    assert await service.resolve_recipient("regist", token) is not None
    assert await ProcessedMail.count() == 0


async def test_a_registration_address_works_once(required):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    phone = "hanako.sato@docomo.ne.jp"
    async with running_gateway(required) as port:
        first = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<one@docomo.ne.jp>"))
        other = "intruder@ezweb.ne.jp"
        second = await send(port, other, rcpt, empty_mail(other, rcpt, "<two@ezweb.ne.jp>"))
    assert first.code == 250, first
    assert (second.stage, second.code) == ("DATA", 550), second
    assert (await fresh(member)).mobile_email == phone


async def test_an_expired_registration_address_is_refused(required):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    await GatewayAddress.update(
        {GatewayAddress.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(GatewayAddress.member == member.id)
    rcpt = f"regist+{token}@{required.mail_domain}"
    phone = "hanako.sato@docomo.ne.jp"
    async with running_gateway(required) as port:
        reply = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<late@docomo.ne.jp>"))
    assert (reply.code, "expired" in reply.text) == (550, True), reply
    assert (await fresh(member)).mobile_email is None


async def test_resent_registration_mail_is_answered_250_and_acts_once(required):
    entry = sample("docomo-regist-empty.eml")
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    raw = sample_raw(entry, token)
    async with running_gateway(required) as port:
        first = await send(port, entry["envelope"]["mail_from"], sample_rcpt(entry, token), raw)
        again = await send(port, entry["envelope"]["mail_from"], sample_rcpt(entry, token), raw)
    assert first.code == 250 and again.code == 250, (first, again)
    assert "already" in again.text
    assert len(await outbox("mobile_verified")) == 1
    assert [e.decision for e in await events()] == ["accepted", "duplicate"]


# -- posting addresses (the diaries themselves: test_diaries_by_mail.py) -----------------


async def test_a_post_from_another_envelope_sender_is_refused_at_rcpt(settings):
    entry = sample("au-post-spoofed-envelope.eml")
    member = await member_with_phone("kenji@example.jp", entry["fixture"]["member_mobile_address"])
    token = await posting_token(member, settings)
    async with running_gateway(settings) as port:
        reply = await send(
            port,
            entry["envelope"]["mail_from"],
            sample_rcpt(entry, token),
            sample_raw(entry, token),
        )
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.7.1")
    assert await outbox("mobile_post_refused") == []  # never answer a forged sender


async def test_a_quoted_local_part_is_the_same_member_as_the_bare_one(settings):
    member = await member_with_phone("taro@example.jp", "taro.@docomo.ne.jp")
    token = await posting_token(member, settings)
    rcpt = f"post+{token}@{settings.mail_domain}"
    raw = post_mail('"taro."@docomo.ne.jp', rcpt, "<q@docomo.ne.jp>", body="引用符つき")
    async with running_gateway(settings) as port:
        reply = await send(port, '"taro."@docomo.ne.jp', rcpt, raw)
    assert (reply.stage, reply.code) == ("DATA", 250), reply


async def test_a_post_from_the_members_confirmed_pc_address_passes_the_sender_check(settings):
    member = await make_member("taro@example.jp")
    token = await posting_token(member, settings)
    rcpt = f"post+{token}@{settings.mail_domain}"
    raw = post_mail("taro@example.jp", rcpt, "<p@example.jp>", body="PCから")
    async with running_gateway(settings) as port:
        reply = await send(port, "taro@example.jp", rcpt, raw)
    assert (reply.stage, reply.code) == ("DATA", 250), reply


async def test_a_broken_mime_post_is_refused_with_554_and_the_member_is_told(settings, sink):
    entry = sample("docomo-post-bad-boundary.eml")
    member = await member_with_phone(
        "hanako@example.jp", entry["fixture"]["member_mobile_address"], locale="en"
    )
    token = await posting_token(member, settings)
    async with running_gateway(settings) as port:
        reply = await send(
            port,
            entry["envelope"]["mail_from"],
            sample_rcpt(entry, token),
            sample_raw(entry, token),
        )
    assert (reply.stage, reply.code) == ("DATA", 554), reply
    assert reply.text.startswith("5.6.0")
    assert await ProcessedMail.count() == 0
    await deliver_due(settings)
    [told] = sink.to("hanako.sato@docomo.ne.jp")
    assert "could not be read" in sink.text(told)


async def test_an_oversized_post_is_refused_with_552_when_it_declares_its_size(settings):
    entry = sample("softbank-post-oversized.eml")
    member = await member_with_phone("kenji@example.jp", entry["fixture"]["member_mobile_address"])
    token = await posting_token(member, settings)
    assert settings.mail_size_limit == entry["expected"]["assumed_size_limit_bytes"]
    async with running_gateway(settings) as port:
        reply = await send(
            port,
            entry["envelope"]["mail_from"],
            sample_rcpt(entry, token),
            sample_raw(entry, token),
            declare_size=True,
        )
    assert (reply.stage, reply.code) == ("MAIL", 552), reply
    assert reply.text.startswith("5.3.4")
    [event] = await events()
    declared = len(sample_raw(entry, token))
    assert (event.reason, event.size, event.stage) == ("message-too-large", declared, "MAIL")


async def test_an_oversized_post_is_refused_with_552_after_data_and_the_member_is_told(
    settings, sink
):
    entry = sample("softbank-post-oversized.eml")
    member = await member_with_phone("kenji@example.jp", entry["fixture"]["member_mobile_address"])
    token = await posting_token(member, settings)
    async with running_gateway(settings) as port:
        reply = await send(
            port,
            entry["envelope"]["mail_from"],
            sample_rcpt(entry, token),
            sample_raw(entry, token),
        )
    assert (reply.stage, reply.code) == ("DATA", 552), reply
    assert reply.text.startswith("5.3.4")
    assert len(await outbox("mobile_post_refused")) == 1


async def test_a_posting_address_stops_working_when_regenerated(settings):
    member = await member_with_phone("hanako@example.jp", "hanako.sato@docomo.ne.jp")
    old = await posting_token(member, settings)
    await service.regenerate_posting_address(member, settings)
    rcpt = f"post+{old}@{settings.mail_domain}"
    async with running_gateway(settings) as port:
        reply = await send(port, "hanako.sato@docomo.ne.jp", rcpt, b"Subject: x\r\n\r\n")
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.1.1")


async def test_a_pending_member_cannot_post(settings):
    member = await pending_member("taro@example.jp")
    await account_queries.update_member(
        member.id, mobile_email="taro@docomo.ne.jp", mobile_verified_at=dt.datetime.now(dt.UTC)
    )
    rcpt = (await service.operator_addresses(member, settings))["post_address"]
    async with running_gateway(settings) as port:
        reply = await send(port, "taro@docomo.ne.jp", rcpt, b"Subject: x\r\n\r\n")
    assert (reply.stage, reply.code) == ("RCPT", 550), reply


# -- SMTP behaviour ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipient",
    [
        "someone@mail.example.jp",
        "regist+aaaaaaaaaaaaaaaa@mail.example.jp",
        "post+not-a-token@mail.example.jp",
        "post@mail.example.jp",
    ],
)
async def test_unknown_recipient_is_refused_with_550(recipient, settings):
    async with running_gateway(settings) as port:
        reply = await send(port, "hanako@docomo.ne.jp", recipient, b"Subject: x\r\n\r\n")
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.1.1")


async def test_other_domains_are_not_relayed(settings):
    async with running_gateway(settings) as port:
        reply = await send(port, "hanako@docomo.ne.jp", "friend@example.com", b"Subject: x\r\n\r\n")
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert "Relaying denied" in reply.text


async def test_ehlo_offers_size_and_8bitmime_and_no_starttls_without_a_certificate(settings):
    def ehlo(port: int) -> dict[str, str]:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.ehlo("mx.carrier.example")
            return dict(smtp.esmtp_features)

    async with running_gateway(settings) as port:
        features = await asyncio.to_thread(ehlo, port)
    assert features["size"] == str(settings.mail_size_limit)
    assert "8bitmime" in features
    assert "starttls" not in features


async def test_only_one_recipient_is_taken_per_message(required):
    first = await pending_member("a@example.jp")
    second = await pending_member("b@example.jp")
    rcpts = [
        f"regist+{await registration_token(first, required)}@{required.mail_domain}",
        f"regist+{await registration_token(second, required)}@{required.mail_domain}",
    ]
    async with running_gateway(required) as port:
        reply = await send(port, "hanako@docomo.ne.jp", rcpts, b"Subject: x\r\n\r\n")
    assert (reply.stage, reply.code) == ("RCPT", 452), reply
    assert reply.text.startswith("4.5.3")


async def test_recipients_per_connection_are_limited(settings):
    limited = settings_with(settings, smtp_max_recipients=3)

    def guess(port: int) -> list[int]:
        codes = []
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.ehlo("guesser.example")
            smtp.mail("x@docomo.ne.jp")
            for n in range(5):
                try:
                    codes.append(smtp.rcpt(f"regist+{'a' * 15}{n}@mail.example.jp")[0])
                except smtplib.SMTPServerDisconnected:
                    codes.append(-1)
                    break
        return codes

    async with running_gateway(limited) as port:
        codes = await asyncio.to_thread(guess, port)
    assert codes[:3] == [550, 550, 550]
    assert codes[3] == 421


async def test_a_connection_ends_after_the_time_limit_however_busy(settings):
    limited = settings_with(settings, smtp_session_seconds=0.6, smtp_idle_seconds=30)

    def keep_busy(port: int) -> list[object]:
        answers: list[object] = []
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for _ in range(12):
                try:
                    answers.append(smtp.noop()[0])
                except smtplib.SMTPServerDisconnected:
                    answers.append("closed")
                    break
                import time

                time.sleep(0.1)
        return answers

    async with running_gateway(limited) as port:
        answers = await asyncio.to_thread(keep_busy, port)
    assert answers[0] == 250
    assert answers[-1] in {"closed", 421}


async def test_an_idle_connection_is_closed(settings):
    limited = settings_with(settings, smtp_idle_seconds=0.3)

    def idle(port: int) -> object:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            import time

            time.sleep(0.8)
            try:
                return smtp.noop()[0]
            except smtplib.SMTPServerDisconnected:
                return "closed"

    async with running_gateway(limited) as port:
        assert await asyncio.to_thread(idle, port) == "closed"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=mail.example.jp",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


async def test_starttls_is_offered_when_a_certificate_is_configured(required, certificate):
    cert, key = certificate
    secured = replace(required, smtp_tls_cert=cert, smtp_tls_key=key)
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, secured)
    rcpt = f"regist+{token}@{secured.mail_domain}"
    phone = "hanako@docomo.ne.jp"
    async with running_gateway(secured) as port:
        reply = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<tls@x>"), starttls=True)
    assert reply.code == 250, reply
    assert (await fresh(member)).mobile_email == phone


# -- failures of ours --------------------------------------------------------------------


async def test_database_down_at_rcpt_answers_451_and_the_retry_succeeds(required, tmp_path):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    phone = "hanako@docomo.ne.jp"
    raw = empty_mail(phone, rcpt, "<retry@docomo.ne.jp>")
    async with running_gateway(required) as port:
        take_database_down(required, tmp_path)
        try:
            down = await send(port, phone, rcpt, raw)
        finally:
            db.configure(required.database_url)
        again = await send(port, phone, rcpt, raw)
    assert (down.stage, down.code) == ("RCPT", 451), down
    assert down.text.startswith("4.3.0")
    assert again.code == 250, again
    assert (await fresh(member)).mobile_email == phone


async def test_database_down_at_data_answers_451_and_leaves_nothing_half_made(
    required, tmp_path, monkeypatch
):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    phone = "hanako@docomo.ne.jp"
    raw = empty_mail(phone, rcpt, "<retry@docomo.ne.jp>")
    real_verify = service.verify_mobile
    outage = {"on": True}

    async def verify_while_down(*args, **kwargs):
        if not outage["on"]:
            return await real_verify(*args, **kwargs)
        take_database_down(required, tmp_path)
        try:
            return await real_verify(*args, **kwargs)
        finally:
            db.configure(required.database_url)

    monkeypatch.setattr(service, "verify_mobile", verify_while_down)
    async with running_gateway(required) as port:
        down = await send(port, phone, rcpt, raw)
        assert (await fresh(member)).mobile_email is None
        outage["on"] = False
        again = await send(port, phone, rcpt, raw)
    assert (down.stage, down.code) == ("DATA", 451), down
    assert again.code == 250, again
    assert len(await outbox("mobile_verified")) == 1


async def test_a_failure_inside_the_transaction_rolls_everything_back(required, monkeypatch):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    phone = "hanako@docomo.ne.jp"

    async def broken_confirmation(*args, **kwargs):
        raise db.DatabaseUnavailable("outbox unavailable")

    monkeypatch.setattr(service, "_queue_confirmation", broken_confirmation)
    async with running_gateway(required) as port:
        reply = await send(port, phone, rcpt, empty_mail(phone, rcpt, "<tx@docomo.ne.jp>"))
    assert (reply.stage, reply.code) == ("DATA", 451), reply
    member = await fresh(member)
    assert member.mobile_email is None and member.mobile_verified_at is None
    assert await ProcessedMail.count() == 0
    assert (await GatewayAddress.objects().first()).used_at is None


# -- automatic mail ----------------------------------------------------------------------


async def test_a_bounce_with_a_null_sender_is_refused_and_never_answered(settings):
    member = await member_with_phone("hanako@example.jp", "hanako.sato@docomo.ne.jp")
    token = await posting_token(member, settings)
    rcpt = f"post+{token}@{settings.mail_domain}"
    async with running_gateway(settings) as port:
        reply = await send(port, "", rcpt, b"Subject: Undelivered Mail\r\n\r\n")
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert await OutboxMessage.count() == 0
    assert (await events())[-1].reason == "auto-generated"


REPORT = (
    "From: MAILER-DAEMON@docomo.ne.jp\r\nTo: {to}\r\nSubject: Returned mail\r\n"
    "Message-ID: <bounce-1@docomo.ne.jp>\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="zz"\r\n\r\n'
    "--zz\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n--zz--\r\n"
)


async def test_mail_from_a_carriers_mailer_daemon_verifies_nothing(required):
    member = await pending_member("taro@example.jp")
    token = await registration_token(member, required)
    rcpt = f"regist+{token}@{required.mail_domain}"
    async with running_gateway(required) as port:
        reply = await send(
            port, "MAILER-DAEMON@docomo.ne.jp", rcpt, REPORT.format(to=rcpt).encode()
        )
    assert (reply.stage, reply.code) == ("DATA", 550), reply
    assert (await fresh(member)).mobile_email is None
    assert await OutboxMessage.count() == 0


@pytest.mark.parametrize(
    "header", ["Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes"]
)
async def test_an_automatic_reply_from_the_members_phone_is_never_answered(header, settings):
    member = await member_with_phone("hanako@example.jp", "hanako.sato@docomo.ne.jp")
    token = await posting_token(member, settings)
    rcpt = f"post+{token}@{settings.mail_domain}"
    broken = (
        f"From: hanako.sato@docomo.ne.jp\r\nTo: {rcpt}\r\nSubject: Out of office\r\n{header}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="A"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nbroken\r\n--B--\r\n"
    ).encode()
    async with running_gateway(settings) as port:
        reply = await send(port, "hanako.sato@docomo.ne.jp", rcpt, broken)
        plain = broken.replace(b'boundary="A"', b'boundary="B"')
        reply_plain = await send(port, "hanako.sato@docomo.ne.jp", rcpt, plain)
    assert reply.code == 554 and reply_plain.code == 550, (reply, reply_plain)
    assert await OutboxMessage.count() == 0  # neither is answered


async def test_garbage_never_crashes_the_gateway(settings):
    member = await member_with_phone("hanako@example.jp", "hanako.sato@docomo.ne.jp")
    token = await posting_token(member, settings)
    rcpt = f"post+{token}@{settings.mail_domain}"
    garbage = [
        b"\x00\xff\xfe" * 50,
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all\r\n",
        b"From: =?x-unknown?B?////?=\r\nSubject: =?iso-2022-jp?B?GyRCJCIbKEI?=\r\n\r\n\x1b$B",
    ]
    async with running_gateway(settings) as port:
        replies = [await send(port, "hanako.sato@docomo.ne.jp", rcpt, raw) for raw in garbage]
    # No header block at all, broken MIME, nothing to post: refused, never a crash.
    assert [(reply.stage, reply.code) for reply in replies] == [
        ("DATA", 554),
        ("DATA", 554),
        ("DATA", 550),
    ], replies
    assert await Diary.count() == 0


# -- the record of every decision --------------------------------------------------------


async def test_every_decision_is_one_json_log_line_and_one_event(settings, caplog):
    member = await member_with_phone("hanako@example.jp", "hanako.sato@docomo.ne.jp")
    token = await posting_token(member, settings)
    rcpt = f"post+{token}@{settings.mail_domain}"
    with caplog.at_level(logging.INFO, logger="mailgate"):
        async with running_gateway(settings) as port:
            await send(port, "spoof@bulk.example.net", rcpt, b"Subject: x\r\n\r\n")
            await send(port, "x@docomo.ne.jp", "nobody@mail.example.jp", b"Subject: x\r\n\r\n")
    lines = [
        r for r in caplog.records if hasattr(r, "gateway") and r.gateway["decision"] == "refused"
    ]
    assert [r.gateway["reason"] for r in lines] == ["sender-mismatch", "unknown-recipient"]
    parsed = json.loads(lines[0].getMessage())
    assert parsed["mail_from"] == "spoof@bulk.example.net" and parsed["stage"] == "RCPT"
    assert parsed["member_id"] == member.id
    assert token not in lines[0].getMessage()  # the posting address stays secret
    assert [e.reason for e in await events()] == ["sender-mismatch", "unknown-recipient"]
    assert all(e.peer == "127.0.0.1" and e.reply.startswith("550") for e in await events())
