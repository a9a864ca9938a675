"""The report action (any member) and the moderators' queue (administrators)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ashiato import registry
from ashiato.members.tables import Member
from ashiato.moderation import service
from ashiato.moderation.forms import ReportForm
from ashiato.web import render, requires_active_member, safe_next, see_other


def _targets(request: Request) -> dict[str, registry.ReportTarget]:
    """The kinds the site's features registered (nothing else can be reported)."""
    return registry.report_targets(request.app.state.features)


class ReportController(Controller):
    path = "/"
    guards = [requires_active_member]

    @post("/reports")
    async def report(
        self,
        request: Request,
        me: NamedDependency[Member],
        data: URLEncodedBody[ReportForm],
    ) -> Template:
        """Report buttons post kind, ref_id, next (and optionally reason) here."""
        await service.report(me, _targets(request), data.kind, data.item_id, data.reason)
        return render(
            request,
            "moderation/reported.html",
            {"next": safe_next(data.next)},
            fragment="moderation/_reported.html",
        )

    @get("/admin/reports", name="reports")
    async def show_reports(self, request: Request, me: NamedDependency[Member]) -> Template:
        reports = await service.open_reports(me, _targets(request))
        return render(request, "moderation/reports.html", {"reports": reports})

    @post("/admin/reports/{report_id:int}/resolve")
    async def resolve(self, me: NamedDependency[Member], report_id: FromPath[int]) -> Redirect:
        await service.resolve(me, report_id)
        return see_other("/admin/reports")


CONTROLLERS: list[type] = [ReportController]
