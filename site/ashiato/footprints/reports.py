"""What members may report of footprints: a greeting in someone's notebook.

The entry is found with this feature's own query; `service.open_notebook` is the gate
(the notebook's owner is active and neither side blocked the other): whoever may open the
notebook sees every greeting in it.
"""

from __future__ import annotations

from ashiato.errors import NotFound, PermissionDenied
from ashiato.footprints import queries, service
from ashiato.i18n import _, lazy_gettext
from ashiato.members.tables import Member
from ashiato.registry import ReportedItem, ReportTarget


def _not_found() -> NotFound:
    return NotFound(_("This entry does not exist."), code="unknown_entry")


async def resolve_notebook_entry(reporter: Member, entry_id: int) -> ReportedItem:
    entry = await queries.notebook_entry(entry_id)
    if entry is None:
        raise _not_found()
    try:
        notebook = await service.open_notebook(reporter, entry.owner)
    except PermissionDenied as refused:
        raise _not_found() from refused
    return ReportedItem(
        url=f"/members/{notebook.owner_id}/notebook",
        excerpt=entry.body,
        author_id=entry.writer,
    )


REPORT_TARGETS = (ReportTarget("notebook", lazy_gettext("Notebook entry"), resolve_notebook_entry),)
