"""The notebook's form, as Litestar decodes it (a missing field is "", judged by the service)."""

from __future__ import annotations

import msgspec


class GreetingForm(msgspec.Struct):
    """A greeting left in a member's footprint notebook (足あと帳)."""

    body: str = ""
