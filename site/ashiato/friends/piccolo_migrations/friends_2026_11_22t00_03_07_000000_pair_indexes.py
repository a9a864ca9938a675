"""Hand-written: the composite unique indexes of the friends tables.

Piccolo adds composite UNIQUE constraints with ALTER TABLE (which SQLite lacks) and runs a
migration's raw steps before its tables exist, so these indexes are a migration of their
own, right after the tables. If the auto migration is ever regenerated, give this file a
later ID than the new one.

friendship_pair makes "the maimiku of X" one index range read and refuses duplicate
edges; block_pair and introduction_pair refuse duplicates made by concurrent requests.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T00:03:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes of friendship, introduction and block"

INDEXES = [
    ("friendship_pair", "friendship", ("member", "friend")),
    ("introduction_pair", "introduction", ("author", "subject")),
    ("block_pair", "block", ("blocker", "blocked")),
]


async def create_indexes() -> None:
    engine = engine_finder()
    for name, table, columns in INDEXES:
        column_list = ", ".join(f'"{column}"' for column in columns)
        await engine.run_ddl(f'CREATE UNIQUE INDEX "{name}" ON "{table}" ({column_list})')


async def drop_indexes() -> None:
    engine = engine_finder()
    for name, _, _ in INDEXES:
        await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="friends", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
