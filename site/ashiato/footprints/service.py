"""Footprint (足あと) and footprint notebook (足あと帳) rules.

For other features:

- `record_visit(visitor, owner_id)` leaves the visitor's footprint on the owner. Call it
  when a logged-in member opens another member's profile or diary — preferably as
  `response.background = footprint_task(visitor, owner_id)`, so the page is sent before the
  write happens and never waits on a lock. The profile page (profiles cannot import this
  feature: footprints depends on profiles) runs `leave_footprint` as the
  `on_profile_view` hook this feature registers. The friend-graph explorer must not call it.
- `prune(settings, now)` deletes footprints older than `settings.footprint_retention_days`;
  `run_pruner(settings, stop)` calls it every hour until `stop` is set (for `ashiato serve`).
  The lifetime count shown on profiles is a separate counter and survives pruning.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from litestar.background_tasks import BackgroundTask

from ashiato import db
from ashiato.errors import FormInvalid
from ashiato.footprints import queries
from ashiato.footprints.errors import FootprintError as FootprintError  # callers catch it here
from ashiato.footprints.errors import NoSuchEntry, NotebookBlocked, NotebookClosed, NotYourEntry
from ashiato.footprints.tables import NotebookEntry
from ashiato.friends.audience import is_blocked_between, relation
from ashiato.i18n import _
from ashiato.members import (
    VISIBILITY_LABELS,
    Relation,
    Visibility,
    allows,
    can_act,
    display_name,
    name_for,
    require_active,
)
from ashiato.members.tables import Member, MemberStatus
from ashiato.pagination import Pagination
from ashiato.profiles import service as profiles
from ashiato.registry import Viewing
from ashiato.settings import Settings

log = logging.getLogger(__name__)

# A footprint's day is the Japanese calendar day, whoever visits from wherever (as in mixi).
FOOTPRINT_DAY_ZONE = ZoneInfo("Asia/Tokyo")
BADGE_CAP = 100  # badges count up to this and then say "99+"
NOTEBOOK_PAGE_SIZE = 10
NOTEBOOK_ENTRY_LIMIT = 200  # characters: a greeting, not a letter
PRUNE_BATCH = 5000  # rows per delete, so the pruner never holds the write lock for long
PRUNE_INTERVAL_SECONDS = 3600
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def footprint_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(FOOTPRINT_DAY_ZONE).date()


# -- leaving footprints -----------------------------------------------------------------


async def record_visit(
    visitor: Member | None, owner_id: int, *, now: dt.datetime | None = None
) -> bool:
    """Leave (or move forward) today's footprint of `visitor` on `owner_id`; True if left.

    None is left for logged-out or inactive visitors, self-visits, a block either way, or
    when either member turned footprints off. The caller has already shown the page, so the
    owner exists. One upsert keyed by (owner, visitor, day); only a day's first visit also
    bumps the owner's lifetime counter.
    """
    if not can_act(visitor) or visitor is None or visitor.id == owner_id:
        return False
    if await profiles.footprints_off([visitor.id, owner_id]):
        return False
    if await is_blocked_between(visitor.id, owner_id):
        return False
    now = now or _now()
    async with db.transaction():
        visits = await queries.upsert_footprint(owner_id, visitor.id, footprint_day(now), now)
        if visits == 1:
            await queries.count_new_footprint(owner_id)
    return visits > 0


async def leave_footprint(visitor: Member, owner_id: int) -> None:
    """record_visit for after the page is sent: a failure is logged, never raised."""
    try:
        await record_visit(visitor, owner_id)
    except Exception:  # the page has been sent; a lost footprint must not become an error
        log.exception("footprints: could not record a visit to member %s", owner_id)


def footprint_task(visitor: Member, owner_id: int) -> BackgroundTask:
    """A task to attach to the page's response: the footprint is written after sending."""
    return BackgroundTask(leave_footprint, visitor, owner_id)


# -- the owner's footprint page ---------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    member_id: int
    name: str
    face_url: str | None
    visited_at: dt.datetime
    is_new: bool
    active: bool  # withdrawn visitors are shown anonymously, without a link


@dataclass(frozen=True)
class FootprintPage:
    enabled: bool
    visitors: list[Visitor]
    new_count: int  # footprints since `since` (capped at BADGE_CAP)
    since: dt.datetime  # the owner's previous look: what counts as new on this page
    lifetime: int
    new_notebook_entries: int


