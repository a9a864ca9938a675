"""What members may report of profiles: a member's profile (its name, text and photos).

`service.view_profile` is the gate: an active member the reporter may look at. A member
who blocked the reporter, or whom the reporter blocked, cannot be looked at; for a report
that is "not found", as every report of what the reporter cannot see.
"""

from __future__ import annotations

from ashiato.errors import NotFound, PermissionDenied
from ashiato.i18n import _, lazy_gettext
from ashiato.members.tables import Member
from ashiato.profiles import service
from ashiato.registry import ReportedItem, ReportTarget


async def resolve_member(reporter: Member, member_id: int) -> ReportedItem:
    try:
        view = await service.view_profile(reporter, member_id)
    except PermissionDenied as refused:
        raise NotFound(_("No such member."), code="unknown_member") from refused
    return ReportedItem(url=f"/members/{view.owner.id}", excerpt=view.name, author_id=view.owner.id)


REPORT_TARGETS = (ReportTarget("member", lazy_gettext("Member"), resolve_member),)
