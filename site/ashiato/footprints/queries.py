"""Every query of footprints and the notebook; nothing else touches these tables.

The two hot queries are built by functions (`upsert_footprint_query`,
`recent_visitors_query`) so bench/footprint_plans.py explains exactly what the site runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict, cast

from piccolo.query.methods.insert import Insert
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from ashiato.footprints.tables import Footprint, FootprintLedger, NotebookEntry


class VisitorRow(TypedDict):
    """A footprint on the owner's page, with the visitor's name and status joined."""

    visitor_id: int
    visited_at: dt.datetime
    nickname: str
    status: str


class NotebookRow(TypedDict):
    """A notebook entry with the writer's name and status joined."""

    id: int
    writer_id: int
    body: str
    created_at: dt.datetime
    nickname: str
    status: str


@dataclass(frozen=True)
class Ledger:
    """An owner's counters; an owner without a ledger row has these defaults."""

    lifetime_footprints: int = 0
    footprints_seen_at: dt.datetime | None = None
    notebook_seen_at: dt.datetime | None = None


# -- footprints -------------------------------------------------------------------------


def upsert_footprint_query(owner_id: int, visitor_id: int, day: dt.date, at: dt.datetime) -> Insert:
    """One statement: a new footprint, or the day's footprint moved forward to `at`.

    Returns [{"visits": 1}] for a new footprint, a larger number for a repeat visit, and
    nothing when a later visit of that day is already stored (writes may land out of order).
    """
    return (
        Footprint.insert(
            Footprint(owner=owner_id, visitor=visitor_id, day=day, visited_at=at, visits=1)
        )
        .on_conflict(
            target=(Footprint.owner, Footprint.visitor, Footprint.day),
            action="DO UPDATE",
            values=[
                Footprint.visited_at,  # = EXCLUDED.visited_at
                # Qualified: PostgreSQL finds a bare "visits" ambiguous with EXCLUDED's.
                (Footprint.visits, QueryString('"footprint"."visits" + 1')),
            ],
            where=Footprint.visited_at < at,
        )
        .returning(Footprint.visits)
    )


async def upsert_footprint(owner_id: int, visitor_id: int, day: dt.date, at: dt.datetime) -> int:
    """Visits of that day after this one (1: a new footprint; 0: an older, ignored write)."""
    rows = await upsert_footprint_query(owner_id, visitor_id, day, at)
    return rows[0]["visits"] if rows else 0


def recent_visitors_query(owner_id: int, limit: int) -> Select:
    """The owner's latest footprints with the visitor's name: the covering index
    footprint_owner_recent read backwards, then the member by primary key."""
    return (
        Footprint.select(
            Footprint.visitor.as_alias("visitor_id"),
            Footprint.visited_at,
            Footprint.visitor.nickname.as_alias("nickname"),
            Footprint.visitor.status.as_alias("status"),
        )
        .where(Footprint.owner == owner_id)
        .order_by(Footprint.visited_at, ascending=False)
        .limit(limit)
    )


async def recent_visitors(owner_id: int, limit: int) -> list[VisitorRow]:
    return cast("list[VisitorRow]", await recent_visitors_query(owner_id, limit))


async def footprints_since(owner_id: int, since: dt.datetime | None, cap: int) -> int:
    """How many footprints arrived after `since`, counted up to `cap` (a badge shows "99+")."""
    query = Footprint.select(Footprint.visited_at).where(Footprint.owner == owner_id)
    if since is not None:
        query = query.where(Footprint.visited_at > since)
    return len(await query.limit(cap))


async def old_footprint_ids(before_day: dt.date, batch: int) -> list[int]:
    rows = await Footprint.select(Footprint.id).where(Footprint.day < before_day).limit(batch)
    return [row["id"] for row in rows]


async def delete_footprints(ids: list[int]) -> None:
    await Footprint.delete().where(Footprint.id.is_in(ids))


# -- the owner's ledger -----------------------------------------------------------------


async def count_new_footprint(owner_id: int) -> None:
    """Lifetime count + 1 (a separate row, so pruning footprints never lowers it)."""
    await FootprintLedger.insert(
        FootprintLedger(owner=owner_id, lifetime_footprints=1)
    ).on_conflict(
        target=FootprintLedger.owner,
        action="DO UPDATE",
        values=[
            (
                FootprintLedger.lifetime_footprints,
                QueryString('"footprint_ledger"."lifetime_footprints" + 1'),
            )
        ],
    )


async def ledger(owner_id: int) -> Ledger:
    row = await (
        FootprintLedger.select(
            FootprintLedger.lifetime_footprints,
            FootprintLedger.footprints_seen_at,
            FootprintLedger.notebook_seen_at,
        )
        .where(FootprintLedger.owner == owner_id)
        .first()
    )
    return Ledger(**row) if row else Ledger()


async def mark_seen(owner_id: int, **values: dt.datetime) -> None:
    """Set footprints_seen_at and/or notebook_seen_at, making the ledger row if needed."""
    columns = [getattr(FootprintLedger, name) for name in values]
    await FootprintLedger.insert(FootprintLedger(owner=owner_id, **values)).on_conflict(
        target=FootprintLedger.owner, action="DO UPDATE", values=columns
    )


# -- the notebook -----------------------------------------------------------------------


async def notebook_entries(owner_id: int, offset: int, limit: int) -> list[NotebookRow]:
    """One page, newest first, with each writer's name (one query whatever the page size)."""
    rows = (
        await NotebookEntry.select(
            NotebookEntry.id,
            NotebookEntry.writer.as_alias("writer_id"),
            NotebookEntry.body,
            NotebookEntry.created_at,
            NotebookEntry.writer.nickname.as_alias("nickname"),
            NotebookEntry.writer.status.as_alias("status"),
        )
        .where(NotebookEntry.owner == owner_id)
        .order_by(NotebookEntry.created_at, NotebookEntry.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    return cast("list[NotebookRow]", rows)


async def notebook_size(owner_id: int) -> int:
    return await NotebookEntry.count().where(NotebookEntry.owner == owner_id)


async def notebook_entries_since(owner_id: int, since: dt.datetime | None, cap: int) -> int:
    """Entries by others after `since`, counted up to `cap`."""
    query = NotebookEntry.select(NotebookEntry.id).where(
        NotebookEntry.owner == owner_id, NotebookEntry.writer != owner_id
    )
    if since is not None:
        query = query.where(NotebookEntry.created_at > since)
    return len(await query.limit(cap))


async def insert_notebook_entry(**values: object) -> NotebookEntry:
    entry = NotebookEntry(**values)
    await entry.save()
    return entry


async def notebook_entry(entry_id: int) -> NotebookEntry | None:
    return await NotebookEntry.objects().where(NotebookEntry.id == entry_id).first()


async def delete_notebook_entry(entry_id: int) -> None:
    await NotebookEntry.delete().where(NotebookEntry.id == entry_id)
