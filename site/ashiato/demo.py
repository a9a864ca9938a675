"""A believable bilingual demo community for `ashiato serve --demo` (empty databases only).

Every member's password is DEMO_PASSWORD. Later features add their own demo content
from here, through their services, so the demo always obeys the rules.
"""

from __future__ import annotations

import datetime as dt
import random

from ashiato.accounts import queries as account_queries
from ashiato.accounts import service as accounts
from ashiato.accounts.forms import InvitationForm
from ashiato.features import FEATURES
from ashiato.members.tables import Member, MemberStatus
from ashiato.settings import Settings

DEMO_PASSWORD = "ashiato-demo"
ADMIN_EMAIL = "admin@example.jp"

# (email, nickname, name, gender, region, locale, introduction)
PEOPLE = [
    (
        "hanako@example.jp",
        "はなこ",
        "佐藤 花子",
        "female",
        "東京都",
        "ja",
        "ラーメンと写真が好きです。週末はよく散歩しています。",
    ),
    (
        "kenji@example.jp",
        "けんじ",
        "田中 健二",
        "male",
        "大阪府",
        "ja",
        "関西在住のエンジニア。DSで遊ぶのが日課です。マイミク募集中！",
    ),
    (
        "misaki@example.jp",
        "みさき",
        "大野 美咲",
        "female",
        "神奈川県",
        "ja",
        "桜の季節が一番好き。カフェめぐりの日記を書いています。",
    ),
    (
        "yoshida@example.jp",
        "ﾖｼﾀﾞ",
        "吉田 和也",
        "male",
        "北海道",
        "ja",
        "携帯から日記を書いてます。雪国より。",
    ),
    (
        "emma@example.com",
        "Emma",
        "Emma Clarke",
        "female",
        "London",
        "en",
        "Teaching English in Kyoto. Learning Japanese one kanji at a time.",
    ),
    (
        "david@example.com",
        "David",
        "David Kim",
        "male",
        "Vancouver",
        "en",
        "Photographer. I post a picture from my walks every day.",
    ),
    (
        "aiko@example.jp",
        "あいこ",
        "Aiko Tanaka",
        "female",
        "Kyoto",
        "en",
        "Bilingual, living between Kyoto and Seattle. Happy to help with translations!",
    ),
]

# More residents, in the circles of friends the friends demo draws: (address, nickname,
# locale). Made here with the first members, as features add content, not members.
RESIDENTS = [
    ("sakura.t@example.jp", "さくら", "ja"),
    ("takumi@example.jp", "たくみ", "ja"),
    ("yui.photo@example.jp", "ゆい", "ja"),
    ("ren@example.jp", "れん", "ja"),
    ("kaito@example.jp", "かいと", "ja"),
    ("nana@example.jp", "なな", "ja"),
    ("lucas@example.com", "Lucas", "en"),
    ("shota@example.jp", "しょうた", "ja"),
    ("daisuke@example.jp", "だいすけ", "ja"),
    ("mai.dev@example.jp", "まい", "ja"),
    ("ryo@example.jp", "りょう", "ja"),
    ("tomoko@example.jp", "ともこ", "ja"),
    ("priya@example.com", "Priya", "en"),
    ("hiro@example.jp", "ひろ", "ja"),
    ("olivia@example.com", "Olivia", "en"),
    ("james@example.com", "James", "en"),
    ("haruka@example.jp", "はるか", "ja"),
    ("sota@example.jp", "そうた", "ja"),
    ("mei@example.com", "めい", "en"),
    ("noah@example.com", "Noah", "en"),
    ("kana@example.jp", "かな", "ja"),
    ("yuki@example.jp", "ﾕｳｷ", "ja"),
    ("fuyumi@example.jp", "ふゆみ", "ja"),
    ("kenta@example.jp", "けんた", "ja"),
    ("aya@example.jp", "あや", "ja"),
    ("ethan@example.com", "Ethan", "en"),
    ("makoto@example.jp", "まこと", "ja"),
]


async def _add_residents(rng: random.Random, now: dt.datetime, settings: Settings) -> None:
    password_hash = accounts.hash_password(DEMO_PASSWORD, settings)  # one hash serves all
    for email, nickname, locale in RESIDENTS:
        joined = now - dt.timedelta(days=rng.randint(10, 500))
        await account_queries.insert_member(
            pc_email=email,
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
    """Create the demo community unless the database already has members."""
    if await Member.count() > 0:
        return "demo: the database already has members; nothing added"
    rng = random.Random(2006)
    admin = await accounts.create_founder(ADMIN_EMAIL, DEMO_PASSWORD, "管理人", settings)
    await account_queries.update_member(
        admin.id, introduction="Ashiatoの管理人です。The administrator of this demo.", locale="ja"
    )
    now = dt.datetime.now(dt.UTC)
    inviter = admin
    for email, nickname, name, gender, region, locale, introduction in PEOPLE:
        joined = now - dt.timedelta(days=rng.randint(30, 600))
        member = await account_queries.insert_member(
            pc_email=email,
            pc_verified_at=joined,
            password_hash=accounts.hash_password(DEMO_PASSWORD, settings),
            nickname=nickname,
            full_name=name,
            gender=gender,
            region=region,
            locale=locale,
            introduction=introduction,
            birth_date=dt.date(rng.randint(1970, 2000), rng.randint(1, 12), rng.randint(1, 28)),
            invited_by=inviter.id,
            status=MemberStatus.ACTIVE,
            approved_at=joined,
            created_at=joined,
            time_zone=settings.default_time_zone,
        )
        inviter = rng.choice([admin, member])
    await _add_residents(rng, now, settings)
    hanako = await account_queries.member_by_pc_email("hanako@example.jp")
    assert hanako is not None
    pending = await accounts.invite(
        hanako, InvitationForm("friend@example.jp", "一緒にやろうよ！ Join us!"), settings
    )
    lines = [
        f"demo: {len(PEOPLE) + len(RESIDENTS) + 1} members; log in as {ADMIN_EMAIL} "
        f"(or hanako@example.jp, emma@example.com …) with the password {DEMO_PASSWORD!r}",
        f"demo: an open invitation: {pending.url}",
    ]
    for feature in FEATURES:
        line = await feature.fill_demo(settings) if feature.fill_demo else None
        if line:
            lines.append(line)
    return "\n".join(lines)
