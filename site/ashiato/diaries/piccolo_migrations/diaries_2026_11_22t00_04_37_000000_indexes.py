"""Hand-written: the composite indexes of the diaries tables.

Piccolo adds composite UNIQUE constraints with ALTER TABLE (which SQLite lacks) and runs a
migration's raw steps before its tables exist, so these indexes are a migration of their
own, right after the tables. If the auto migration is ever regenerated, give this file a
later ID than the new one.

diary_source_message: a mail's Message-ID is stored once per author (NULLs are distinct),
so a diary delivered twice by mail is detected. comment_history_pair: one history entry
per member and diary (the upsert on a new comment relies on it). diary_author_created:
a member's diary list is one index range read, newest first.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T00:04:37:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of diary and comment_history_entry"

INDEXES = [
    ("diary_source_message", "diary", ("author", "source_message_id"), True),
    ("comment_history_pair", "comment_history_entry", ("member", "diary"), True),
    ("diary_author_created", "diary", ("author", "created_at"), False),
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
    manager = MigrationManager(migration_id=ID, app_name="diaries", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
