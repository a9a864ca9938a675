"""Unique pairs for communities, by hand (runs after the tables' migration).

Piccolo's Unique constraint is added with ALTER TABLE … ADD CONSTRAINT, which SQLite cannot
run, so the pairs that must be unique are unique indexes made here. They make concurrent
joins, replies and event sign-ups safe (INSERT … ON CONFLICT DO NOTHING) and serve the
reads by community and by topic. If the tables' migration is ever regenerated, give this
file a later ID than it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:01:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique pairs"

UNIQUE_PAIRS = {
    "community_membership_pair": ("community_membership", "community", "member"),
    "join_request_pair": ("join_request", "community", "member"),
    "community_ban_pair": ("community_ban", "community", "member"),
    "topic_reply_number": ("topic_reply", "topic", "number"),
    "event_participant_pair": ("event_participant", "topic", "member"),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="communities", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, (table, first, second) in UNIQUE_PAIRS.items():
            await engine.run_ddl(
                f'CREATE UNIQUE INDEX {name} ON "{table}" ("{first}", "{second}")'
            )

    async def drop_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name in UNIQUE_PAIRS:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
