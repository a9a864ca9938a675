"""Demo content of footprints, made through its service: visits over the last days and
greetings in the footprint notebooks, in Japanese and English."""

from __future__ import annotations

import datetime as dt
import random

from ashiato.footprints import service
from ashiato.members.queries import members_by_pc_emails
from ashiato.settings import Settings

MEMBERS = [
    "admin@example.jp",
    "hanako@example.jp",
    "kenji@example.jp",
    "misaki@example.jp",
    "yoshida@example.jp",
    "emma@example.com",
    "david@example.com",
    "aiko@example.jp",
]
# (writer, owner, greeting)
GREETINGS = [
    (
        "kenji@example.jp",
        "hanako@example.jp",
        "足あとから来ました！ラーメンの写真、おいしそうですね。",
    ),
    (
        "emma@example.com",
        "hanako@example.jp",
        "Came here from your footprint — love your ramen photos! よろしくね。",
    ),
    (
        "misaki@example.jp",
        "emma@example.com",
        "はじめまして！京都のおすすめカフェがあったら教えてください☕",
    ),
    (
        "david@example.com",
        "aiko@example.jp",
        "Hi Aiko! Saw your footprint on my page. Could you help me with a translation sometime?",
    ),
    ("aiko@example.jp", "david@example.com", "Of course! 写真、すごく素敵です。Nice to meet you!"),
    ("yoshida@example.jp", "kenji@example.jp", "ｱｼｱﾄからきました。DS仲間ですね、よろしくです。"),
    ("hanako@example.jp", "misaki@example.jp", "桜の日記、楽しみにしてます♪"),
    (
        "emma@example.com",
        "yoshida@example.jp",
        "Greetings from Kyoto! How much snow do you have up there?",
    ),
    (
        "aiko@example.jp",
        "hanako@example.jp",
        "はじめまして、あいこです。I came from your footprint!",
    ),
]


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    members = await members_by_pc_emails(MEMBERS)
    rng = random.Random(2006)
    now = dt.datetime.now(dt.UTC)
    left = 0
    for owner in members.values():
        visitors = [m for m in members.values() if m.id != owner.id]
        for visitor in rng.sample(visitors, k=min(len(visitors), rng.randint(3, 6))):
            for _ in range(rng.randint(1, 3)):
                ago = dt.timedelta(minutes=rng.choice([3, 12, 45, 180, 600, 1500, 4000, 9000]))
                left += await service.record_visit(visitor, owner.id, now=now - ago)
    greetings = 0
    for writer, owner, text in GREETINGS:
        if writer in members and owner in members:
            await service.write_in_notebook(members[writer], members[owner].id, text)
            greetings += 1
    return f"footprints: {left} visits recorded, {greetings} notebook greetings"
