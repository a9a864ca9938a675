"""Demo content of messages, made through its service: a few private messages between the
demo members, in both languages (runs after the accounts demo, whose members it finds by
e-mail)."""

from __future__ import annotations

from ashiato.members.queries import member_by_pc_email
from ashiato.messages import service
from ashiato.settings import Settings

# (sender e-mail, recipient e-mail, subject, body)
MESSAGES = [
    (
        "kenji@example.jp",
        "hanako@example.jp",
        "二郎の件",
        "はなこさん、二郎デビューおめでとう！\n今度みんなで行きましょう。土曜日はどうですか？",
    ),
    (
        "hanako@example.jp",
        "kenji@example.jp",
        "Re: 二郎の件",
        "ぜひ！土曜日のお昼ならあいてます。\n\n> 今度みんなで行きましょう。",
    ),
    (
        "emma@example.com",
        "aiko@example.jp",
        "Translation help?",
        "Hi Aiko, could you check the Japanese in my class newsletter? It's only one page.",
    ),
    (
        "aiko@example.jp",
        "emma@example.com",
        "Re: Translation help?",
        "Of course! Send it over. 喜んで！",
    ),
    (
        "david@example.com",
        "misaki@example.jp",
        "Kamakura cafés",
        "Thanks for the comment! Which café had the hojicha latte? I'll be in Kamakura next month.",
    ),
]


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    sent = 0
    for sender_email, recipient_email, subject, body in MESSAGES:
        sender = await member_by_pc_email(sender_email)
        recipient = await member_by_pc_email(recipient_email)
        if sender is not None and recipient is not None:
            await service.send(sender, recipient.id, subject, body, settings)
            sent += 1
    return f"demo: {sent} messages" if sent else ""
