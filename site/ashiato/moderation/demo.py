"""Demo content of moderation: none (reports come from members)."""

from __future__ import annotations

from ashiato.settings import Settings


async def fill_demo(settings: Settings) -> str:
    return ""
