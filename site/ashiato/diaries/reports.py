"""What members may report of diaries: a diary, and a comment on one.

Each resolver lets `service.read` decide whether the reporter may see the diary (its
audience, blocks, the reporter's standing): the same gate as the diary page. A comment is
found with this feature's own queries and shown only if the diary may be read and the
comment is not hidden from the reporter (a blocked author's), as on the page.
"""

from __future__ import annotations

from ashiato.diaries import queries, service
from ashiato.errors import NotFound
from ashiato.i18n import _, lazy_gettext
from ashiato.members.tables import Member
from ashiato.registry import ReportedItem, ReportTarget


async def resolve_diary(reporter: Member, diary_id: int) -> ReportedItem:
    diary = await service.read(reporter, diary_id)
    return ReportedItem(
        url=f"/diaries/{diary.id}",
        excerpt=f"{diary.title} {diary.body}",
        author_id=diary.author_id,
    )


async def resolve_comment(reporter: Member, comment_id: int) -> ReportedItem:
    diary_id = await queries.diary_id_of_comment(comment_id)
    if diary_id is None:
        raise NotFound(_("This comment does not exist."), code="unknown_comment")
    diary = await service.read(reporter, diary_id)
    shown = await queries.comments_of(diary.id, reporter.id, after=comment_id - 1)
    comment = next((row for row in shown if row["id"] == comment_id), None)
    if comment is None:
        raise NotFound(_("This comment does not exist."), code="unknown_comment")
    return ReportedItem(
        url=f"/diaries/{diary.id}#comment-{comment_id}",
        excerpt=comment["body"],
        author_id=comment["author_id"],
    )


REPORT_TARGETS = (
    ReportTarget("diary", lazy_gettext("Diary"), resolve_diary),
    ReportTarget("diary_comment", lazy_gettext("Comment"), resolve_comment),
)
