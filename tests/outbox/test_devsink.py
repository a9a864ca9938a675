"""In development, outgoing mail is kept locally and shown to administrators."""

from __future__ import annotations

from dataclasses import replace

from ashiato.outbox import service
from ashiato.outbox.devsink import start_sink
from tests.factories import login, make_member
from tests.helpers import free_port


async def test_outbox_mail_lands_in_the_sink_and_shows_at_admin_mail(app, client, settings):
    port = free_port()
    settings = replace(settings, smtp_relay=("127.0.0.1", port), dev_mail_sink=True)
    app.state.settings = settings
    sink = await start_sink(settings.mail_sink_dir, "127.0.0.1", port)
    try:
        await service.enqueue(
            recipient="taro@docomo.ne.jp",
            subject="足あと通知",
            body="はなこさんが来ました",
            kind="test",
        )
        assert await service.deliver_due(settings) == 1
    finally:
        sink.close()
    assert len(list(settings.mail_sink_dir.glob("*.eml"))) == 1

    await make_member("admin@example.jp", is_admin=True)
    await make_member("member@example.jp")
    await login(client, "member@example.jp")
    assert (await client.get("/admin/mail")).status_code == 403
    await login(client, "admin@example.jp")
    page = await client.get("/admin/mail")
    assert page.status_code == 200
    assert "足あと通知" in page.text and "はなこさんが来ました" in page.text
