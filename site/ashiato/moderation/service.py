"""Reports: any member may flag what they can see; administrators work the queue."""

from __future__ import annotations

import datetime as dt

from ashiato.errors import FormInvalid, PermissionDenied
from ashiato.i18n import _
from ashiato.members import require_active
from ashiato.members.tables import Member
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


async def _message_target(member: Member, kind: str, ref_id: int) -> str:
    from ashiato.messages import service as messages

    await messages.read(member, ref_id, mark=False)
    return f"/messages/{ref_id}"


async def _diary_target(member: Member, kind: str, ref_id: int) -> str:
    from ashiato.diaries import service as diaries

    return await diaries.report_target(member, kind, ref_id)


# Kinds whose feature can say whether the reporter may see the item, and where it is: a
# member cannot report (or learn of) what their audience does not include.
TARGETS = {"diary": _diary_target, "diary_comment": _diary_target, "message": _message_target}


async def report(reporter: Member, kind: str, ref_id: int, reason: str, url: str = "") -> None:
    """Queue an item for moderators, after its feature confirms the reporter may see it."""
    require_active(reporter)
    if kind not in KINDS:
        raise FormInvalid({"kind": _("This cannot be reported.")})
    if kind in TARGETS:
        url = await TARGETS[kind](reporter, kind, ref_id)
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
