"""A believable Ashiato network in the database named by DATABASE_URL, for bench/web.py.

Migrates the database (the site's own migrations), then bulk-loads, with explicit ids:

- --members active members (Japanese and English, one shared password, printed at the end),
  each with a profile row;
- maimiku: power-law counts (Pareto, mean ~20, a few members with hundreds), both
  Friendship rows per pair;
- footprints over the last 30 days (one per visitor per owner per day) and each owner's ledger;
- diaries in the author's language (most public, some for maimiku only) with comments by
  maimiku, the counters on the diary row kept exact;
- communities whose sizes follow Zipf's law, topics with a few replies each, and
  --long-threads threads of 1,000+ replies in the largest community.

Fast paths: on PostgreSQL COPY through asyncpg; on SQLite executemany with one transaction
per batch. The database must be empty of members (a fresh one: `rm var/bench.sqlite3`).
Progress goes to stderr; the table of row counts and, last, one JSON object to stdout.

    DATABASE_URL=sqlite:///var/bench.sqlite3 python bench/seed.py [--members 10000]
        [--seed 2006] [--long-threads 3] [--batch 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

import piccolo.engine.sqlite  # noqa: E402,F401  (registers the date/time adapters for sqlite3)

from ashiato import db  # noqa: E402
from ashiato.accounts.service import password_hasher  # noqa: E402
from ashiato.communities.service.forms import fold  # noqa: E402

PASSWORD = "ashiato-bench"
EMAIL = "member{}@example.jp"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
TOKYO = dt.timezone(dt.timedelta(hours=9))

JA_NICKS = ["はなこ", "けんじ", "みさき", "ﾖｼﾀﾞ", "あいこ", "たろう", "ゆうき", "さくら", "まい"]
EN_NICKS = ["Emma", "David", "Lucy", "Tom", "Grace", "Sam", "Olivia", "Ben", "Chloe", "Max"]
REGIONS_JA = ["東京都", "大阪府", "神奈川県", "北海道", "福岡県", "京都府", "愛知県", "沖縄県"]
REGIONS_EN = ["London", "Vancouver", "Sydney", "Boston", "Kyoto", "Osaka"]
JA_TITLES = ["今日のランチ", "週末の散歩", "桜が咲いた", "DSで遊んだ", "雨の日", "ラーメン二郎"]
EN_TITLES = ["Lunch today", "A walk on Sunday", "Cherry blossoms", "Learning kanji", "Rainy day"]
JA_SENTENCES = [
    "今日は駅前の新しいラーメン屋に行ってきました。",
    "写真を撮りながら川沿いを散歩しました。",
    "マイミクのみんな、元気にしてる？",
    "明日は早起きしないといけないので、もう寝ます。",
    "携帯から日記を書いています。",
    "週末はカフェでのんびり本を読みました。",
]
EN_SENTENCES = [
    "Went to the new ramen place by the station today.",
    "Took pictures along the river on my walk.",
    "How is everyone doing?",
    "I have to get up early tomorrow, so off to bed.",
    "Still learning Japanese one kanji at a time.",
]
JA_COMMENTS = ["いいね！", "おいしそう〜", "今度いっしょに行こう！", "写真見たい！", "おつかれさま"]
EN_COMMENTS = ["Nice!", "Looks delicious", "Let's go together next time!", "Cool :)"]
COMMUNITY_NAMES = ["ラーメン二郎", "Nintendo DS", "写真部", "猫好き", "English café", "東京散歩"]
CATEGORIES = ["food", "games", "hobbies", "animals", "languages", "places"]

# (table, columns) in the order their rows must be written (foreign keys point backwards)
TABLES: dict[str, list[str]] = {
    "member": [
        "id", "pc_email", "pc_verified_at", "password_hash", "nickname", "gender", "region",
        "introduction", "locale", "status", "created_at", "last_login_at",
    ],
    "profile": ["id", "member", "hobbies"],
    "friendship": ["member", "friend", "created_at"],
    "footprint": ["owner", "visitor", "day", "visited_at", "visits"],
    "footprint_ledger": ["owner", "lifetime_footprints"],
    "diary": [
        "id", "author", "title", "body", "visibility", "created_at", "comment_count",
        "last_comment_id", "last_comment_at", "author_seen_comment_id", "source",
    ],
    "diary_comment": ["id", "diary", "author", "body", "created_at"],
    "community": [
        "id", "name", "category", "description", "admin", "member_count", "search_text",
        "created_at",
    ],
    "community_membership": ["community", "member", "role", "joined_at"],
    "topic": [
        "id", "community", "author", "title", "body", "reply_count", "created_at",
        "last_posted_at",
    ],
    "topic_reply": ["topic", "number", "author", "body", "created_at"],
}  # fmt: skip


class Progress:
    """One line on stderr, redrawn at most ten times a second."""

    def __init__(self, total_steps: int) -> None:
        self.total, self.done, self.started, self.drawn = total_steps, 0, time.monotonic(), 0.0

    def step(self, label: str, amount: int = 1) -> None:
        self.done += amount
        now = time.monotonic()
        if now - self.drawn < 0.1 and self.done < self.total:
            return
        self.drawn = now
        share = min(1.0, self.done / max(1, self.total))
        bar = "#" * int(share * 30)
        elapsed = now - self.started
        print(f"\r[{bar:<30}] {share:6.1%} {elapsed:6.1f} s  {label:<24}", end="", file=sys.stderr)

    def close(self) -> None:
        self.total = self.done
        self.step("done", 0)
        print(file=sys.stderr)


class Writer:
    """Buffers rows per table; a full buffer flushes every table in TABLES order."""

    def __init__(self, url: str, batch: int, progress: Progress) -> None:
        self.url, self.batch, self.progress = url, batch, progress
        self.buffers: dict[str, list[tuple]] = {name: [] for name in TABLES}
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.postgres = urlparse(url).scheme in {"postgres", "postgresql"}
        self.connection = None
        self.sqlite: sqlite3.Connection | None = None

    async def open(self) -> None:
        if self.postgres:
            import asyncpg

            self.connection = await asyncpg.connect(self.url)
        else:
            self.sqlite = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            self.sqlite.execute("PRAGMA synchronous=OFF")
            self.sqlite.execute("PRAGMA cache_size=-200000")

    async def add(self, table: str, row: tuple) -> None:
        self.buffers[table].append(row)
        if len(self.buffers[table]) >= self.batch:
            await self.flush()

    async def add_many(self, table: str, rows: Iterable[tuple]) -> None:
        for row in rows:
            await self.add(table, row)

    async def flush(self) -> None:
        for table, rows in self.buffers.items():
            if not rows:
                continue
            columns = TABLES[table]
            if self.postgres:
                await self.connection.copy_records_to_table(table, records=rows, columns=columns)
            else:
                marks = ", ".join("?" * len(columns))
                with self.sqlite:  # one transaction per batch
                    self.sqlite.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                    )
            self.counts[table] += len(rows)
            self.progress.step(table, len(rows))
            rows.clear()

    async def close(self) -> None:
        await self.flush()
        if self.postgres:
            for table in TABLES:
                if "id" in TABLES[table] or table in {"friendship", "footprint"}:
                    await self.connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST(1, (SELECT max(id) FROM {table})))"
                    )
                await self.connection.execute(f"ANALYZE {table}")
            await self.connection.close()
        else:
            self.sqlite.execute("ANALYZE")
            self.sqlite.close()


def power_law(rng: random.Random, mean: float, cap: int) -> int:
    """Pareto with shape 2 (its mean is twice its minimum): many small, a few huge."""
    return max(1, min(cap, int(rng.paretovariate(2.0) * mean / 2)))


def friend_pairs(members: int, rng: random.Random) -> set[tuple[int, int]]:
    """The configuration model over power-law degrees: pairs (low, high), no self-loops."""
    stubs: list[int] = []
    for member in range(1, members + 1):
        stubs.extend([member] * power_law(rng, 20, max(1, min(2000, members // 4))))
    rng.shuffle(stubs)
    pairs = set()
    for a, b in zip(stubs[::2], stubs[1::2], strict=False):
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    return pairs


def moment(rng: random.Random, days: float = 30) -> dt.datetime:
    return NOW - dt.timedelta(seconds=rng.uniform(60, days * 86400))


def prose(rng: random.Random, japanese: bool, sentences: int) -> str:
    pool = JA_SENTENCES if japanese else EN_SENTENCES
    return "\n".join(rng.choice(pool) for _ in range(sentences))


async def seed(url: str, members: int, seed_value: int, long_threads: int, batch: int) -> dict:
    rng = random.Random(seed_value)
    started = time.perf_counter()
    engine = db.configure(url)
    await db.migrate(engine)
    password_hash = password_hasher("RFC_9106_LOW_MEMORY").hash(PASSWORD)

    print("drawing the maimiku graph…", file=sys.stderr)
    pairs = friend_pairs(members, rng)
    friends: list[list[int]] = [[] for _ in range(members + 1)]
    for a, b in pairs:
        friends[a].append(b)
        friends[b].append(a)
    japanese = [False] + [rng.random() < 0.8 for _ in range(members)]
    # the rough number of rows, for the progress bar
    estimate = members * (2 + 1 + 12 + 1 + 3 * 3) + 2 * len(pairs) + 1200 * long_threads
    progress = Progress(estimate)
    writer = Writer(url, batch, progress)
    await writer.open()

    for member in range(1, members + 1):
        ja = japanese[member]
        nick = rng.choice(JA_NICKS if ja else EN_NICKS)
        await writer.add(
            "member",
            (
                member, EMAIL.format(member), NOW, password_hash, f"{nick}{member}",
                rng.choice(["female", "male", ""]),
                rng.choice(REGIONS_JA if ja else REGIONS_EN),
                prose(rng, ja, 2), "ja" if ja else "en", "active",
                moment(rng, 900), moment(rng, 7),
            ),
        )  # fmt: skip
        await writer.add("profile", (member, member, "写真、散歩" if ja else "photos, walks"))
    for a, b in pairs:
        at = moment(rng, 700)
        await writer.add("friendship", (a, b, at))
        await writer.add("friendship", (b, a, at))

    # footprints: maimiku and strangers, one per visitor per day
    for owner in range(1, members + 1):
        seen: set[tuple[int, dt.date]] = set()
        for _ in range(power_law(rng, 12, 300)):
            pool = friends[owner]
            visitor = rng.choice(pool) if pool and rng.random() < 0.6 else rng.randint(1, members)
            at = moment(rng)
            day = at.astimezone(TOKYO).date()
            if visitor == owner or (visitor, day) in seen:
                continue
            seen.add((visitor, day))
            await writer.add("footprint", (owner, visitor, day, at, rng.randint(1, 3)))
        await writer.add("footprint_ledger", (owner, len(seen)))

    # diaries with comments by maimiku (counters on the diary row match the comments)
    diary_id = comment_id = 0
    for author in range(1, members + 1):
        ja = japanese[author]
        for _ in range(power_law(rng, 3, 200) - 1 + (rng.random() < 0.5)):
            diary_id += 1
            created = moment(rng, 365)
            comments = []
            pool = friends[author] or [author]
            for _ in range(min(40, power_law(rng, 3, 40)) - 1):
                comment_id += 1
                commenter = rng.choice(pool)
                text = rng.choice(JA_COMMENTS if japanese[commenter] else EN_COMMENTS)
                at = min(NOW, created + dt.timedelta(minutes=rng.randint(1, 4000)))
                comments.append((comment_id, diary_id, commenter, text, at))
            comments.sort(key=lambda row: row[4])
            last_id, last_at = (comments[-1][0], comments[-1][4]) if comments else (0, None)
            visibility = "friends" if rng.random() < 0.2 else "everyone"
            title = rng.choice(JA_TITLES if ja else EN_TITLES)
            await writer.add(
                "diary",
                (
                    diary_id, author, title, prose(rng, ja, rng.randint(2, 8)), visibility,
                    created, len(comments), last_id, last_at, last_id, "web",
                ),
            )  # fmt: skip
            await writer.add_many("diary_comment", comments)

    # communities with Zipf sizes, topics, and a few very long threads in the largest one
    community_count = max(1, members // 100)
    largest = max(2, members // 5)
    topic_id = 0
    long_topics: list[int] = []
    for community in range(1, community_count + 1):
        size = max(2, min(members, largest // community))
        people = rng.sample(range(1, members + 1), size)
        name = f"{COMMUNITY_NAMES[community % len(COMMUNITY_NAMES)]} {community}"
        description = prose(rng, True, 2)
        created = moment(rng, 800)
        await writer.add(
            "community",
            (
                community, name, CATEGORIES[community % len(CATEGORIES)], description,
                people[0], size, fold(f"{name}\n{description}"), created,
            ),
        )  # fmt: skip
        for index, person in enumerate(people):
            role = "sub_admin" if 0 < index < 3 else "member"
            await writer.add("community_membership", (community, person, role, created))
        threads = [rng.randint(0, 12) for _ in range(1 + size // 40)]
        if community == 1:
            threads += [1000 + rng.randint(0, 500) for _ in range(long_threads)]
        for replies in threads:
            topic_id += 1
            if replies >= 1000:
                long_topics.append(topic_id)
            at = moment(rng, 300)
            last = at
            for number in range(1, replies + 1):
                last = min(NOW, last + dt.timedelta(seconds=rng.randint(10, 3000)))
                author = rng.choice(people)
                body = rng.choice(JA_COMMENTS if japanese[author] else EN_COMMENTS)
                await writer.add("topic_reply", (topic_id, number, author, body, last))
            await writer.add(
                "topic",
                (
                    topic_id, community, rng.choice(people), rng.choice(JA_TITLES),
                    prose(rng, True, 3), replies, at, last,
                ),
            )  # fmt: skip
    await writer.close()
    progress.close()
    took = time.perf_counter() - started

    print(f"\n{'table':<24}{'rows':>12}")
    for table, count in writer.counts.items():
        print(f"{table:<24}{count:>12,}")
    print(f"\n{took:.1f} s. Every member's password: {PASSWORD}")
    print("log in as: " + ", ".join(EMAIL.format(i) for i in (1, 2, 3, members)))
    if long_topics:
        print(f"long threads: /communities/1/topics/{', '.join(map(str, long_topics))}")
    return {
        "bench": "seed",
        "database": "postgresql" if writer.postgres else "sqlite",
        "members": members,
        "seconds": round(took, 1),
        "password": PASSWORD,
        "long_topics": long_topics,
        **{f"{table}_rows": count for table, count in writer.counts.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2006, help="random seed (same data each run)")
    parser.add_argument("--long-threads", type=int, default=3, help="threads of 1,000+ replies")
    parser.add_argument("--batch", type=int, default=20_000, help="rows per insert batch")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "sqlite:///var/bench.sqlite3")
    if args.members < 10:
        raise SystemExit("--members must be at least 10")
    figures = asyncio.run(seed(url, args.members, args.seed, args.long_threads, args.batch))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
