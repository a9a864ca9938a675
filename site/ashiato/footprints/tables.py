"""Footprints (足あと), each owner's running tally, and the footprint notebook (足あと帳).

The indexes that matter are made by hand in the `indexes` migration (Piccolo cannot make a
composite index on SQLite):

- footprint_owner_visitor_day UNIQUE (owner, visitor, day): the upsert's conflict target;
  one footprint per visitor per owner per Tokyo day.
- footprint_owner_recent (owner, visited_at, visitor): "recent visitors of X" and "new since
  I last looked" are one backwards range read that never touches the table.
- footprint_day (day): the pruner's range.
- notebook_entry_owner_recent (owner, created_at, id): a notebook page, newest first.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Footprint(Table):
    """A visit of `visitor` to `owner`'s pages on one day (Asia/Tokyo); repeats move it on."""

    owner = ForeignKey(Member, help_text="whose profile or diary was opened")
    visitor = ForeignKey(Member, help_text="who opened it")
    day = Date(help_text="the Asia/Tokyo calendar day of the visit")
    visited_at = Timestamptz(help_text="the latest visit of that day")
    visits = Integer(default=1, help_text="visits that day; 1 means the footprint is new")


class FootprintLedger(Table):
    """Per owner: the lifetime footprint count (survives pruning) and when they last looked."""

    owner = ForeignKey(Member, unique=True, index=True)
    lifetime_footprints = BigInt(default=0, help_text="footprints ever left, pruned or not")
    footprints_seen_at = Timestamptz(null=True, default=None, help_text="足あと page last seen")
    notebook_seen_at = Timestamptz(null=True, default=None, help_text="足あと帳 last seen")


class NotebookEntry(Table):
    """A short greeting a visitor leaves in a member's footprint notebook."""

    owner = ForeignKey(Member, help_text="whose notebook")
    writer = ForeignKey(Member, index=True)
    body = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())
