"""Reports: any member may flag what they can see; administrators work the queue.

Moderation knows no feature. What can be reported is what features register as
ReportTarget (ashiato.registry); the caller passes the registered targets in, and the
target's resolver, written in its own feature, decides whether the reporter may see the
item and says where it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ashiato.errors import FormInvalid, NotFound, PermissionDenied
from ashiato.i18n import _
from ashiato.members import name_for, require_active
from ashiato.members.tables import Member
from ashiato.moderation import queries
from ashiato.registry import ReportTarget

REASON_MAX = 1000
EXCERPT_MAX = 300  # the column's length


class UnknownReportKind(NotFound):
    """No feature registered a report target of this kind."""

    def __init__(self) -> None:
        super().__init__(_("This cannot be reported."), code="unknown_kind")


class NotModerator(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(_("Only administrators can do this."), code="not_admin")


@dataclass(frozen=True)
class OpenReport:
    """A report in the moderators' queue, as the queue page shows it."""

    id: int
    kind: str
    kind_label: str
    ref_id: int
    url: str
    excerpt: str
    author_name: str | None
    reason: str
    reporter_name: str
    created_at: dt.datetime


def _excerpt(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= EXCERPT_MAX else one_line[: EXCERPT_MAX - 1] + "…"


async def report(
    reporter: Member,
    targets: Mapping[str, ReportTarget],
    kind: str,
    item_id: int,
    reason: str = "",
) -> None:
    """Queue an item for moderators, after its feature confirms the reporter may see it:
    an unregistered kind, a missing item and one the reporter may not see are all NotFound
    (a member cannot report, or learn of, what their audience does not include)."""
    require_active(reporter)
    target = targets.get(kind)
    if target is None:
        raise UnknownReportKind()
    item = await target.resolve(reporter, item_id)
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise FormInvalid({"reason": _("At most %(n)s characters.", n=REASON_MAX)})
    if await queries.already_reported(reporter.id, kind, item_id):
        return  # one report per member and item is enough
    await queries.insert(
        reporter=reporter.id,
        kind=kind,
        ref_id=item_id,
        reason=reason,
        url=item.url[:300],
        excerpt=_excerpt(item.excerpt),
        author=item.author_id,
    )


def _require_moderator(member: Member) -> None:
    require_active(member)
    if not member.is_admin:
        raise NotModerator()


async def open_reports(moderator: Member, targets: Mapping[str, ReportTarget]) -> list[OpenReport]:
    _require_moderator(moderator)
    return [
        OpenReport(
            id=row["id"],
            kind=row["kind"],
            kind_label=str(targets[row["kind"]].label) if row["kind"] in targets else row["kind"],
            ref_id=row["ref_id"],
            url=row["url"],
            excerpt=row["excerpt"],
            author_name=None
            if row["author_id"] is None
            else name_for(row["author_nickname"], row["author_status"]),
            reason=row["reason"],
            reporter_name=name_for(row["reporter_nickname"], row["reporter_status"]),
            created_at=row["created_at"],
        )
        for row in await queries.open_reports()
    ]


async def resolve(moderator: Member, report_id: int) -> None:
    _require_moderator(moderator)
    await queries.resolve(report_id, moderator.id, dt.datetime.now(dt.UTC))
