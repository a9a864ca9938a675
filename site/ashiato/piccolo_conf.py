"""Piccolo's configuration module (PICCOLO_CONF=ashiato.piccolo_conf).

`DB` is replaced by ashiato.db.configure() before any query runs, so one process (or one
test) can point Piccolo at the database its settings name. The apps are the features'.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

from ashiato.features import piccolo_apps

DB = SQLiteEngine(path="var/ashiato.sqlite3")

APP_REGISTRY = AppRegistry(apps=piccolo_apps())
