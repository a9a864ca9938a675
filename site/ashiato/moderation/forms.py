"""The report form, decoded into a typed body (fields default to "": a missing field is a
form error or a 404, never a 400)."""

from __future__ import annotations

import msgspec


class ReportForm(msgspec.Struct):
    """What the report button posts: a registered kind, the item's id, an optional reason,
    and the page to go back to."""

    kind: str = ""
    ref_id: str = ""
    reason: str = ""
    next: str = ""

    @property
    def item_id(self) -> int:
        """The id as a number; 0 (no such item) when it is not one."""
        return int(self.ref_id) if self.ref_id.isascii() and self.ref_id.isdigit() else 0
