"""Demo content of mailpost, made through its service: one diary as hanako's phone mails
it (runs after mobile's demo, which confirms her phone)."""

from __future__ import annotations

from ashiato.mailpost import service
from ashiato.members.queries import member_by_pc_email
from ashiato.mobile import service as mobile
from ashiato.settings import Settings


async def fill_demo(settings: Settings) -> str:
    """One diary as hanako's phone mails it (a subject tag: maimiku only); once, as a
    second run is a resend of the same Message-ID. Returns a line for the console."""
    member = await member_by_pc_email("hanako@example.jp")
    if member is None or not member.mobile_email:
        return ""
    address = await mobile.posting_address(member, settings)
    token = address.partition("+")[2].partition("@")[0]
    post = service.MailPost(
        subject="[友] 今日のランチ☀",
        body="駅前の新しいカフェに行ってきたよ☕\nパスタがおいしかった❤",
        photos=[],
    )
    outcome = await service.accept_post(
        token,
        member.mobile_email,
        post,
        message_id=f"<demo-post-{member.id}@ashiato.invalid>",
        settings=settings,
    )
    return "" if outcome.duplicate else "demo: 1 diary posted by mail"
