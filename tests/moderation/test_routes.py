"""Members report items; administrators see and resolve the queue."""

from __future__ import annotations

from ashiato.moderation.tables import Report
from tests.factories import login, make_member
from tests.helpers import post_form


async def test_a_report_reaches_the_moderators_once(client, other_client, settings):
    from ashiato.messages import service as messages

    sender = await make_member("sender@example.jp", "送信者")
    member = await make_member("member@example.jp", "通報者")
    await make_member("admin@example.jp", is_admin=True)
    message_id = await messages.send(sender, member.id, "件名", "本文", settings)
    await login(client, "member@example.jp")
    form = {"kind": "message", "ref_id": str(message_id), "next": "/elsewhere", "reason": "spam"}
    first = await post_form(client, "/reports", form, headers={"hx-request": "true"})
    assert first.status_code == 200 and 'class="notice reported"' in first.text
    assert "<html" not in first.text  # the htmx fragment replaces the button
    await post_form(client, "/reports", form)
    assert await Report.count() == 1

    assert (await client.get("/admin/reports")).status_code == 403
    await login(other_client, "admin@example.jp")
    queue = await other_client.get("/admin/reports")
    assert f'href="/messages/{message_id}"' in queue.text and "通報者" in queue.text
    report = await Report.objects().first()
    await post_form(other_client, f"/admin/reports/{report.id}/resolve", {})
    assert f'href="/messages/{message_id}"' not in (await other_client.get("/admin/reports")).text


async def test_what_the_reporter_cannot_see_cannot_be_reported(client, settings):
    from ashiato.messages import service as messages

    alice = await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await make_member("eve@example.jp")
    message_id = await messages.send(alice, bob.id, "秘密", "本文", settings)
    await login(client, "eve@example.jp")
    response = await post_form(client, "/reports", {"kind": "message", "ref_id": str(message_id)})
    assert response.status_code == 404
    assert await Report.count() == 0


async def test_unknown_kinds_and_offsite_links_are_refused(client):
    await make_member("member@example.jp")
    await login(client, "member@example.jp")
    bad = await post_form(client, "/reports", {"kind": "nonsense", "ref_id": "1"})
    assert bad.status_code == 422
    await post_form(
        client, "/reports", {"kind": "member", "ref_id": "1", "next": "https://evil.example/"}
    )
    assert (await Report.objects().first()).url == "/"
