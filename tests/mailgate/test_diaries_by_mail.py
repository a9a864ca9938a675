"""Diaries by mail over real sockets: every carrier sample replayed, the diary read back
through diaries.service as its author, photos read back from disk without EXIF/GPS."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import replace
from email import message_from_bytes, policy

import pytest
from PIL import Image

from ashiato import db
from ashiato.accounts import queries as account_queries
from ashiato.diaries import service as diaries
from ashiato.diaries.tables import Diary, DiaryPhoto
from ashiato.i18n import _, using
from ashiato.mailpost import service as mailpost
from ashiato.members import Visibility
from ashiato.members.tables import Member
from ashiato.mobile import service
from ashiato.mobile.tables import GatewayEvent, ProcessedMail
from ashiato.outbox.service import deliver_due
from ashiato.outbox.tables import OutboxMessage
from ashiato.photos import stored_file
from ashiato.refusals import Refusal, refusal_text
from mailgate.carriers import normalize_address
from tests.factories import make_member
from tests.helpers import GPS_IFD, jpeg_with_gps, sample_path, take_database_down
from tests.mailgate.gateway_client import (
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
)

EVERY_SAMPLE = sample_params(lambda entry: True)
PHONE = "hanako.sato@docomo.ne.jp"


async def member_with_phone(
    email: str, phone: str, *, locale: str = "ja", nickname: str = ""
) -> Member:
    member = await make_member(email, nickname, locale=locale)
    await account_queries.update_member(
        member.id,
        mobile_email=normalize_address(phone),
        mobile_verified_at=dt.datetime.now(dt.UTC),
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),  # past the link limit
    )
    return await fresh(member)


async def posting_rcpt(member: Member, settings) -> str:
    return f"post+{await posting_token(member, settings)}@{settings.mail_domain}"


async def only_diary(member: Member) -> diaries.DiaryView:
    """The member's one diary, read back through the service as its author."""
    page = await diaries.my_diaries(member)
    assert len(page.rows) == 1, page.rows
    return await diaries.read(member, page.rows[0]["id"])


async def stored_photos(member: Member, diary_id: int, settings) -> list[bytes]:
    """The diary's photo files as stored on disk, found through the service."""
    page = await diaries.show(member, diary_id)
    keys = [await diaries.photo_key(member, diary_id, photo["id"]) for photo in page.photos]
    return [stored_file(settings, key).read_bytes() for key in keys]


def assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert GPS_IFD not in exif and 0x010F not in exif  # no GPS pointer, no maker
    assert "exif" not in image.info


def sample_has_gps(entry: dict) -> bool:
    """Whether an attachment of the sample, as sent, carries GPS (so stripping is proved)."""
    message = message_from_bytes(sample_path(entry["file"]).read_bytes(), policy=policy.compat32)
    for part in message.walk():
        if part.get_content_maintype() == "image":
            data = part.get_payload(decode=True)
            if Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD):
                return True
    return False


async def outbox(kind: str) -> list[OutboxMessage]:
    return await OutboxMessage.objects().where(OutboxMessage.kind == kind)


def english(text_of) -> str:  # type: ignore[no-untyped-def]
    with using("en"):
        return text_of()


# -- every sample of the public corpus ---------------------------------------------------


async def _replay(entry: dict, token: str, port: int, *, declare_size: bool = False):
    return await send(
        port,
        entry["envelope"]["mail_from"],
        sample_rcpt(entry, token),
        sample_raw(entry, token),
        declare_size=declare_size,
    )


