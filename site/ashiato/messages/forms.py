"""The compose form, as Litestar decodes it (a missing field is "", judged by the service)."""

from __future__ import annotations

import msgspec


def _id_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 12 else None


class MessageForm(msgspec.Struct):
    """A new message or a reply: the recipient and the original travel as hidden fields."""

    to: str = ""
    subject: str = ""
    body: str = ""
    reply_to: str = ""

    @property
    def recipient_id(self) -> int:
        """The recipient's id; 0 (nobody) when the field is missing or not a number."""
        return _id_or_none(self.to) or 0

    @property
    def reply_to_id(self) -> int | None:
        return _id_or_none(self.reply_to)
