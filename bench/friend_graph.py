"""The maimiku graph at scale: opening a face and the shortest chain, on PostgreSQL.

Builds a scratch database (default ashiato_bench_graph) beside --postgres with the site's
migrations, loads --members members with --degree maimiku each (both Friendship rows per
pair, so 1,000,000 × 20 = 20,000,000 rows for 10,000,000 friendships) by COPY, builds the
indexes afterwards, then times the site's own service calls:

- open: the explorer's first page (the viewer and their maimiku) — service.explore;
- expand: opening a face shown on the graph — service.explore(expand=…);
- chain4: "how am I connected to X" when X is 4 steps away — service.shortest_chain;
- chain_random: the same for a random member (mostly 5 steps away at this size).

The graph: members on a shuffled ring, each linked to the 3 nearest on either side (circles
of friends that overlap) and to 7 more at fixed random distances both ways (the small
world): every member has exactly --degree maimiku, 1% hide their list. Prints a table and,
as its last line, one JSON object of the figures.

    python bench/friend_graph.py [--members 1000000] [--degree 20] [--samples 200]
                                 [--reuse] [--drop] [--postgres URL] [--database NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

from ashiato import db  # noqa: E402
from ashiato.accounts.tables import Member  # noqa: E402
from ashiato.friends import queries, service  # noqa: E402

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
NEAR = 3  # ring neighbours on each side: overlapping circles of friends
HIDDEN_SHARE = 0.01


def url_for(maintenance: str, database: str) -> str:
    return urlunparse(urlparse(maintenance)._replace(path=f"/{database}"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def offsets_for(members: int, degree: int, rng: random.Random) -> list[int]:
    """Distances along the ring: 1..NEAR and random far ones, all distinct and below n/2."""
    if degree % 2 or degree < 2 * NEAR:
        raise SystemExit(f"--degree must be even and at least {2 * NEAR}")
    if members <= 4 * degree:
        raise SystemExit("--members is too small for this degree")
    chosen = list(range(1, NEAR + 1))
    while len(chosen) < degree // 2:
        far = rng.randrange(NEAR + 1, members // 2)
        if far not in chosen:
            chosen.append(far)
    return chosen


def friendship_rows(ring: list[int], offsets: list[int]) -> Iterator[tuple[int, int]]:
    size = len(ring)
    for index, member in enumerate(ring):
        for offset in offsets:
            friend = ring[(index + offset) % size]
            yield (member, friend)
            yield (friend, member)


async def generate(maintenance: str, database: str, members: int, degree: int) -> float:
    """A fresh scratch database with the graph in it; returns the seconds it took."""
    import asyncpg

    started = time.perf_counter()
    admin = await asyncpg.connect(maintenance)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    url = url_for(maintenance, database)
    engine = db.configure(url)
    await db.migrate(engine)
    print(f"  migrated                      {time.perf_counter() - started:7.1f} s", flush=True)

    rng = random.Random(2006)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SET maintenance_work_mem = '1GB'")
        await connection.execute("SET max_parallel_maintenance_workers = 2")
        superuser = await connection.fetchval(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if superuser:  # no per-row foreign-key triggers while loading rows we know are valid
            await connection.execute("SET session_replication_role = replica")
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'friendship' AND indexname <> 'friendship_pkey'"
        )
        for row in indexes:
            await connection.execute(f'DROP INDEX "{row["indexname"]}"')
        await connection.execute("ALTER TABLE friendship DROP CONSTRAINT friendship_pkey")

        await connection.copy_records_to_table(
            "member",
            records=((i, f"m{i}", "!", "active") for i in range(1, members + 1)),
            columns=["id", "nickname", "password_hash", "status"],
        )
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('member', 'id'), $1)", members
        )
        print(f"  {members:,} members         {time.perf_counter() - started:7.1f} s", flush=True)

        ring = list(range(1, members + 1))
        rng.shuffle(ring)
        offsets = offsets_for(members, degree, rng)
        await connection.copy_records_to_table(
            "friendship", records=friendship_rows(ring, offsets), columns=["member", "friend"]
        )
        print(
            f"  {members * degree:,} friendship rows  {time.perf_counter() - started:7.1f} s",
            flush=True,
        )
        hidden = rng.sample(range(1, members + 1), int(members * HIDDEN_SHARE))
        await connection.copy_records_to_table(
            "friend_settings",
            records=((member, True) for member in hidden),
            columns=["member", "hide_friend_list"],
        )
        await connection.execute(
            "ALTER TABLE friendship ADD CONSTRAINT friendship_pkey PRIMARY KEY (id)"
        )
        for row in indexes:
            await connection.execute(row["indexdef"])
        print(f"  indexes built                 {time.perf_counter() - started:7.1f} s", flush=True)
        await connection.execute("VACUUM ANALYZE member")
        await connection.execute("VACUUM ANALYZE friendship")
        await connection.execute("VACUUM ANALYZE friend_settings")
        print(f"  vacuumed and analysed         {time.perf_counter() - started:7.1f} s", flush=True)
    finally:
        await connection.close()
    return time.perf_counter() - started


async def existing_size(maintenance: str, database: str) -> tuple[int, int] | None:
    import asyncpg

    try:
        connection = await asyncpg.connect(url_for(maintenance, database))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        members = await connection.fetchval("SELECT count(*) FROM member")
        rows = await connection.fetchval(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'friendship'"
        )
        return members, rows
    finally:
        await connection.close()


async def timed(call) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = await call
    return (time.perf_counter() - started) * 1000, result


async def walk(start: int, steps: int, rng: random.Random) -> int:
    """A member at most `steps` maimiku away (a random walk that does not step back)."""
    node, previous = start, None
    for _ in range(steps):
        choices = [f for f in await queries.friend_ids(node) if f != previous]
        node, previous = rng.choice(choices), node
    return node


async def measure(url: str, members: int, samples: int) -> dict[str, list[float]]:
    engine = db.configure(url)
    await db.start(engine, pool_size=4)
    rng = random.Random(7)
    times: dict[str, list[float]] = {
        "open": [],
        "expand": [],
        "chain4": [],
        "chain_random": [],
    }
    try:
        # warm the pool and the plan caches
        for _ in range(5):
            await queries.friend_pairs_of_many([rng.randint(1, members)])
        viewers = await Member.objects().where(
            Member.id.is_in([rng.randint(1, members) for _ in range(samples)])
        )
        for viewer in viewers:
            took, graph = await timed(service.explore(viewer, service.GraphState()))
            times["open"].append(took)
            state = graph.state
            for _ in range(2):  # a maimiku, then one of theirs
                shown = [n.member.id for n in graph.nodes if not n.opened]
                if not shown:
                    break
                took, graph = await timed(service.explore(viewer, state, expand=rng.choice(shown)))
                times["expand"].append(took)
                state = graph.state
        by_id = {viewer.id: viewer for viewer in viewers}
        sources = list(by_id)
        attempts = 0
        while len(times["chain4"]) < samples and attempts < samples * 20:
            attempts += 1
            viewer = by_id[rng.choice(sources)]
            target = await walk(viewer.id, 4, rng)
            took, chain = await timed(service.shortest_chain(viewer, target))
            if chain is not None and len(chain) == 5:
                times["chain4"].append(took)
        for _ in range(samples):
            viewer = by_id[rng.choice(sources)]
            took, _chain = await timed(service.shortest_chain(viewer, rng.randint(1, members)))
            times["chain_random"].append(took)
    finally:
        await db.stop(engine)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--degree", type=int, default=20, help="maimiku per member (even)")
    parser.add_argument("--samples", type=int, default=200, help="timed calls of each kind")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="maintenance database URL")
    parser.add_argument("--database", default="ashiato_bench_graph", help="scratch database")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the scratch database if it has --members members"
    )
    parser.add_argument("--drop", action="store_true", help="drop the scratch database afterwards")
    args = parser.parse_args()

    generate_s = 0.0
    size = await existing_size(args.postgres, args.database) if args.reuse else None
    if size is None or size[0] != args.members:
        print(f"generating {args.members:,} members × {args.degree} maimiku into {args.database}")
        generate_s = await generate(args.postgres, args.database, args.members, args.degree)
    else:
        print(f"reusing {args.database}: {size[0]:,} members, ~{size[1]:,} friendship rows")
    times = await measure(url_for(args.postgres, args.database), args.members, args.samples)

    print()
    print(f"{'operation':<14}{'calls':>7}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}")
    figures: dict[str, object] = {
        "bench": "friend_graph",
        "members": args.members,
        "friendships": args.members * args.degree // 2,
        "friendship_rows": args.members * args.degree,
        "generate_s": round(generate_s, 1),
    }
    for name, values in times.items():
        if not values:
            continue
        median, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"{name:<14}{len(values):>7}{median:>12.1f}{p95:>10.1f}{max(values):>10.1f}")
        figures[f"{name}_calls"] = len(values)
        figures[f"{name}_median_ms"] = round(median, 2)
        figures[f"{name}_p95_ms"] = round(p95, 2)
    if args.drop:
        import asyncpg

        admin = await asyncpg.connect(args.postgres)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        finally:
            await admin.close()
        print(f"dropped {args.database}")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