async def footprint_page(
    owner: Member, settings: Settings, *, since: dt.datetime | None = None
) -> FootprintPage:
    """The owner's latest visitors, newest first; looking at them marks them seen.

    `since` is the previous look as the open page remembers it, so a page refreshing
    itself keeps showing what was new when it was opened.
    """
    require_active(owner)
    ledger = await queries.ledger(owner.id)
    notebook_new = await queries.notebook_entries_since(
        owner.id, ledger.notebook_seen_at, BADGE_CAP
    )
    if not await profiles.footprints_enabled(owner):
        return FootprintPage(False, [], 0, NEVER, ledger.lifetime_footprints, notebook_new)
    seen_at = ledger.footprints_seen_at
    since = since or seen_at or NEVER
    rows = await queries.recent_visitors(owner.id, settings.footprint_list_length)
    new_count = await queries.footprints_since(owner.id, since, BADGE_CAP)
    faces = await profiles.face_urls([row["visitor_id"] for row in rows])
    visitors = [
        Visitor(
            member_id=row["visitor_id"],
            name=name_for(row["nickname"], row["status"]),
            face_url=faces.get(row["visitor_id"]) if row["status"] == MemberStatus.ACTIVE else None,
            visited_at=row["visited_at"],
            is_new=row["visited_at"] > since,
            active=row["status"] == MemberStatus.ACTIVE,
        )
        for row in rows
    ]
    if rows and (seen_at is None or rows[0]["visited_at"] > seen_at):
        # Seen up to the newest footprint shown, not "now": one landing meanwhile stays new.
        await queries.mark_seen(owner.id, footprints_seen_at=rows[0]["visited_at"])
    return FootprintPage(True, visitors, new_count, since, ledger.lifetime_footprints, notebook_new)


async def new_footprint_count(owner: Member) -> int:
    """For the navigation badge: footprints since the owner last looked (0 when off)."""
    require_active(owner)
    if not await profiles.footprints_enabled(owner):
        return 0
    seen_at = (await queries.ledger(owner.id)).footprints_seen_at
    return await queries.footprints_since(owner.id, seen_at, BADGE_CAP)


async def lifetime_footprints(owner_id: int) -> int:
    """Footprints ever left on this member, including pruned ones."""
    return (await queries.ledger(owner_id)).lifetime_footprints


# -- pruning ----------------------------------------------------------------------------


