"""Comment notifications with a reply address, and replies by mail that become comments."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

import pytest

from ashiato.accounts import queries as account_queries
from ashiato.diaries import service as diaries
from ashiato.diaries.service import DiaryDraft, DiaryEdit
from ashiato.diaries.tables import DiaryComment
from ashiato.i18n import _, using
from ashiato.members.tables import Member
from ashiato.mobile import service
from ashiato.mobile.tables import GatewayAddress, GatewayEvent
from ashiato.outbox import service as outbox_service
from ashiato.outbox.service import deliver_due
from ashiato.outbox.tables import OutboxMessage
from ashiato.refusals import Refusal, refusal_text
from mailgate.carriers import normalize_address
from tests.factories import login, make_member
from tests.helpers import post_form
from tests.mailgate.gateway_client import fresh, post_mail, running_gateway, send

PHONE = "hanako.sato@docomo.ne.jp"


async def author_with_phone(locale: str = "en", phone: str | None = PHONE) -> Member:
    member = await make_member("hanako@example.jp", "はなこ", locale=locale)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    values: dict[str, object] = {"created_at": old}
    if phone:
        values.update(mobile_email=normalize_address(phone), mobile_verified_at=old)
    await account_queries.update_member(member.id, **values)
    return await fresh(member)


async def diary_of(author: Member, settings, title: str = "お弁当") -> int:  # type: ignore[no-untyped-def]
    diary = await diaries.create_diary(
        author, DiaryDraft(title=title, body="今日のお弁当"), settings
    )
    return diary.id


async def notifications() -> list[OutboxMessage]:
    return await OutboxMessage.objects().where(OutboxMessage.kind == "diary_comment")


async def comments(diary_id: int) -> list[DiaryComment]:
    return (
        await DiaryComment.objects().where(DiaryComment.diary == diary_id).order_by(DiaryComment.id)
    )


def phone_reply(to: str, message_id: str, text: str, quoted: str) -> bytes:
    """A reply as a phone writes it: the member's words, a signature, the quote."""
    quote = "\n".join(f"> {line}" for line in quoted.splitlines())
    header = "2026/11/22 10:00、Ashiato <no-reply@mail.example.jp>のメール:"
    body = f"{text}\n\n-- \nﾊﾅｺ\n\n{header}\n\n{quote}\n"
    return post_mail(PHONE, to, message_id, subject="Re: コメント", body=body)


# -- the notification --------------------------------------------------------------------


async def test_a_comment_on_the_web_mails_the_author_with_a_reply_address(client, settings, sink):
    author = await author_with_phone(locale="en")
    diary_id = await diary_of(author, settings)
    await make_member("taro@example.jp", "たろう")
    await login(client, "taro@example.jp")
    response = await post_form(client, f"/diaries/{diary_id}/comments", {"body": "おいしそう！"})
    assert response.status_code == 303, response.text

    [row] = await notifications()
    assert row.recipient == PHONE  # the phone, as it is confirmed
    assert row.reply_to.startswith("reply+") and row.reply_to.endswith("@mail.example.jp")
    with using("en"):
        assert row.subject == _(
            "%(name)s commented on your diary “%(title)s”", name="たろう", title="お弁当"
        )
    assert "おいしそう！" in row.body
    assert f"http://testserver.local/diaries/{diary_id}#comment-" in row.body
    [address] = await GatewayAddress.objects().where(GatewayAddress.purpose == "reply")
    assert (address.member, address.diary) == (author.id, diary_id)
    token = row.reply_to.partition("+")[2].partition("@")[0]
    assert token not in str(address.to_dict().values())  # kept as a hash only

    assert await deliver_due(settings) == 1
    [mail] = sink.to(PHONE)
    assert parseaddr(str(mail["Reply-To"]))[1] == row.reply_to


async def test_the_notification_goes_to_the_pc_address_without_a_phone_and_is_in_japanese(
    settings,
):
    author = await author_with_phone(locale="ja", phone=None)
    diary_id = await diary_of(author, settings)
    taro = await make_member("taro@example.jp", "たろう")
    await diaries.add_comment(taro, diary_id, "いいね", settings)
    [row] = await notifications()
    assert row.recipient == "hanako@example.jp"
    with using("ja"):
        assert row.subject == _(
            "%(name)s commented on your diary “%(title)s”", name="たろう", title="お弁当"
        )
    # Needs the Japanese catalog (proposed in gateway2-ja.po).
    assert row.subject != "たろう commented on your diary “お弁当”"


