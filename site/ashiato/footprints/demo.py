"""Demo content of footprints, made through its service."""

from __future__ import annotations

from ashiato.settings import Settings


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    return ""