@pytest.mark.parametrize("entry", EVERY_SAMPLE)
async def test_every_sample_gets_the_outcome_the_manifest_expects(entry, settings):
    expected = entry["expected"]
    outcome = expected["outcome"]
    registration = entry["envelope"]["rcpt_local_template"].startswith("regist+")
    if registration:
        member = await make_member("taro@example.jp")  # no phone yet
        token = await registration_token(member, settings)
    else:
        phone = entry["fixture"]["member_mobile_address"]
        member = await member_with_phone("taro@example.jp", phone)
        token = await posting_token(member, settings)
    async with running_gateway(settings) as port:
        if outcome == "accept-duplicate":
            first = await _replay(sample(expected["duplicate_of"]), token, port)
            assert (first.stage, first.code) == ("DATA", 250), first
        reply = await _replay(entry, token, port)

    if outcome == "reject":
        code, _, enhanced = expected["smtp_reply"].partition(" ")
        assert reply.code == int(code), reply
        assert reply.text.startswith(enhanced), reply
        assert await Diary.count() == 0
        assert await ProcessedMail.count() == 0
        if registration:
            assert (await fresh(member)).mobile_email is None
        [event] = await GatewayEvent.objects().where(GatewayEvent.decision == "refused")
        assert event.reason == expected["reason"]
        return

    assert (reply.stage, reply.code) == ("DATA", 250), reply
    if outcome == "accept-verify":
        member = await fresh(member)
        assert member.mobile_email == expected["verified_address"]
        assert await Diary.count() == 0
        return

    diary = await only_diary(member)  # accept-duplicate too: one diary, not two
    if outcome == "accept-duplicate":
        assert "already" in reply.text
        assert expected["creates_post"] is False
    text = expected.get("body_without_signature", expected["body"])
    assert diary.body == text
    assert diary.title == (expected["subject"] or diaries.default_title(member))
    assert diary.source == "mail"
    assert diary.visibility == Visibility.EVERYONE  # the member's default
    assert diary.photo_count == expected["image_attachments"]
    photos = await stored_photos(member, diary.id, settings)
    assert len(photos) == expected["image_attachments"]
    if expected["gps_exif"]:
        assert sample_has_gps(entry)  # or stripping it proves nothing
    for photo in photos:
        assert_no_metadata(photo)


async def test_an_untitled_diary_gets_the_default_title_in_the_authors_language(settings):
    member = await member_with_phone("yoshida@example.jp", "yoshida.k@docomo.ne.jp", locale="en")
    entry = sample("docomo-post-empty-subject.eml")
    token = await posting_token(member, settings)
    async with running_gateway(settings) as port:
        reply = await _replay(entry, token, port)
    assert reply.code == 250, reply
    diary = await only_diary(member)
    with using("en"):
        assert diary.title == diaries.default_title(member)
    assert diary.title.startswith("Diary of")


