"""Query plans of the two footprint hot paths, on SQLite and on PostgreSQL.

A profile view runs "the latest visitors of X" (on the owner's 足あと page) and the footprint
upsert (INSERT … ON CONFLICT (owner, visitor, day) DO UPDATE). Both must be index reads:
the first a backwards range on footprint_owner_recent that never touches the table (index
only), the second a conflict check on the unique index footprint_owner_visitor_day. This
script fills a scratch database with footprints, prints each plan and a few timings, and
ends with one JSON line of its figures.

SQLite always runs (a temp file). PostgreSQL runs when --postgres (default
postgres://postgres@127.0.0.1:5432/postgres) answers: a scratch database is created beside
it and dropped afterwards. The plans are of the very queries the site runs
(ashiato.footprints.queries.recent_visitors_query / upsert_footprint_query).

    python bench/footprint_plans.py [--owners 500] [--per-owner 100] [--postgres URL|none]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from piccolo.querystring import QueryString

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

from ashiato import db  # noqa: E402
from ashiato.accounts.tables import Member  # noqa: E402
from ashiato.footprints import queries  # noqa: E402
from ashiato.footprints.tables import Footprint  # noqa: E402

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
RECENT_INDEX = "footprint_owner_recent"
UPSERT_INDEX = "footprint_owner_visitor_day"


@dataclass
class Plans:
    engine: str
    recent: list[str] = field(default_factory=list)
    upsert: list[str] = field(default_factory=list)
    recent_index: str = ""  # the index the recent-visitors read uses ("" = none)
    recent_index_only: bool = False  # read from the index alone (no table access)
    # A sort step above the join: PostgreSQL picks it when an owner has fewer footprints than
    # the limit (all of them are read anyway); with more, the index order serves the LIMIT.
    recent_sorts: bool = False
    upsert_index: str = ""  # the unique index the upsert checks conflicts on
    upsert_scans_table: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.recent_index == RECENT_INDEX
            and self.recent_index_only
            and self.upsert_index == UPSERT_INDEX
            and not self.upsert_scans_table
        )


async def fill(owners: int, per_owner: int) -> None:
    """`owners` members with `per_owner` footprints each, over the last 90 days."""
    start = dt.datetime.now(dt.UTC)
    batch = [
        Member(pc_email=f"bench{n}@example.jp", nickname=f"m{n}", password_hash="!")
        for n in range(owners + per_owner)
    ]
    for i in range(0, len(batch), 500):
        await Member.insert(*batch[i : i + 500])
    ids = [row["id"] for row in await Member.select(Member.id).order_by(Member.id)]
    rows = []
    for o, owner in enumerate(ids[:owners]):
        for v in range(per_owner):
            visitor = ids[(o + v + 1) % len(ids)]
            at = start - dt.timedelta(minutes=(o * 7 + v * 131) % (90 * 24 * 60))
            rows.append(Footprint(owner=owner, visitor=visitor, day=at.date(), visited_at=at))
    for i in range(0, len(rows), 1000):
        await Footprint.insert(*rows[i : i + 1000])


async def _raw(sql: str, *inner: QueryString) -> list[dict]:
    return await db.current_engine().run_querystring(QueryString(sql, *inner))


def _sample_queries(owner_id: int, visitor_id: int):  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    recent = queries.recent_visitors_query(owner_id, 30)
    upsert = queries.upsert_footprint_query(owner_id, visitor_id, now.date(), now)
    return recent, upsert


async def sqlite_plans(owner_id: int, visitor_id: int) -> Plans:
    plans = Plans(engine="sqlite")
    recent, upsert = _sample_queries(owner_id, visitor_id)
    rows = await _raw("EXPLAIN QUERY PLAN {}", recent.querystrings[0])
    plans.recent = [row["detail"] for row in rows]
    for line in plans.recent:
        if line.startswith("SEARCH footprint USING") and " INDEX " in line:
            plans.recent_index = line.split(" INDEX ")[1].split()[0]
            plans.recent_index_only = "COVERING INDEX" in line
        if "TEMP B-TREE" in line:
            plans.recent_sorts = True
    # EXPLAIN QUERY PLAN says nothing about an INSERT; its bytecode does: which b-trees it
    # opens, and which index the NoConflict (uniqueness) check probes.
    roots = {
        row["rootpage"]: row["name"]
        for row in await _raw("SELECT name, rootpage, type FROM sqlite_master")
    }
    tables = {
        row["name"] for row in await _raw("SELECT name FROM sqlite_master WHERE type='table'")
    }
    cursors: dict[int, str] = {}
    for op in await _raw("EXPLAIN {}", upsert.querystrings[0]):
        if op["opcode"] in ("OpenRead", "OpenWrite"):
            cursors[op["p1"]] = roots.get(op["p2"], "?")
            kind = "table" if cursors[op["p1"]] in tables else "index"
            purpose = " (foreign key check)" if cursors[op["p1"]] == "member" else ""
            plans.upsert.append(f"{op['opcode']} {kind} {cursors[op['p1']]}{purpose}")
        elif op["opcode"] == "NoConflict":
            plans.upsert_index = cursors.get(op["p1"], "?")
            plans.upsert.append(f"NoConflict probe on {plans.upsert_index} (conflict target)")
        elif op["opcode"] == "Rewind" and cursors.get(op["p1"]) in tables:
            plans.upsert_scans_table = True
            plans.upsert.append(f"Rewind (full scan) of {cursors[op['p1']]}")
    return plans


async def postgres_plans(owner_id: int, visitor_id: int) -> Plans:
    plans = Plans(engine="postgresql")
    recent, upsert = _sample_queries(owner_id, visitor_id)
    plans.recent = [row["QUERY PLAN"] for row in await _raw("EXPLAIN {}", recent.querystrings[0])]
    for line in plans.recent:
        text = line.strip().removeprefix("->").strip()
        if " on footprint" in text and " using " in text and "Index" in text:
            plans.recent_index = text.split(" using ")[1].split()[0]
            plans.recent_index_only = text.startswith("Index Only Scan")
        if text.startswith(("Sort", "Incremental Sort")) and "footprint" in line:
            plans.recent_sorts = True
        if text.startswith("Seq Scan on footprint"):
            plans.recent_index = ""
    plans.upsert = [row["QUERY PLAN"] for row in await _raw("EXPLAIN {}", upsert.querystrings[0])]
    for line in plans.upsert:
        if "Conflict Arbiter Indexes:" in line:
            plans.upsert_index = line.split(":", 1)[1].strip()
        if "Seq Scan" in line:
            plans.upsert_scans_table = True
    return plans


async def timings(owner_id: int, visitor_id: int, runs: int) -> dict[str, float]:
    """Median milliseconds of each hot query (a connection per query, as configured)."""
    recent_ms, upsert_ms = [], []
    for n in range(runs):
        start = time.perf_counter()
        await queries.recent_visitors(owner_id, 30)
        recent_ms.append((time.perf_counter() - start) * 1000)
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(microseconds=n)
        start = time.perf_counter()
        await queries.upsert_footprint(owner_id, visitor_id, moment.date(), moment)
        upsert_ms.append((time.perf_counter() - start) * 1000)
    return {
        "recent_ms": round(statistics.median(recent_ms), 2),
        "upsert_ms": round(statistics.median(upsert_ms), 2),
    }


async def run_on(url: str, owners: int, per_owner: int, runs: int) -> Plans:
    engine = db.configure(url)
    await db.migrate(engine)
    await fill(owners, per_owner)
    owner = (await Member.select(Member.id).order_by(Member.id).first())["id"]
    visitor = owner + 1
    if url.startswith("sqlite"):
        await engine.run_ddl("ANALYZE")
        plans = await sqlite_plans(owner, visitor)
    else:
        await engine.run_ddl("VACUUM ANALYZE")  # the visibility map makes index-only scans
        plans = await postgres_plans(owner, visitor)
    plans.timings = await timings(owner, visitor, runs)
    return plans


def _pg_url(base: str, database: str) -> str:
    return urlunparse(urlparse(base)._replace(path=f"/{database}"))


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def postgres_reachable(url: str) -> bool:
    try:
        await _pg_admin(url, "SELECT 1")
    except Exception:  # refused, unknown host, authentication: PostgreSQL is not here
        return False
    return True


async def run_postgres(url: str, owners: int, per_owner: int, runs: int) -> Plans:
    name = f"ashiato_plans_{uuid.uuid4().hex[:10]}"
    await _pg_admin(url, f'CREATE DATABASE "{name}"')
    try:
        return await run_on(_pg_url(url, name), owners, per_owner, runs)
    finally:
        await _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_plans(plans: Plans) -> None:
    print(f"\n== {plans.engine} ==")
    print("recent visitors (owner = ? ORDER BY visited_at DESC LIMIT 30):")
    for line in plans.recent:
        print(f"  {line}")
    print("footprint upsert (INSERT … ON CONFLICT (owner, visitor, day) DO UPDATE):")
    for line in plans.upsert:
        print(f"  {line}")
    print(f"{'check':<36} {'result'}")
    print(f"{'recent: index':<36} {plans.recent_index or 'NONE'}")
    print(f"{'recent: index only':<36} {plans.recent_index_only}")
    print(f"{'recent: separate sort':<36} {plans.recent_sorts}")
    print(f"{'upsert: conflict index':<36} {plans.upsert_index or 'NONE'}")
    print(f"{'upsert: scans the table':<36} {plans.upsert_scans_table}")
    for name, value in plans.timings.items():
        print(f"{name:<36} {value}")


def figures(found: list[Plans], postgres_note: str) -> dict[str, object]:
    result: dict[str, object] = {"bench": "footprint_plans"}
    for plans in found:
        prefix = "sqlite" if plans.engine == "sqlite" else "postgres"
        result[f"{prefix}_recent_index"] = plans.recent_index
        result[f"{prefix}_recent_index_only"] = plans.recent_index_only
        result[f"{prefix}_upsert_index"] = plans.upsert_index
        result[f"{prefix}_ok"] = plans.ok
        for name, value in plans.timings.items():
            result[f"{prefix}_{name}"] = value
    if postgres_note:
        result["postgres"] = postgres_note
    result["ok"] = all(plans.ok for plans in found)
    return result


async def main(args: argparse.Namespace) -> int:
    found = []
    with tempfile.TemporaryDirectory() as scratch:
        found.append(
            await run_on(
                f"sqlite:///{scratch}/plans.sqlite3", args.owners, args.per_owner, args.runs
            )
        )
    note = ""
    if args.postgres == "none":
        note = "skipped"
    elif await postgres_reachable(args.postgres):
        found.append(await run_postgres(args.postgres, args.owners, args.per_owner, args.runs))
    else:
        note = "unreachable"
    for plans in found:
        print_plans(plans)
    if note:
        print(f"\n== postgresql: {note} ({args.postgres}) ==")
    result = figures(found, note)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Print the query plans of the footprint hot paths on SQLite and PostgreSQL."
    )
    parser.add_argument("--owners", type=int, default=500, help="members with footprints")
    parser.add_argument("--per-owner", type=int, default=100, help="footprints per owner")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each query")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="maintenance URL for a scratch database, or 'none' (default: %(default)s)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse_args())))
