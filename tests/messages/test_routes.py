"""Private messages through HTTP: folders per side, blocks, limits, constant queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ashiato.accounts import queries as account_queries
from ashiato.friends import service as friends
from ashiato.messages.tables import PrivateMessage
from tests.factories import login, make_member
from tests.helpers import post_form

EN = {"accept-language": "en"}


async def make_old(member) -> None:
    """Members older than the new-member window (links are then unlimited)."""
    await account_queries.update_member(
        member.id, created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    )


async def send(client, to: int, subject: str = "こんにちは", body: str = "元気？", **extra):
    return await post_form(
        client,
        "/messages/",
        {"to": str(to), "subject": subject, "body": body, **extra},
        headers=EN,
    )


async def test_a_message_reaches_the_inbox_and_is_marked_read(client, other_client):
    alice = await make_member("alice@example.jp", "アリス")
    bob = await make_member("bob@example.jp", "ボブ")
    await login(client, "alice@example.jp")
    await login(other_client, "bob@example.jp")
    sent = await send(client, bob.id)
    assert sent.status_code == 303 and sent.headers["location"] == "/messages/sent"

    badge = await other_client.get("/messages/badge")
    assert '<span class="badge"' in badge.text and ">1<" in badge.text
    inbox = await other_client.get("/messages")
    assert "こんにちは" in inbox.text and "アリス" in inbox.text and "unread" in inbox.text
    message_id = (await PrivateMessage.objects().first()).id
    opened = await other_client.get(f"/messages/{message_id}")
    assert opened.status_code == 200 and "元気？" in opened.text
    assert (await other_client.get("/messages/badge")).text.strip() == ""
    assert "ボブ" in (await client.get("/messages/sent")).text
    assert alice.id != bob.id


async def test_only_the_two_sides_can_read_a_message(client, other_client, app):
    await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await make_member("eve@example.jp")
    await login(client, "alice@example.jp")
    await send(client, bob.id)
    message_id = (await PrivateMessage.objects().first()).id
    sender_view = await client.get(f"/messages/{message_id}")
    assert sender_view.status_code == 200 and "元気？" in sender_view.text
    await login(other_client, "bob@example.jp")
    recipient_view = await other_client.get(f"/messages/{message_id}")
    assert recipient_view.status_code == 200 and "元気？" in recipient_view.text
    other_client.cookies.clear()
    await login(other_client, "eve@example.jp")
    refused = await other_client.get(f"/messages/{message_id}")
    assert refused.status_code == 404 and "元気？" not in refused.text


async def test_reply_quotes_the_original(client, other_client):
    alice = await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await login(client, "alice@example.jp")
    await send(client, bob.id, "週末", "土曜日あいてる？\n映画どう？")
    message_id = (await PrivateMessage.objects().first()).id
    await login(other_client, "bob@example.jp")
    form = await other_client.get(f"/messages/new?to={alice.id}&reply_to={message_id}")
    assert "Re: 週末" in form.text
    assert "&gt; 土曜日あいてる？\n&gt; 映画どう？" in form.text
    replied = await send(other_client, alice.id, "Re: 週末", "いいね！", reply_to=str(message_id))
    assert replied.status_code == 303
    reply = await PrivateMessage.objects().where(PrivateMessage.sender == bob.id).first()
    assert reply.reply_to == message_id


async def test_blocked_members_cannot_message_either_way(client, other_client):
    alice = await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await friends.block(alice, bob.id)
    await login(other_client, "bob@example.jp")
    refused = await send(other_client, alice.id)
    assert refused.status_code == 403
    await login(client, "alice@example.jp")
    assert (await send(client, bob.id)).status_code == 403
    assert await PrivateMessage.count() == 0


async def test_form_errors_keep_the_text(client):
    await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await login(client, "alice@example.jp")
    response = await send(client, bob.id, subject="", body="下書き")
    assert response.status_code == 422
    assert "Enter a subject." in response.text and "下書き" in response.text
    too_long = await send(client, bob.id, body="あ" * 5001)
    assert too_long.status_code == 422 and "At most 5000 characters" in too_long.text


async def test_messages_are_rate_limited_per_member(client, app, settings):
    app.state.settings = replace(settings, messages_per_hour=3)
    alice = await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await make_old(alice)
    await login(client, "alice@example.jp")
    for _n in range(3):
        assert (await send(client, bob.id)).status_code == 303
    limited = await send(client, bob.id)
    assert limited.status_code == 429
    assert "writing very fast" in limited.text
    assert await PrivateMessage.count() == 3


async def test_new_members_may_post_only_a_few_links(client):
    await make_member("new@example.jp")
    bob = await make_member("bob@example.jp")
    await login(client, "new@example.jp")
    spam = await send(client, bob.id, body="http://a.example/ http://b.example/")
    assert spam.status_code == 422 and "at most 1 link" in spam.text
    assert (await send(client, bob.id, body="見て http://a.example/")).status_code == 303


async def test_trash_and_delete_are_per_side(client, other_client):
    await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await login(client, "alice@example.jp")
    await login(other_client, "bob@example.jp")
    await send(client, bob.id, "消える件名")
    message_id = (await PrivateMessage.objects().first()).id
    assert (await post_form(other_client, f"/messages/{message_id}/trash", {})).status_code == 303
    assert "消える件名" not in (await other_client.get("/messages")).text
    assert "消える件名" in (await other_client.get("/messages/trash")).text
    await post_form(other_client, f"/messages/{message_id}/delete", {})
    assert (await other_client.get(f"/messages/{message_id}")).status_code == 404
    assert "消える件名" in (await client.get("/messages/sent")).text  # the sender still has it
    assert (await client.get(f"/messages/{message_id}")).status_code == 200


async def test_inbox_runs_a_constant_number_of_queries(client, count_queries):
    await make_member("alice@example.jp")
    senders = [await make_member(f"s{n}@example.jp", f"送信者{n}") for n in range(12)]
    alice = await account_queries.member_by_pc_email("alice@example.jp")
    await login(client, "alice@example.jp")
    await PrivateMessage.insert(
        *[
            PrivateMessage(sender=s.id, recipient=alice.id, subject="件名", body="本文")
            for s in senders[:2]
        ]
    )
    count_queries.reset()
    assert (await client.get("/messages")).status_code == 200
    few = count_queries.count
    await PrivateMessage.insert(
        *[
            PrivateMessage(sender=s.id, recipient=alice.id, subject="件名", body="本文")
            for s in senders[2:]
        ]
    )
    count_queries.reset()
    page = await client.get("/messages")
    assert page.text.count('class="message-row') == 12
    assert count_queries.count == few