# -- who may post ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stranger",
    ["someone.else@docomo.ne.jp", "hanako.sato@docomo.ne.jp.example.com", "other@example.jp"],
)
async def test_strangers_mailing_a_posting_address_are_refused_and_not_answered(stranger, settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    await make_member("other@example.jp")  # even another member's confirmed address
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(stranger, rcpt, "<stranger@x>", subject="乗っ取り", body="本文")
    async with running_gateway(settings) as port:
        reply = await send(port, stranger, rcpt, raw)
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.7.1")
    assert await Diary.count() == 0
    assert await OutboxMessage.count() == 0


async def test_the_header_from_does_not_make_a_stranger_the_member(settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(PHONE, rcpt, "<forged@x>", body="偽物")  # From: says the member
    async with running_gateway(settings) as port:
        reply = await send(port, "bulk@mx.bulk.example.net", rcpt, raw)
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert await Diary.count() == 0


# -- committed, or nothing ---------------------------------------------------------------


async def test_database_down_answers_451_and_the_carriers_retry_posts_the_diary(
    settings, tmp_path, monkeypatch
):
    entry = sample("au-post-photo.eml")
    member = await member_with_phone("kenji@example.jp", entry["fixture"]["member_mobile_address"])
    token = await posting_token(member, settings)
    real_accept = mailpost.accept_post
    outage = {"on": True}

    async def accept_while_down(*args, **kwargs):
        if not outage["on"]:
            return await real_accept(*args, **kwargs)
        take_database_down(settings, tmp_path)
        try:
            return await real_accept(*args, **kwargs)
        finally:
            db.configure(settings.database_url)

    monkeypatch.setattr(mailpost, "accept_post", accept_while_down)
    async with running_gateway(settings) as port:
        down = await _replay(entry, token, port)
        assert await Diary.count() == 0
        outage["on"] = False
        again = await _replay(entry, token, port)
    assert (down.stage, down.code) == ("DATA", 451), down
    assert down.text.startswith("4.3.0")
    assert (again.stage, again.code) == ("DATA", 250), again
    diary = await only_diary(member)
    assert diary.photo_count == 1
    assert await outbox("mobile_post_refused") == []  # a 451 is not the member's problem
    events = await GatewayEvent.objects().order_by(GatewayEvent.id)
    assert [(e.decision, e.reason) for e in events] == [
        ("deferred", "temporary-failure"),
        ("accepted", "posted"),
    ]


@pytest.mark.parametrize("failing", ["confirmation", "record"])
async def test_a_failure_before_commit_leaves_no_diary_photo_message_id_or_event(
    failing, settings, monkeypatch
):
    """The diary, its photos, the Message-ID, the confirmation mail and the gateway's
    record of acceptance are one transaction: a failure in its last step undoes all."""
    member = await member_with_phone("kenji@example.jp", "kenji.sato.0318@softbank.ne.jp")
    entry = sample("softbank-post-photo-gps.eml")
    token = await posting_token(member, settings)

    async def broken(*args, **kwargs):
        raise db.DatabaseUnavailable("gone in the middle")

    if failing == "confirmation":
        monkeypatch.setattr(mailpost, "_queue_posted", broken)
    else:
        real_record = service.record_event

        async def record_but_not_acceptance(**fields):
            if fields["decision"] == "accepted":
                raise db.DatabaseUnavailable("gone in the middle")
            return await real_record(**fields)

        monkeypatch.setattr(service, "record_event", record_but_not_acceptance)
    async with running_gateway(settings) as port:
        reply = await _replay(entry, token, port)
    assert (reply.stage, reply.code) == ("DATA", 451), reply
    assert await Diary.count() == 0
    assert await DiaryPhoto.count() == 0
    assert await ProcessedMail.count() == 0
    assert await outbox("mobile_post_accepted") == []
    assert await GatewayEvent.count().where(GatewayEvent.decision == "accepted") == 0

    monkeypatch.undo()
    async with running_gateway(settings) as port:
        again = await _replay(entry, token, port)
    assert again.code == 250, again
    assert (await only_diary(member)).photo_count == 1
    [accepted] = await GatewayEvent.objects().where(GatewayEvent.decision == "accepted")
    assert (accepted.reason, accepted.message_id) == ("posted", entry["message_id"])


async def count_diaries_from_outside(settings) -> int:  # type: ignore[no-untyped-def]
    """Diaries as another connection sees them: only what is committed."""
    if settings.is_postgres:
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            return await connection.fetchval("SELECT count(*) FROM diary")
        finally:
            await connection.close()
    import sqlite3

    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM diary").fetchone()[0]


async def test_the_acceptance_is_recorded_with_the_diary_before_commit_and_250_after(
    settings, monkeypatch
):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    seen: dict[str, int] = {}
    real_record = service.record_event

    async def record(**fields):
        if fields["decision"] == "accepted":
            seen["inside"] = await Diary.count()  # the transaction's own view
            seen["outside"] = await count_diaries_from_outside(settings)
        return await real_record(**fields)

    monkeypatch.setattr(service, "record_event", record)
    raw = post_mail(PHONE, rcpt, "<order@docomo.ne.jp>", body="順番")
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
        seen["after_250"] = await count_diaries_from_outside(settings)
    assert reply.code == 250, reply
    assert seen == {"inside": 1, "outside": 0, "after_250": 1}


async def test_a_resend_with_the_same_message_id_makes_one_diary(settings, sink):
    original = sample("docomo-post-original.eml")
    resend = sample("docomo-post-resend-duplicate.eml")
    assert original["message_id"] == resend["message_id"]
    member = await member_with_phone("hanako@example.jp", PHONE)
    token = await posting_token(member, settings)
    async with running_gateway(settings) as port:
        first = await _replay(original, token, port)
        second = await _replay(resend, token, port)
    assert (first.code, second.code) == (250, 250), (first, second)
    assert "already" in second.text
    assert await Diary.count() == 1
    assert (await only_diary(member)).body == original["expected"]["body"]
    assert len(await outbox("mobile_post_accepted")) == 1
    decisions = await GatewayEvent.select(GatewayEvent.decision).where(GatewayEvent.stage == "DATA")
    assert [row["decision"] for row in decisions] == ["accepted", "duplicate"]


async def test_the_same_mail_delivered_twice_at_once_makes_one_diary(settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(PHONE, rcpt, "<twice@docomo.ne.jp>", subject="同時", body="二重配送")
    async with running_gateway(settings) as port:
        replies = await asyncio.gather(*(send(port, PHONE, rcpt, raw) for _ in range(3)))
    assert [reply.code for reply in replies] == [250, 250, 250], replies
    assert await Diary.count() == 1


# -- what a post becomes -----------------------------------------------------------------


async def test_the_phone_gets_a_confirmation_with_the_diarys_link(settings, sink):
    member = await member_with_phone("hanako@example.jp", PHONE, locale="en")
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(PHONE, rcpt, "<ok@docomo.ne.jp>", subject="Lunch", body="Pasta")
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert reply.code == 250, reply
    diary = await only_diary(member)
    assert await deliver_due(settings) == 1
    [answer] = sink.to(PHONE)
    assert str(answer["Subject"]) == english(lambda: _("Your diary is posted"))
    text = sink.text(answer)
    assert f"http://testserver.local/diaries/{diary.id}" in text
    assert "“Lunch”" in text and "All members" in text


async def test_a_photo_without_text_is_a_diary_with_the_default_title(settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(PHONE, rcpt, "<photo@docomo.ne.jp>", photos=[jpeg_with_gps()])
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert reply.code == 250, reply
    diary = await only_diary(member)
    assert (diary.title, diary.body, diary.photo_count) == (
        diaries.default_title(member),
        "",
        1,
    )
    [photo] = await stored_photos(member, diary.id, settings)
    assert_no_metadata(photo)


async def test_an_html_only_mail_becomes_text(settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    html = (
        '<html><body><div style="color:red">デコメ<br>本文です&amp;</div>'
        '<img src="cid:deco@x"><p>二段落目</p></body></html>'
    )
    raw = post_mail(PHONE, rcpt, "<html@docomo.ne.jp>", subject="デコ", html=html)
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert reply.code == 250, reply
    diary = await only_diary(member)
    assert diary.body == "デコメ\n本文です&\n\n二段落目"
    assert "<" not in diary.body


@pytest.mark.parametrize(
    ("subject", "title", "visibility"),
    [
        ("[友] 今日のランチ", "今日のランチ", Visibility.FRIENDS),
        ("今日のランチ［friends］", "今日のランチ", Visibility.FRIENDS),
        ("【非】ひとりごと", "ひとりごと", Visibility.ONLY_ME),
        ("[Private] note to self", "note to self", Visibility.ONLY_ME),
        ("[友][非] both", "both", Visibility.ONLY_ME),  # the narrower audience wins
        ("[メモ] タグなし", "[メモ] タグなし", Visibility.FRIENDS_OF_FRIENDS),  # the default
    ],
)
async def test_a_subject_tag_chooses_the_audience_and_leaves_the_title(
    subject, title, visibility, settings
):
    member = await member_with_phone("hanako@example.jp", PHONE)
    await diaries.set_default_visibility(member, Visibility.FRIENDS_OF_FRIENDS.value)
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(PHONE, rcpt, "<tag@docomo.ne.jp>", subject=subject, body="本文")
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert reply.code == 250, reply
    diary = await only_diary(member)
    assert (diary.title, diary.visibility) == (title, visibility.value)


async def test_a_tag_alone_gives_the_default_title(settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(PHONE, rcpt, "<tag-only@docomo.ne.jp>", subject="[非]", body="秘密")
    async with running_gateway(settings) as port:
        assert (await send(port, PHONE, rcpt, raw)).code == 250
    diary = await only_diary(member)
    assert (diary.title, diary.visibility) == (diaries.default_title(member), "only_me")


# -- refused posts, explained to the phone -----------------------------------------------


def _four_photos() -> list[bytes]:
    return [jpeg_with_gps(color=(n * 40, 0, 0)) for n in range(4)]


# The numbers a refusal's text names (the limits of diaries).
NUMBERS = {
    "too-many-photos": {"num": diaries.MAX_PHOTOS},
    "title-too-long": {"num": diaries.TITLE_MAX},
    "text-too-long": {"num": diaries.BODY_MAX},
}

REFUSED_POSTS = [
    pytest.param({"subject": "空"}, "empty-post", 550, "5.6.0", id="neither-text-nor-photo"),
    pytest.param({"body": "\n\n-- \nｻﾄｳ ｹﾝｼﾞ"}, "empty-post", 550, "5.6.0", id="only-a-signature"),
    pytest.param(
        {"body": "4枚", "photos": "four"}, "too-many-photos", 550, "5.6.0", id="four-photos"
    ),
    pytest.param(
        {"body": "壊れた", "photos": "broken"}, "bad-photo", 554, "5.6.1", id="broken-photo"
    ),
    pytest.param(
        {"body": "長い", "subject": "題" * 101}, "title-too-long", 550, "5.6.0", id="long-subject"
    ),
    pytest.param({"body": "あ" * 10_001}, "text-too-long", 552, "5.3.4", id="long-text"),
]


@pytest.mark.parametrize(("content", "reason", "code", "enhanced"), REFUSED_POSTS)
async def test_a_post_that_cannot_be_a_diary_is_refused_and_explained_in_the_members_language(
    content, reason, code, enhanced, settings, sink
):
    member = await member_with_phone("hanako@example.jp", PHONE, locale="en")
    rcpt = await posting_rcpt(member, settings)
    photos = {"four": _four_photos(), "broken": [b"\xff\xd8\xff\xe0 not really a jpeg"]}.get(
        content.get("photos", ""), []
    )
    raw = post_mail(
        PHONE,
        rcpt,
        "<refused@docomo.ne.jp>",
        subject=content.get("subject", ""),
        body=content.get("body", ""),
        photos=photos,
    )
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert (reply.stage, reply.code) == ("DATA", code), reply
    assert reply.text.startswith(enhanced)
    assert await Diary.count() == 0 and await DiaryPhoto.count() == 0
    assert await ProcessedMail.count() == 0  # a corrected resend is a new chance
    [event] = await GatewayEvent.objects().where(GatewayEvent.stage == "DATA")
    assert (event.decision, event.reason) == ("refused", reason)

    assert await deliver_due(settings) == 1
    [told] = sink.to(PHONE)
    assert str(told["Subject"]) == "Your diary could not be posted"
    numbers = NUMBERS.get(reason)
    assert english(lambda: refusal_text(Refusal(reason), settings, numbers)) in sink.text(told)


async def test_the_error_mail_is_in_japanese_for_a_japanese_member(settings, sink):
    member = await member_with_phone("hanako@example.jp", PHONE, locale="ja")
    rcpt = await posting_rcpt(member, settings)
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, post_mail(PHONE, rcpt, "<e@x>", subject="空"))
    assert reply.code == 550, reply
    [row] = await outbox("mobile_post_refused")
    with using("ja"):
        assert refusal_text(Refusal.EMPTY_POST, settings) in row.body
        assert row.subject == _("Your diary could not be posted")
    assert row.subject != english(lambda: _("Your diary could not be posted"))


async def test_automatic_mail_with_nothing_to_post_is_not_answered(settings):
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, settings)
    raw = post_mail(
        PHONE, rcpt, "<auto@x>", subject="Re:", extra_headers={"Auto-Submitted": "auto-replied"}
    )
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert (reply.stage, reply.code) == ("DATA", 550), reply
    assert await OutboxMessage.count() == 0


async def test_a_member_writing_to_an_old_posting_address_is_told_once_an_hour(settings, sink):
    member = await make_member("hanako@example.jp", locale="en")
    token = await registration_token(member, settings)
    await service.verify_mobile(token, PHONE, message_id="<v@x>", settings=settings)
    member = await fresh(member)
    old = await posting_rcpt(member, settings)
    await service.regenerate_posting_address(member, settings)
    stranger = "someone.else@docomo.ne.jp"
    async with running_gateway(settings) as port:
        replies = [
            await send(port, PHONE, old, post_mail(PHONE, old, f"<old{n}@x>", body="古い"))
            for n in range(2)
        ]
        by_stranger = await send(port, stranger, old, b"Subject: x\r\n\r\nx")
    assert [(r.stage, r.code) for r in replies] == [("RCPT", 550), ("RCPT", 550)], replies
    assert replies[0].text.startswith("5.1.1")
    assert (by_stranger.stage, by_stranger.code) == ("RCPT", 550)
    assert len(await outbox("mobile_post_refused")) == 1  # anyone can forge a sender
    await deliver_due(settings)
    [told] = [m for m in sink.to(PHONE) if "could not be posted" in str(m["Subject"])]
    assert "does not exist" in sink.text(told)
    assert "http://testserver.local/settings/mobile" in sink.text(told)
    assert old.partition("@")[0] not in sink.text(told)  # the old token is not repeated
    assert sink.to(stranger) == []


async def test_mail_size_limit_is_a_setting(settings):
    small = replace(settings, mail_size_limit=4096)
    member = await member_with_phone("hanako@example.jp", PHONE)
    rcpt = await posting_rcpt(member, small)
    raw = post_mail(PHONE, rcpt, "<big@x>", body="写真", photos=[jpeg_with_gps((400, 300))])
    assert len(raw) > 4096
    async with running_gateway(small) as port:
        reply = await send(port, PHONE, rcpt, raw)
    assert (reply.stage, reply.code) == ("DATA", 552), reply
    assert await Diary.count() == 0