async def prune(settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete footprints older than the retention setting, in short batches; returns how many.

    Lifetime counts are kept in the ledger and are not lowered.
    """
    cutoff = footprint_day(now or _now()) - dt.timedelta(days=settings.footprint_retention_days)
    removed = 0
    while True:
        ids = await queries.old_footprint_ids(cutoff, PRUNE_BATCH)
        if not ids:
            return removed
        await queries.delete_footprints(ids)
        removed += len(ids)


async def run_pruner(settings: Settings, stop: asyncio.Event) -> None:
    """Prune now and then every hour until `stop` is set (run by `ashiato serve`)."""
    while not stop.is_set():
        try:
            removed = await prune(settings)
            if removed:
                log.info("footprints: pruned %s old footprints", removed)
        except Exception:  # the loop must outlive a database hiccup
            log.exception("footprints: pruning failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=PRUNE_INTERVAL_SECONDS)


# -- the footprint notebook (足あと帳) ----------------------------------------------------


@dataclass(frozen=True)
class NotebookGreeting:
    id: int
    writer_id: int
    writer_name: str
    writer_active: bool
    face_url: str | None
    body: str
    created_at: dt.datetime
    can_delete: bool
    is_new: bool


@dataclass(frozen=True)
class Notebook:
    owner_id: int
    owner_name: str
    entries: list[NotebookGreeting]
    page: int
    has_next: bool
    total: int
    can_write: bool
    audience: str  # who may write, as a label
    is_owner: bool
    new_count: int = 0  # for the owner: entries by others since their last look

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def _notebook_owner(viewer: Member, owner_id: int) -> tuple[Member, Relation]:
    owner = await profiles.member_to_view(viewer, owner_id)
    relation_ = await relation(viewer, owner.id)
    if relation_ == Relation.BLOCKED:
        raise NotebookBlocked()
    return owner, relation_


async def open_notebook(viewer: Member, owner_id: int, page: int = 1) -> Notebook:
    """One page of a member's notebook, newest first; the owner's look marks entries seen."""
    owner, relation_ = await _notebook_owner(viewer, owner_id)
    return await _notebook(viewer, owner, relation_, page)


async def profile_notebook(viewing: Viewing) -> Notebook:
    """The notebook's first page on a profile: the page decided the owner and the relation
    once (an active owner, relation worked out by friends.audience); the same rules apply."""
    require_active(viewing.viewer)
    if viewing.relation == Relation.BLOCKED:
        raise NotebookBlocked()
    return await _notebook(viewing.viewer, viewing.owner, viewing.relation, 1)


async def _notebook(viewer: Member, owner: Member, relation_: Relation, page: int) -> Notebook:
    page = max(page, 1)
    is_owner = relation_ == Relation.SELF
    audience = await profiles.notebook_audience(owner.id)
    rows = await queries.notebook_entries(
        owner.id, (page - 1) * NOTEBOOK_PAGE_SIZE, NOTEBOOK_PAGE_SIZE + 1
    )
    has_next = len(rows) > NOTEBOOK_PAGE_SIZE
    rows = rows[:NOTEBOOK_PAGE_SIZE]
    faces = await profiles.face_urls([row["writer_id"] for row in rows])
    seen_at = new_count = None
    if is_owner:
        seen_at = (await queries.ledger(owner.id)).notebook_seen_at
        new_count = await queries.notebook_entries_since(owner.id, seen_at, BADGE_CAP)
    entries = [
        NotebookGreeting(
            id=row["id"],
            writer_id=row["writer_id"],
            writer_name=name_for(row["nickname"], row["status"]),
            writer_active=row["status"] == MemberStatus.ACTIVE,
            face_url=faces.get(row["writer_id"]) if row["status"] == MemberStatus.ACTIVE else None,
            body=row["body"],
            created_at=row["created_at"],
            can_delete=is_owner or row["writer_id"] == viewer.id,
            is_new=is_owner
            and row["writer_id"] != owner.id
            and (seen_at is None or row["created_at"] > seen_at),
        )
        for row in rows
    ]
    if is_owner and new_count and page == 1 and rows:
        # Seen up to the newest entry shown, not "now": one landing meanwhile stays new.
        await queries.mark_seen(owner.id, notebook_seen_at=rows[0]["created_at"])
    return Notebook(
        owner_id=owner.id,
        owner_name=display_name(owner),
        entries=entries,
        page=page,
        has_next=has_next,
        total=await queries.notebook_size(owner.id),
        can_write=allows(relation_, audience),
        audience=str(VISIBILITY_LABELS[Visibility(audience)]),
        is_owner=is_owner,
        new_count=new_count or 0,
    )


async def write_in_notebook(writer: Member, owner_id: int, body: str) -> NotebookEntry:
    """Leave a greeting, if the owner's notebook setting lets this member write."""
    owner, relation_ = await _notebook_owner(writer, owner_id)
    audience = await profiles.notebook_audience(owner.id)
    if not allows(relation_, audience):
        raise NotebookClosed(audience)
    body = " ".join((body or "").split())  # one line: a greeting
    if not body:
        raise FormInvalid({"body": _("Write a greeting first.")})
    if len(body) > NOTEBOOK_ENTRY_LIMIT:
        raise FormInvalid({"body": _("At most %(n)s characters.", n=NOTEBOOK_ENTRY_LIMIT)})
    return await queries.insert_notebook_entry(
        owner=owner.id, writer=writer.id, body=body, created_at=_now()
    )


async def delete_notebook_entry(actor: Member, entry_id: int) -> int:
    """The owner may delete any entry of their notebook, a writer their own; returns the owner."""
    require_active(actor)
    entry = await queries.notebook_entry(entry_id)
    if entry is None:
        raise NoSuchEntry()
    if actor.id not in (entry.owner, entry.writer):
        raise NotYourEntry()
    await queries.delete_notebook_entry(entry.id)
    return entry.owner


async def new_notebook_count(owner: Member) -> int:
    """For the navigation badge: greetings by others since the owner last opened the notebook."""
    require_active(owner)
    seen_at = (await queries.ledger(owner.id)).notebook_seen_at
    return await queries.notebook_entries_since(owner.id, seen_at, BADGE_CAP)
