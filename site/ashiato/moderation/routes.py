"""The report action (any member) and the moderators' queue (administrators)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ashiato.moderation import service
from ashiato.web import (
    current_member,
    form_data,
    render,
    requires_active_member,
    safe_next,
    see_other,
)


class ReportController(Controller):
    path = "/"
    guards = [requires_active_member]

    @post("/reports")
    async def report(self, request: Request) -> Template:
        """Forms elsewhere post kind, ref_id, next (and optionally reason) here."""
        form = await form_data(request)
        ref_id = int(form["ref_id"]) if form.get("ref_id", "").isdigit() else 0
        target = safe_next(form.get("next"))
        await service.report(
            current_member(request), form.get("kind", ""), ref_id, form.get("reason", ""), target
        )
        return render(
            request,
            "moderation/reported.html",
            {"next": target},
            fragment="moderation/_reported.html",
        )

    @get("/admin/reports", name="reports")
    async def show_reports(self, request: Request) -> Template:
        reports = await service.open_reports(current_member(request))
        return render(request, "moderation/reports.html", {"reports": reports})

    @post("/admin/reports/{report_id:int}/resolve")
    async def resolve(self, request: Request, report_id: FromPath[int]) -> Redirect:
        await service.resolve(current_member(request), report_id)
        return see_other("/admin/reports")


CONTROLLERS: list[type] = [ReportController]
