"""Demo content of mobile, made through its service: four demo members confirm a phone by
empty mail, with the addresses of the public carrier-mail samples, so those samples can be
replayed against a demo site (`ashiato member show EMAIL --json` gives the addresses), and
one of them posts a diary by mail."""

from __future__ import annotations

from ashiato.accounts import queries as account_queries
from ashiato.mobile import service
from ashiato.settings import Settings

# PC address of a demo member -> the phone it confirms (as in ../shared/mail-samples).
DEMO_PHONES = {
    "hanako@example.jp": "hanako.sato@docomo.ne.jp",
    "kenji@example.jp": "kenji-0412@ezweb.ne.jp",
    "misaki@example.jp": "miki.o@i.softbank.jp",
    "yoshida@example.jp": "yoshida.k@docomo.ne.jp",
}


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    confirmed = []
    for email, phone in DEMO_PHONES.items():
        member = await account_queries.member_by_pc_email(email)
        if member is None or member.mobile_email:
            continue
        state = await service.verification_state(member, settings)
        token = state.address.partition("+")[2].partition("@")[0]
        await service.verify_mobile(
            token, phone, message_id=f"<demo-{member.id}@ashiato.invalid>", settings=settings
        )
        confirmed.append(f"{member.nickname} ({phone})")
    posted = await _diary_by_mail(settings)
    if not confirmed and not posted:
        return ""
    return (
        f"demo: phones confirmed by empty mail: {', '.join(confirmed) or 'none new'}; "
        f"{posted} diary posted by mail; "
        "`ashiato member show EMAIL --json` shows their posting addresses"
    )


async def _diary_by_mail(settings: Settings) -> int:
    """One diary as hanako's phone mails it (a subject tag: maimiku only); once, as a
    second run is a resend of the same Message-ID."""
    member = await account_queries.member_by_pc_email("hanako@example.jp")
    if member is None or not member.mobile_email:
        return 0
    address = await service.posting_address(member, settings)
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
    return 0 if outcome.duplicate else 1
