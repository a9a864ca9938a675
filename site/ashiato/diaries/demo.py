"""Demo diaries and comments in both languages, made through the services.

Runs after the accounts demo (its members are looked up by e-mail). Diaries are then dated
back over the last weeks, as a real community's would be; everything else is as written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from PIL import Image, ImageDraw

from ashiato.diaries import queries, service
from ashiato.diaries.service import DiaryDraft
from ashiato.errors import NotFound
from ashiato.friends import service as friends
from ashiato.members.queries import member_by_pc_email
from ashiato.members.tables import Member
from ashiato.settings import Settings

# (author e-mail, days ago, title, body, visibility, photo colours, comments)
# comments: (commenter e-mail, body)
DIARIES = [
    (
        "hanako@example.jp",
        1,
        "ラーメン二郎デビュー",
        "ついに二郎に行ってきました！\n「ニンニク入れますか？」の呪文、緊張した〜。\n"
        "量がすごくて完食できず…次はリベンジします。",
        "everyone",
        [(250, 200, 120), (120, 80, 40)],
        [
            ("kenji@example.jp", "初二郎おめでとう！小ラーメンでも多いよね笑"),
            ("emma@example.com", "That looks huge! I need to try it someday."),
            ("hanako@example.jp", "けんじさん、次は小でいきます！ Emma, let's go together!"),
        ],
    ),
    (
        "hanako@example.jp",
        9,
        "週末の散歩",
        "代々木公園をぐるっと散歩。\n銀杏がきれいに色づいていました。\n写真の練習も兼ねて。",
        "friends",
        [(240, 190, 40)],
        [("misaki@example.jp", "銀杏の季節だね〜。今度カフェも一緒に行こう！")],
    ),
    (
        "kenji@example.jp",
        2,
        "DSで徹夜",
        "新作のゲームが面白すぎて気づいたら朝でした。\n会社では眠気と戦っています…\n"
        "マイミクのみんなはフレンドコード交換しませんか？",
        "friends_of_friends",
        [],
        [
            ("yoshida@example.jp", "ｵﾚもやってます!ﾌﾚｺ交換しましょう"),
            ("david@example.com", "Which game? I just got a DS Lite."),
        ],
    ),
    (
        "misaki@example.jp",
        4,
        "桜カフェめぐり",
        "鎌倉のカフェを三軒はしご。\n二軒目のほうじ茶ラテが最高でした。\n"
        "地図はこちら: https://example.jp/kamakura-cafe",
        "everyone",
        [(250, 190, 200)],
        [
            ("aiko@example.jp", "鎌倉いいね！Next time I'm in Japan I'll visit."),
            ("hanako@example.jp", "ほうじ茶ラテ気になる〜"),
        ],
    ),
    (
        "yoshida@example.jp",
        3,
        "雪",
        "今日も雪。\n携帯から更新してます。\n除雪で腰が痛い…",
        "everyone",
        [],
        [("kenji@example.jp", "お疲れさま！大阪は全然降らないよ")],
    ),
    (
        "emma@example.com",
        5,
        "My first kanji test",
        "I passed the kanji quiz at my school today!\n"
        "My students cheered, which was embarrassing and lovely at the same time.\n"
        "Next goal: reading a menu without pictures.",
        "everyone",
        [],
        [
            ("aiko@example.jp", "Congratulations! おめでとう！"),
            ("hanako@example.jp", "すごい！漢字むずかしいのに！"),
        ],
    ),
    (
        "david@example.com",
        1,
        "Morning light on the harbour",
        "Got up at five for this one.\nThe fog lifted just as the ferry came in.",
        "everyone",
        [(60, 110, 170), (200, 210, 230), (30, 60, 90)],
        [("misaki@example.jp", "Beautiful colors! 朝焼けきれい。")],
    ),
    (
        "aiko@example.jp",
        6,
        "Between Kyoto and Seattle / 京都とシアトル",
        "Back in Seattle for the winter. I miss Kyoto's temples already.\n"
        "シアトルに戻りました。もう京都のお寺が恋しいです。",
        "friends_of_friends",
        [],
        [("emma@example.com", "Come back soon! Kyoto misses you too.")],
    ),
    (
        "aiko@example.jp",
        12,
        "Private notes",
        "Things to translate this week: two manuals, one wedding speech.",
        "only_me",
        [],
        [],
    ),
]

# Maimiku the diaries above need for their friends-only comments (make_friends is
# idempotent, so the friends demo may make them too).
FRIENDS = [
    ("hanako@example.jp", "misaki@example.jp"),
    ("hanako@example.jp", "kenji@example.jp"),
    ("kenji@example.jp", "yoshida@example.jp"),
    ("kenji@example.jp", "david@example.com"),
    ("emma@example.com", "aiko@example.jp"),
    ("hanako@example.jp", "emma@example.com"),
]


def demo_photo(color: tuple[int, int, int], number: int) -> bytes:
    """A simple made-up picture (no camera, no metadata to leak)."""
    image = Image.new("RGB", (480, 360), color)
    draw = ImageDraw.Draw(image)
    for step in range(6):
        shade = tuple(max(0, c - 25 * step) for c in color)
        draw.ellipse((40 + step * 50, 200 - step * 20, 160 + step * 50, 320 - step * 20), shade)
    draw.rectangle((0, 330, 480, 360), fill=(255, 255, 255))
    draw.text((10, 335), f"ashiato demo #{number}", fill=(80, 80, 80))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


async def _members() -> dict[str, Member]:
    emails = {entry[0] for entry in DIARIES} | {c[0] for entry in DIARIES for c in entry[6]}
    emails |= {a for a, _b in FRIENDS} | {b for _a, b in FRIENDS}
    found = {email: await member_by_pc_email(email) for email in sorted(emails)}
    return {email: member for email, member in found.items() if member is not None}


async def fill_demo(settings: Settings) -> str:
    """Add demo diaries (some with photos) and comments; returns a console line."""
    members = await _members()
    for a, b in FRIENDS:
        if a in members and b in members:
            await friends.make_friends(members[a], members[b])
    now = dt.datetime.now(dt.UTC)
    diaries = comments = photos = 0
    for number, (email, days, title, body, visibility, colors, replies) in enumerate(DIARIES):
        author = members.get(email)
        if author is None:
            continue
        pictures = await asyncio.to_thread(
            lambda colors=colors, number=number: [
                demo_photo(c, number * 10 + n) for n, c in enumerate(colors)
            ]
        )
        draft = DiaryDraft(title=title, body=body, visibility=visibility, photos=pictures)
        diary = await service.create_diary(author, draft, settings)
        await queries.update_diary(diary.id, created_at=now - dt.timedelta(days=days, hours=3))
        diaries += 1
        photos += len(pictures)
        for commenter_email, text in replies:
            commenter = members.get(commenter_email)
            if commenter is None:
                continue
            try:
                await service.add_comment(commenter, diary.id, text, settings)
            except NotFound:  # outside the diary's audience in this community after all
                continue
            comments += 1
    return f"demo: {diaries} diaries ({photos} photos), {comments} comments"
