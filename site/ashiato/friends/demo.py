"""Demo maimiku: four circles of friends with bridges between them, so the graph explorer
has overlaps and chains to follow; requests waiting for an answer; introductions.

Friendships are made through the service (requests approved, or make_friends as an
accepted invitation does); the extra residents are demo members like the accounts demo's.
"""

from __future__ import annotations

import datetime as dt
import random

from ashiato.accounts import queries as account_queries
from ashiato.accounts import service as accounts
from ashiato.friends import service
from ashiato.members.tables import Member, MemberStatus
from ashiato.settings import Settings

DEMO_PASSWORD = "ashiato-demo"  # as ashiato.demo

# Each circle: the accounts demo's members who belong to it, and new residents
# (email local part, nickname, locale).
CIRCLES = {
    "東京の写真部 / Tokyo photo club": (
        ["hanako@example.jp", "misaki@example.jp", "david@example.com"],
        [
            ("sakura.t", "さくら", "ja"),
            ("takumi", "たくみ", "ja"),
            ("yui.photo", "ゆい", "ja"),
            ("ren", "れん", "ja"),
            ("kaito", "かいと", "ja"),
            ("nana", "なな", "ja"),
            ("lucas", "Lucas", "en"),
        ],
    ),
    "大阪のエンジニア / Osaka engineers": (
        ["kenji@example.jp"],
        [
            ("shota", "しょうた", "ja"),
            ("daisuke", "だいすけ", "ja"),
            ("mai.dev", "まい", "ja"),
            ("ryo", "りょう", "ja"),
            ("tomoko", "ともこ", "ja"),
            ("priya", "Priya", "en"),
            ("hiro", "ひろ", "ja"),
        ],
    ),
    "京都の英会話 / Kyoto English club": (
        ["emma@example.com", "aiko@example.jp"],
        [
            ("olivia", "Olivia", "en"),
            ("james", "James", "en"),
            ("haruka", "はるか", "ja"),
            ("sota", "そうた", "ja"),
            ("mei", "めい", "en"),
            ("noah", "Noah", "en"),
            ("kana", "かな", "ja"),
        ],
    ),
    "北海道の雪友 / Hokkaido snow friends": (
        ["yoshida@example.jp"],
        [
            ("yuki", "ﾕｳｷ", "ja"),
            ("fuyumi", "ふゆみ", "ja"),
            ("kenta", "けんた", "ja"),
            ("aya", "あや", "ja"),
            ("ethan", "Ethan", "en"),
            ("makoto", "まこと", "ja"),
        ],
    ),
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


def _email(local: str, locale: str) -> str:
    return f"{local}@example.{'com' if locale == 'en' else 'jp'}"


async def _resident(local: str, nickname: str, locale: str, password_hash: str, joined) -> Member:
    return await account_queries.insert_member(
        pc_email=_email(local, locale),
        pc_verified_at=joined,
        password_hash=password_hash,
        nickname=nickname,
        full_name=nickname,
        locale=locale,
        status=MemberStatus.ACTIVE,
        approved_at=joined,
        created_at=joined,
        time_zone="Asia/Tokyo",
    )


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    hanako = await account_queries.member_by_pc_email("hanako@example.jp")
    if hanako is None or await account_queries.member_by_pc_email("lucas@example.com"):
        return ""  # not the accounts demo, or already filled
    rng = random.Random(2006)
    password_hash = accounts.hash_password(DEMO_PASSWORD, settings)
    now = dt.datetime.now(dt.UTC)
    by_email: dict[str, Member] = {}
    circles: list[list[Member]] = []
    for known, residents in CIRCLES.values():
        circle = []
        for email in known:
            member = await account_queries.member_by_pc_email(email)
            if member is not None:
                circle.append(member)
        for local, nickname, locale in residents:
            joined = now - dt.timedelta(days=rng.randint(10, 500))
            circle.append(await _resident(local, nickname, locale, password_hash, joined))
        by_email.update({m.pc_email: m for m in circle if m.pc_email})
        circles.append(circle)

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
    admin = await account_queries.member_by_pc_email("admin@example.jp")
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
    residents = sum(len(r) for _, r in CIRCLES.values())
    return (
        f"friends: {residents} more residents in {len(CIRCLES)} circles, {made} maimiku pairs; "
        "hanako@example.jp has maimiku requests waiting; try /friends/graph"
    )
