"""Reports: any member may flag what they can see; administrators work the queue."""

from __future__ import annotations

import datetime as dt

from ashiato.accounts.service import require_active
from ashiato.accounts.tables import Member
from ashiato.errors import FormInvalid, PermissionDenied
from ashiato.i18n import _
from ashiato.moderation import queries

KINDS = (
    "diary",
    "diary_comment",
    "bbs_topic",
    "bbs_reply",
    "message",
    "notebook",
    "member",
    "community",
)


async def report(reporter: Member, kind: str, ref_id: int, reason: str, url: str = "") -> None:
    """Queue an item for moderators. The caller has checked the reporter may see it."""
    require_active(reporter)
    if kind not in KINDS:
        raise FormInvalid({"kind": _("This cannot be reported.")})
    if len(reason) > 1000:
        raise FormInvalid({"reason": _("At most %(n)s characters.", n=1000)})
    if await queries.already_reported(reporter.id, kind, ref_id):
        return  # one report per member and item is enough
    await queries.insert(
        reporter=reporter.id, kind=kind, ref_id=ref_id, reason=reason.strip(), url=url[:300]
    )


def _require_moderator(member: Member) -> None:
    require_active(member)
    if not member.is_admin:
        raise PermissionDenied(_("Only administrators can do this."), code="not_admin")


async def open_reports(moderator: Member) -> list[dict]:
    _require_moderator(moderator)
    return await queries.open_reports()


async def resolve(moderator: Member, report_id: int) -> None:
    _require_moderator(moderator)
    await queries.resolve(report_id, moderator.id, dt.datetime.now(dt.UTC))
