"""Hand-written: the composite indexes of footprints and the notebook.

Piccolo adds composite UNIQUE constraints with ALTER TABLE (which SQLite lacks) and runs a
migration's raw steps before its tables exist, so these indexes are a migration of their
own, right after the tables. If the auto migration is ever regenerated, give this file a
later ID than the new one.

- footprint_owner_visitor_day: the conflict target of the footprint upsert
  (INSERT … ON CONFLICT (owner, visitor, day) DO UPDATE), one row per visitor per day.
- footprint_owner_recent: covers "the latest visitors of X" and "new since X last looked"
  (owner = ? ORDER BY visited_at DESC), an index-only backwards range read.
- footprint_day: the pruner deletes by day.
- notebook_entry_owner_recent: a notebook page, newest first.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T00:03:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of footprint and notebook_entry"

INDEXES = [
    ("footprint_owner_visitor_day", "footprint", ("owner", "visitor", "day"), True),
    ("footprint_owner_recent", "footprint", ("owner", "visited_at", "visitor"), False),
    ("footprint_day", "footprint", ("day",), False),
    ("notebook_entry_owner_recent", "notebook_entry", ("owner", "created_at", "id"), False),
]


async def create_indexes() -> None:
    engine = engine_finder()
    for name, table, columns, unique in INDEXES:
        column_list = ", ".join(f'"{column}"' for column in columns)
        kind = "UNIQUE INDEX" if unique else "INDEX"
        await engine.run_ddl(f'CREATE {kind} "{name}" ON "{table}" ({column_list})')


async def drop_indexes() -> None:
    engine = engine_finder()
    for name, _, _, _ in INDEXES:
        await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="footprints", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
