"""What members may report of messages: a message they sent or received.

`service.read` is the gate (only its two sides may open it, not once deleted on their
side); `mark=False`: reporting a message does not mark it read.
"""

from __future__ import annotations

from ashiato.i18n import lazy_gettext
from ashiato.members.tables import Member
from ashiato.messages import service
from ashiato.registry import ReportedItem, ReportTarget


async def resolve_message(reporter: Member, message_id: int) -> ReportedItem:
    message = await service.read(reporter, message_id, mark=False)
    return ReportedItem(
        url=f"/messages/{message['id']}",
        excerpt=f"{message['subject']} {message['body']}",
        author_id=message["sender_id"],
    )


REPORT_TARGETS = (ReportTarget("message", lazy_gettext("Message"), resolve_message),)