async def test_one_reply_address_per_member_and_diary(settings):
    author = await author_with_phone()
    first, second = await diary_of(author, settings), await diary_of(author, settings, "二つ目")
    taro = await make_member("taro@example.jp", "たろう")
    for diary_id in (first, first, second):
        await diaries.add_comment(taro, diary_id, "こんにちは", settings)
    rows = await notifications()
    assert len(rows) == 3
    assert rows[0].reply_to == rows[1].reply_to != rows[2].reply_to
    assert await GatewayAddress.count().where(GatewayAddress.purpose == "reply") == 2


async def test_the_author_is_not_notified_of_their_own_comment(settings):
    author = await author_with_phone()
    diary_id = await diary_of(author, settings)
    await diaries.add_comment(author, diary_id, "自分で", settings)
    assert await notifications() == []


async def test_the_comment_and_its_notification_are_committed_together(settings, monkeypatch):
    """The outbox rule: the notification is queued in the comment's own transaction, so a
    failure to queue it leaves neither the comment nor its reply address (the member sees
    the error and can send it again), and once it works both are there."""
    author = await author_with_phone()
    diary_id = await diary_of(author, settings)
    taro = await make_member("taro@example.jp", "たろう")

    async def broken(**kwargs):
        raise OSError("outbox unavailable")

    monkeypatch.setattr(outbox_service, "enqueue", broken)
    with pytest.raises(OSError):
        await diaries.add_comment(taro, diary_id, "それでも", settings)
    assert await comments(diary_id) == []
    assert await GatewayAddress.count().where(GatewayAddress.purpose == "reply") == 0
    assert (await diaries.read(author, diary_id)).comment_count == 0

    monkeypatch.undo()
    comment_id = await diaries.add_comment(taro, diary_id, "それでも", settings)
    assert [c.id for c in await comments(diary_id)] == [comment_id]
    [row] = await notifications()
    assert f"#comment-{comment_id}" in row.body


# -- replying by mail --------------------------------------------------------------------


async def reply_address_after_a_comment(author: Member, settings) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    diary_id = await diary_of(author, settings)
    taro = await make_member("taro@example.jp", "たろう")
    await diaries.add_comment(taro, diary_id, "おいしそう！", settings)
    [row] = await notifications()
    return diary_id, row.reply_to, row.body


async def test_replying_from_the_phone_posts_the_text_without_quote_or_signature(settings):
    author = await author_with_phone()
    diary_id, reply_to, notification = await reply_address_after_a_comment(author, settings)
    raw = phone_reply(reply_to, "<r1@docomo.ne.jp>", "ありがとう！\nまた作るね", notification)
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, reply_to, raw)
        again = await send(port, PHONE, reply_to, raw)  # the carrier's resend
    assert (reply.stage, reply.code) == ("DATA", 250), reply
    assert again.code == 250 and "already" in again.text, again
    found = await comments(diary_id)
    assert [(c.author, c.body) for c in found] == [
        (found[0].author, "おいしそう！"),
        (author.id, "ありがとう！\nまた作るね"),
    ]
    [event] = await GatewayEvent.objects().where(GatewayEvent.decision == "accepted")
    assert (event.purpose, event.reason) == ("reply", "commented")
    assert reply_to.partition("@")[0] not in event.rcpt_to  # the token is masked
    assert await notifications() != [] and len(await notifications()) == 1  # nothing new


async def test_an_auto_reply_to_a_notification_is_refused_and_never_answered(settings):
    author = await author_with_phone()
    diary_id, reply_to, _notification = await reply_address_after_a_comment(author, settings)
    raw = post_mail(
        PHONE,
        reply_to,
        "<ooo@docomo.ne.jp>",
        subject="自動応答: 不在です",
        body="ただいま不在です。",
        extra_headers={"Auto-Submitted": "auto-replied"},
    )
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, reply_to, raw)
    assert (reply.stage, reply.code) == ("DATA", 550), reply
    assert len(await comments(diary_id)) == 1
    assert await OutboxMessage.count().where(OutboxMessage.kind == "mobile_reply_refused") == 0


