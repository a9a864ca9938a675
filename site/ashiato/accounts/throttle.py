"""Login rate limiting: failures counted per address and per client in a shared store.

The store is Litestar's (memory in one process, Redis when several processes serve),
so the limit holds across workers when ASHIATO_REDIS_URL is set.
"""

from __future__ import annotations

from litestar.stores.base import Store


class LoginThrottle:
    def __init__(self, store: Store, attempts: int, window_seconds: int) -> None:
        self.store = store
        self.attempts = attempts
        self.window_seconds = window_seconds

    async def _count(self, key: str) -> int:
        raw = await self.store.get(key)
        return int(raw) if raw else 0

    async def blocked(self, keys: list[str]) -> bool:
        for key in keys:
            if await self._count(key) >= self.attempts:
                return True
        return False

    async def failed(self, keys: list[str]) -> None:
        for key in keys:
            count = await self._count(key) + 1
            await self.store.set(key, str(count).encode(), expires_in=self.window_seconds)

    async def reset(self, keys: list[str]) -> None:
        for key in keys:
            await self.store.delete(key)
