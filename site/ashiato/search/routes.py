"""Web pages of search."""

from __future__ import annotations

# Controllers this feature adds to the app, and the navigation sections it serves.
CONTROLLERS: list[type] = []