async def test_a_stranger_cannot_reply_in_the_members_name(settings):
    author = await author_with_phone()
    diary_id, reply_to, _notification = await reply_address_after_a_comment(author, settings)
    stranger = "someone.else@docomo.ne.jp"
    raw = post_mail(stranger, reply_to, "<s@x>", body="なりすまし")
    async with running_gateway(settings) as port:
        reply = await send(port, stranger, reply_to, raw)
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.7.1")
    assert len(await comments(diary_id)) == 1


async def test_a_reply_with_only_the_quote_is_refused_and_explained(settings, sink):
    author = await author_with_phone(locale="en")
    diary_id, reply_to, notification = await reply_address_after_a_comment(author, settings)
    raw = phone_reply(reply_to, "<empty@docomo.ne.jp>", "", notification)
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, reply_to, raw)
    assert (reply.stage, reply.code) == ("DATA", 550), reply
    assert reply.text.startswith("5.6.0")
    assert len(await comments(diary_id)) == 1
    [told] = await OutboxMessage.objects().where(OutboxMessage.kind == "mobile_reply_refused")
    assert told.recipient == PHONE
    assert told.subject == "Your comment could not be posted"
    with using("en"):
        assert refusal_text(Refusal.EMPTY_REPLY, settings) in told.body


async def test_a_reply_from_a_member_who_may_no_longer_read_the_diary_is_refused(settings):
    author = await author_with_phone()
    diary_id = await diary_of(author, settings)
    taro = await make_member("taro@example.jp", "たろう", locale="en")
    # taro's own reply address for this diary (as a notification to him would carry)
    reply_to = await service.reply_address(taro, diary_id, settings)
    await diaries.update_diary(
        author,
        diary_id,
        DiaryEdit(title="お弁当", body="今日のお弁当", visibility="only_me"),
        settings,
    )
    raw = post_mail("taro@example.jp", reply_to, "<t@example.jp>", body="見えないはず")
    async with running_gateway(settings) as port:
        reply = await send(port, "taro@example.jp", reply_to, raw)
    assert (reply.stage, reply.code) == ("DATA", 550), reply
    assert "no longer shown" in reply.text
    assert await comments(diary_id) == []
    [told] = await OutboxMessage.objects().where(OutboxMessage.kind == "mobile_reply_refused")
    assert told.recipient == "taro@example.jp"
    with using("en"):
        assert refusal_text(Refusal.DIARY_UNAVAILABLE, settings) in told.body


async def test_the_reply_address_of_a_deleted_diary_no_longer_exists(settings):
    author = await author_with_phone()
    diary_id, reply_to, _notification = await reply_address_after_a_comment(author, settings)
    await diaries.delete_diary(author, diary_id)
    raw = post_mail(PHONE, reply_to, "<late@docomo.ne.jp>", body="遅かった")
    async with running_gateway(settings) as port:
        reply = await send(port, PHONE, reply_to, raw)
    assert (reply.stage, reply.code) == ("RCPT", 550), reply
    assert reply.text.startswith("5.1.1")
    assert await DiaryComment.count() == 0
    assert await GatewayAddress.count().where(GatewayAddress.purpose == "reply") == 0
    # Not answered: at RCPT an auto-reply to the notification cannot be told apart.
    assert await OutboxMessage.count().where(OutboxMessage.kind == "mobile_reply_refused") == 0


async def test_replies_follow_the_comment_rate_limit_with_451(settings):
    from dataclasses import replace

    limited = replace(settings, comments_per_hour=1)
    author = await author_with_phone()
    diary_id, reply_to, notification = await reply_address_after_a_comment(author, settings)
    await diaries.add_comment(author, diary_id, "一つ目", limited)
    raw = phone_reply(reply_to, "<rate@docomo.ne.jp>", "二つ目", notification)
    async with running_gateway(limited) as port:
        reply = await send(port, PHONE, reply_to, raw)
    assert (reply.stage, reply.code) == ("DATA", 451), reply
    assert reply.text.startswith("4.7.1")
    assert len(await comments(diary_id)) == 2
    assert await OutboxMessage.count().where(OutboxMessage.kind == "mobile_reply_refused") == 0
