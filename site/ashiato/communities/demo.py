"""Demo content of communities: a dozen bilingual communities made through the service,
one with thousands of members and a thread with over a thousand replies.

The crowd (thousands of fans, a thousand replies) is inserted in batches through
queries.py, as a real import would be; everything else goes through the service so the
demo obeys the rules. It takes a few seconds on SQLite.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.commands import CommunityForm, TopicForm
from ashiato.communities.service import communities as community_service
from ashiato.communities.service import events, membership, threads, topics
from ashiato.members.tables import Member, MemberStatus
from ashiato.settings import Settings

FANS = 4100  # ラーメン二郎 (4,1xx), as on the real site
DS_FANS = 2300
LONG_THREAD_REPLIES = 1050

# (key, admin e-mail, name, category, description, join policy, topics public)
COMMUNITIES = [
    (
        "jiro",
        "hanako@example.jp",
        "ラーメン二郎",
        "food",
        "ラーメン二郎を愛する人のコミュニティです。\n"
        "ニンニク入れますか？ 各店舗の情報交換、ロットの話、なんでもどうぞ。\n"
        "For everyone who loves Ramen Jiro.",
        "open",
        True,
    ),
    (
        "ds",
        "kenji@example.jp",
        "Nintendo DS",
        "games",
        "DSで遊んでいる人、集まれ！ フレンドコード交換、通信対戦の相手募集など。\n"
        "Friend codes, local multiplayer and favourite games.",
        "open",
        True,
    ),
    (
        "cats",
        "misaki@example.jp",
        "猫好き集まれ",
        "hobbies",
        "うちの猫自慢、猫カフェ情報、猫グッズ。猫が好きなら誰でも歓迎です。",
        "open",
        True,
    ),
    (
        "cafes",
        "misaki@example.jp",
        "東京カフェめぐり",
        "food",
        "東京のカフェを巡って、おすすめを教え合うコミュニティ。月に一度オフ会をしています。",
        "open",
        True,
    ),
    (
        "hokkaido",
        "yoshida@example.jp",
        "北海道が好き",
        "travel",
        "北海道出身の人も、旅行で行った人も。雪まつり、ジンギスカン、温泉の話など。",
        "open",
        True,
    ),
    (
        "keitai",
        "yoshida@example.jp",
        "携帯で日記を書く会",
        "hobbies",
        "PCを持っていなくても大丈夫。携帯から日記を書いている人の情報交換。絵文字の話も。",
        "open",
        True,
    ),
    (
        "nihongo",
        "emma@example.com",
        "Learning Japanese / 日本語学習",
        "languages",
        "For learners of Japanese at every level: kanji tips, grammar questions, study "
        "partners. 日本語ネイティブの方も歓迎です！",
        "open",
        True,
    ),
    (
        "kyoto",
        "emma@example.com",
        "Kyoto Expats",
        "travel",
        "People from abroad living in Kyoto: housing, paperwork, festivals and where to "
        "find good coffee. Members are approved by the admins.",
        "approval",
        False,
    ),
    (
        "photo",
        "david@example.com",
        "Photography Walks",
        "hobbies",
        "Share a picture from your walk every day. Film or digital, phone or camera.",
        "open",
        True,
    ),
    (
        "sakura",
        "david@example.com",
        "桜と写真 / Cherry Blossoms",
        "hobbies",
        "桜の写真を撮る人のコミュニティ。開花情報と撮影スポット。Blossom forecasts and spots.",
        "open",
        True,
    ),
    (
        "boardgames",
        "aiko@example.jp",
        "Board games & coffee",
        "games",
        "Weekend board game meetups in Kyoto and Osaka. ボードゲーム好きな方、一緒に遊びましょう。",
        "open",
        True,
    ),
    (
        "vancouver",
        "aiko@example.jp",
        "Vancouver ⇄ Japan",
        "languages",
        "Living between Vancouver and Japan: language exchange, travel tips, homesickness. "
        "バンクーバーと日本をつなぐコミュニティ。",
        "open",
        True,
    ),
]

JIRO_LINES = [
    "今日は三田本店に行ってきました。ヤサイマシマシで。",
    "ロットが乱れると怒られるので注意ですね",
    "初めてなんですが、小ラーメンでも多いですか？",
    "小でも普通のラーメンの倍くらいあります",
    "ニンニク入れますか？ の返事がいまだに緊張する",
    "目黒店の行列、今日は短かったです",
    "Went to Mita for the first time. The portion is insane!",
    "麺がうまい。それだけで十分",
    "カラメって何ですか？",
    "カラメは味を濃くするコールです",
    "仙台店が好きな人いますか",
    "Is there a Jiro near Shinjuku station?",
    "歌舞伎町店がありますよ",
    "汁なしが食べたい",
    "豚が分厚くて最高でした",
]


# Simple pictures for a few communities (drawn, so the demo needs no image files).
PICTURES = {
    "jiro": ("#f6c453", "#8b4513"),
    "ds": ("#d9d9d9", "#3a6ea5"),
    "cats": ("#ffe4e1", "#555555"),
    "sakura": ("#fde2ec", "#e75480"),
    "photo": ("#2f4f4f", "#f5f5f5"),
}


def _picture(background: str, figure: str) -> bytes:
    image = Image.new("RGB", (320, 320), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 60, 260, 260), fill=figure)
    draw.ellipse((120, 120, 200, 200), fill=background)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _fan_rows(count: int, password_hash: str, now: dt.datetime, rng: random.Random) -> list:
    rows = []
    for i in range(1, count + 1):
        joined = now - dt.timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
        english = i % 5 == 0
        rows.append(
            {
                "pc_email": f"fan{i:04d}@fans.example.jp",
                "pc_verified_at": joined,
                "password_hash": password_hash,
                "nickname": f"fan{i:04d}" if english else f"ラーメン好き{i:04d}",
                "status": MemberStatus.ACTIVE,
                "locale": "en" if english else "ja",
                "approved_at": joined,
                "created_at": joined,
            }
        )
    return rows


async def fill_demo(settings: Settings) -> str:
    """Add the communities; returns a line for the console."""
    rng = random.Random(2004)
    now = dt.datetime.now(dt.UTC)
    people: dict[str, Member] = await queries.demo_people(
        (
            "hanako@example.jp",
            "kenji@example.jp",
            "misaki@example.jp",
            "yoshida@example.jp",
            "emma@example.com",
            "david@example.com",
            "aiko@example.jp",
            "admin@example.jp",
        )
    )
    if len(people) < 8 or await queries.browse(limit=1):
        return ""

    communities = {}
    for index, (key, admin, name, category, description, policy, public) in enumerate(COMMUNITIES):
        community = await community_service.create_community(
            people[admin],
            CommunityForm(
                name=name,
                category=category,
                description=description,
                join_policy=policy,
                topic_policy="members",
                topics_public="1" if public else "",
            ),
            _picture(*PICTURES[key]) if key in PICTURES else None,
            settings,
        )
        await queries.update_community(
            community.id, created_at=now - dt.timedelta(days=400 - index * 30)
        )
        communities[key] = community

    # The demo people join the communities that fit them.
    memberships = {
        "jiro": ["kenji", "misaki", "yoshida", "david", "admin"],
        "ds": ["hanako", "yoshida", "aiko"],
        "cats": ["hanako", "emma", "aiko"],
        "cafes": ["hanako", "emma", "aiko", "david"],
        "hokkaido": ["hanako", "misaki"],
        "keitai": ["kenji", "hanako"],
        "nihongo": ["aiko", "david", "misaki", "kenji"],
        "photo": ["hanako", "aiko", "misaki"],
        "sakura": ["hanako", "misaki", "emma"],
        "boardgames": ["kenji", "david", "emma"],
        "vancouver": ["david", "emma"],
    }
    by_nick = {email.partition("@")[0]: member for email, member in people.items()}
    for key, nicks in memberships.items():
        for nick in nicks:
            await membership.join(by_nick[nick], communities[key].id)
    await membership.join(
        by_nick["david"], communities["kyoto"].id, "I moved to Kyoto last spring!"
    )

    # The crowd: thousands of fans, in batches. Every demo member has the same password,
    # so the fans share the hash the demo people already have.
    password_hash = people["admin@example.jp"].password_hash
    async with db.transaction():
        fan_ids = await queries.insert_members_in_bulk(_fan_rows(FANS, password_hash, now, rng))
        await queries.add_members_in_bulk(communities["jiro"].id, fan_ids)
        await queries.add_members_in_bulk(communities["ds"].id, fan_ids[:DS_FANS])

    # Topics and replies through the service.
    hanako, kenji, misaki = by_nick["hanako"], by_nick["kenji"], by_nick["misaki"]
    emma, david, aiko, yoshida = (
        by_nick["emma"],
        by_nick["david"],
        by_nick["aiko"],
        by_nick["yoshida"],
    )
    small_threads = [
        (
            "ds",
            kenji,
            "フレンドコード交換スレ",
            "マリオカートDSのフレンドコードを書いていきましょう！",
            [
                (hanako, "よろしくお願いします！ 1234-5678-9012"),
                (aiko, ">>1 登録しました。今夜対戦しましょう"),
                (yoshida, "携帯から失礼します。自分も参加したいです"),
            ],
        ),
        (
            "ds",
            hanako,
            "おいでよ どうぶつの森 の思い出",
            "みなさんの村の名前を教えてください。",
            [(kenji, "うちの村は「なにわ村」です"), (aiko, "Mine is called Sakura village!")],
        ),
        (
            "cats",
            misaki,
            "うちの猫自慢",
            "写真はないけど、うちの猫の可愛いところを語るスレです。",
            [
                (hanako, "寝るときに必ず足の上に乗ってきます"),
                (emma, "My cat learned to open the fridge..."),
            ],
        ),
        (
            "nihongo",
            emma,
            "Kanji study partners",
            "Looking for people to review kanji with every week. I'm working through JLPT N3.",
            [
                (aiko, "I can help! 毎週日曜日はどうですか？"),
                (david, ">>1 Count me in, N4 here."),
                (emma, ">>2 日曜日、いいですね！"),
            ],
        ),
        (
            "photo",
            david,
            "Today's walk",
            "Post where you walked today and what you saw.",
            [
                (hanako, "鴨川沿いを散歩しました。夕焼けがきれいでした"),
                (misaki, "Yokohama harbour, very windy!"),
            ],
        ),
        (
            "hokkaido",
            yoshida,
            "雪まつり2007 情報",
            "今年の雪まつりに行く人、情報交換しましょう。",
            [
                (hanako, "大雪像が楽しみです"),
                (misaki, "寒さ対策はどうしてますか？"),
                (yoshida, ">>2 カイロは必須です！"),
            ],
        ),
        (
            "boardgames",
            aiko,
            "This weekend: Catan in Osaka",
            "Who's in for Saturday afternoon?",
            [(kenji, "行きます！"), (david, "I'll bring Carcassonne too.")],
        ),
    ]
    for key, author, title, body, replies in small_threads:
        topic = await topics.start_topic(
            author, communities[key].id, TopicForm(title=title, body=body)
        )
        for writer, text in replies:
            await threads.post_reply(writer, communities[key].id, topic.id, text)

    # A Saturday off-line meeting (オフ会) with participants.
    local_now = now.astimezone(ZoneInfo(settings.default_time_zone))
    saturday = local_now + dt.timedelta(days=(5 - local_now.weekday()) % 7 + 7)
    meeting = await topics.start_topic(
        misaki,
        communities["cafes"].id,
        TopicForm(
            title="【オフ会】表参道カフェめぐり / Omotesando café walk",
            body="3軒くらい回る予定です。初参加の方も歓迎！ First-timers welcome.",
            is_event="1",
            event_at=saturday.replace(hour=14, minute=0).strftime("%Y-%m-%dT%H:%M"),
            event_place="表参道駅 A2出口 / Omotesando Stn. exit A2",
            event_deadline=(saturday - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    for member in (misaki, hanako, emma, aiko):
        await events.join_event(member, communities["cafes"].id, meeting.id)

    # The long thread: over a thousand replies, in batches.
    jiro = communities["jiro"]
    long_thread = await topics.start_topic(
        hanako,
        jiro.id,
        TopicForm(
            title="二郎 総合スレ Part1",
            body="二郎についてなんでも語りましょう。店舗情報、コール、初心者の質問も歓迎です。",
        ),
    )
    writers = [kenji.id, misaki.id, yoshida.id, david.id, *fan_ids[:300]]
    started = now - dt.timedelta(days=30)
    rows = []
    for number in range(1, LONG_THREAD_REPLIES + 1):
        text = rng.choice(JIRO_LINES)
        if number > 3 and rng.random() < 0.2:
            text = f">>{rng.randint(max(1, number - 20), number - 1)} {text}"
        rows.append(
            {
                "number": number,
                "author": rng.choice(writers),
                "body": text,
                "created_at": started + dt.timedelta(minutes=number * 40),
            }
        )
    async with db.transaction():
        await queries.insert_replies_in_bulk(long_thread.id, rows)
        await queries.update_topic(long_thread.id, last_posted_at=rows[-1]["created_at"])
    await threads.post_reply(hanako, jiro.id, long_thread.id, "1000超えましたね！ Part2を立てます")
    crowd = await queries.member_count(jiro.id)
    return (
        f"demo: {len(COMMUNITIES)} communities; ラーメン二郎 has {crowd:,} members and a "
        f"thread of {LONG_THREAD_REPLIES + 1:,} replies"
    )
