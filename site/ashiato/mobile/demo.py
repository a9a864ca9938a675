"""Demo content of mobile, made through its service: four demo members confirm a phone by
empty mail, with the addresses of the public carrier-mail samples, so those samples can be
replayed against a demo site (`ashiato member show EMAIL --json` gives the addresses).
(mailpost's demo then posts a diary by mail from one of them.)"""

from __future__ import annotations

from ashiato.members.queries import member_by_pc_email
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
        member = await member_by_pc_email(email)
        if member is None or member.mobile_email:
            continue
        state = await service.verification_state(member, settings)
        token = state.address.partition("+")[2].partition("@")[0]
        await service.verify_mobile(
            token, phone, message_id=f"<demo-{member.id}@ashiato.invalid>", settings=settings
        )
        confirmed.append(f"{member.nickname} ({phone})")
    if not confirmed:
        return ""
    return (
        f"demo: phones confirmed by empty mail: {', '.join(confirmed)}; "
        "`ashiato member show EMAIL --json` shows their posting addresses"
    )
