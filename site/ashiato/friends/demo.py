"""Demo maimiku: four circles of friends with bridges between them, so the graph explorer
has overlaps and chains to follow; requests waiting for an answer; introductions.

Friendships are made through the service (requests approved, or make_friends as an
accepted invitation does). The circles' residents are demo members like any other: the
site's demo (ashiato.demo.RESIDENTS) makes them, where every demo member is made, so this
feature needs nothing of accounts.
"""

from __future__ import annotations

import random

from ashiato.friends import service
from ashiato.members.queries import members_by_pc_emails
from ashiato.settings import Settings

# Each circle's members by address: the demo's first members and its residents.
CIRCLES = {
    "東京の写真部 / Tokyo photo club": [
        "hanako@example.jp",
        "misaki@example.jp",
        "david@example.com",
        "sakura.t@example.jp",
        "takumi@example.jp",
        "yui.photo@example.jp",
        "ren@example.jp",
        "kaito@example.jp",
        "nana@example.jp",
        "lucas@example.com",
    ],
    "大阪のエンジニア / Osaka engineers": [
        "kenji@example.jp",
        "shota@example.jp",
        "daisuke@example.jp",
        "mai.dev@example.jp",
        "ryo@example.jp",
        "tomoko@example.jp",
        "priya@example.com",
        "hiro@example.jp",
    ],
    "京都の英会話 / Kyoto English club": [
        "emma@example.com",
        "aiko@example.jp",
        "olivia@example.com",
        "james@example.com",
        "haruka@example.jp",
        "sota@example.jp",
        "mei@example.com",
        "noah@example.com",
        "kana@example.jp",
    ],
    "北海道の雪友 / Hokkaido snow friends": [
        "yoshida@example.jp",
        "yuki@example.jp",
        "fuyumi@example.jp",
        "kenta@example.jp",
        "aya@example.jp",
        "ethan@example.com",
        "makoto@example.jp",
    ],
}

# People who know someone in another circle: the chains run through them.
BRIDGES = [
    ("hanako@example.jp", "kenji@example.jp"),
    ("misaki@example.jp", "aiko@example.jp"),
    ("david@example.com", "emma@example.com"),
    ("lucas@example.com", "olivia@example.com"),
    ("priya@example.com", "james@example.com"),
    ("ryo@example.jp", "kenta@example.jp"),
    ("ethan@example.com", "noah@example.com"),
    ("kaito@example.jp", "hiro@example.jp"),
]

# (author, subject, text): introductions (紹介文) between maimiku.
INTRODUCTIONS = [
    (
        "misaki@example.jp",
        "hanako@example.jp",
        "写真部の部長。ラーメンの話になると止まりません（笑）",
    ),
    (
        "hanako@example.jp",
        "misaki@example.jp",
        "桜の季節に一緒に撮影に行く仲間です。カフェ情報ならお任せ！",
    ),
    ("kenji@example.jp", "hanako@example.jp", "大学時代からの友達。いつも元気をもらってます。"),
    (
        "aiko@example.jp",
        "emma@example.com",
        "Emma teaches at my English club. Patient, funny and a great cook!",
    ),
    (
        "david@example.com",
        "emma@example.com",
        "We met on a temple walk in Kyoto. She knows every shortcut.",
    ),
    (
        "emma@example.com",
        "aiko@example.jp",
        "Aiko translates everything for everyone. 本当にありがとう！",
    ),
]


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    wanted = {email for circle in CIRCLES.values() for email in circle} | {"admin@example.jp"}
    by_email = await members_by_pc_emails(wanted)
    if any(email not in by_email for email in wanted - {"admin@example.jp"}):
        return ""  # not the site's demo community
    rng = random.Random(2006)
    circles = [[by_email[email] for email in circle] for circle in CIRCLES.values()]
    hanako = by_email["hanako@example.jp"]

    made = 0
    for circle in circles:  # dense inside a circle: most of them know each other
        for index, a in enumerate(circle):
            for b in circle[index + 1 :]:
                if rng.random() < 0.55:
                    await service.make_friends(a, b)
                    made += 1
    for a, b in BRIDGES:
        await service.make_friends(by_email[a], by_email[b])
        made += 1
    admin = by_email.get("admin@example.jp")
    if admin is not None:
        for email in ("hanako@example.jp", "kenji@example.jp", "emma@example.com"):
            await service.make_friends(admin, by_email[email])

    # Requests waiting for an answer (the badge), one of them through the real flow.
    emma = by_email["emma@example.com"]
    for email, message in [
        ("makoto@example.jp", "はじめまして！雪まつりの日記、楽しく読みました。"),
        ("mei@example.com", "Hi Hanako! I loved your ramen photos."),
    ]:
        await service.send_request(by_email[email], hanako.id, message, settings)
    await service.send_request(
        by_email["fuyumi@example.jp"], emma.id, "はじめまして、北海道のふゆみです！", settings
    )

    for author, subject, text in INTRODUCTIONS:
        await service.make_friends(by_email[author], by_email[subject])
        await service.write_introduction(by_email[author], by_email[subject].id, text)
    # One member keeps their maimiku list to themselves: the graph draws her alone.
    await service.set_friend_list_hidden(by_email["tomoko@example.jp"], True)
    return (
        f"friends: {len(CIRCLES)} circles of {sum(map(len, circles))} members, {made} maimiku "
        "pairs; "
        "hanako@example.jp has maimiku requests waiting; try /friends/graph"
    )
