"""Piccolo's configuration module (PICCOLO_CONF=ashiato.piccolo_conf).

`DB` is replaced by ashiato.db.configure() before any query runs, so one process (or one
test) can point Piccolo at the database its settings name.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path="var/ashiato.sqlite3")

APP_REGISTRY = AppRegistry(
    apps=[
        "ashiato.accounts.piccolo_app",
        "ashiato.outbox.piccolo_app",
        "ashiato.friends.piccolo_app",
        "ashiato.profiles.piccolo_app",
        "ashiato.footprints.piccolo_app",
        "ashiato.diaries.piccolo_app",
        "ashiato.messages.piccolo_app",
        "ashiato.communities.piccolo_app",
        "ashiato.search.piccolo_app",
        "ashiato.mobile.piccolo_app",
        "ashiato.moderation.piccolo_app",
    ]
)
