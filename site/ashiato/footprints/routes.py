"""Web pages of footprints: the owner's 足あと page (refreshing itself with htmx), the
navigation badges, and each member's 足あと帳 (notebook), also shown on the profile."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from ashiato.errors import DomainError, FormInvalid
from ashiato.footprints import service
from ashiato.members.tables import Member
from ashiato.registry import ProfileSection
from ashiato.web import (
    current_member,
    form_data,
    is_fragment_request,
    render,
    requires_active_member,
    see_other,
    settings_of,
)

CONTROLLERS: list[type] = []
REFRESH_SECONDS = 5  # how often an open 足あと page asks for new visitors


def _member(request: Request) -> Member:
    member = current_member(request)
    assert member is not None  # the guard let an active member in
    return member


def _since(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _badge(count: int) -> Template:
    return Template(
        template_name="footprints/_badge.html",
        context={"count": count, "cap": service.BADGE_CAP},
        headers={"cache-control": "no-store"},
    )


class FootprintController(Controller):
    path = "/footprints"
    guards = [requires_active_member]

    @get("/", name="footprints")
    async def show_footprints(self, request: Request, since: str | None = None) -> Template:
        """Latest visitors; the fragment is what the open page polls every few seconds."""
        page = await service.footprint_page(
            _member(request), settings_of(request), since=_since(since)
        )
        return render(
            request,
            "footprints/page.html",
            {"page": page, "refresh_seconds": REFRESH_SECONDS, "cap": service.BADGE_CAP},
            fragment="footprints/_visitors.html",
        )

    @get("/badge", name="footprint_badge")
    async def footprint_badge(self, request: Request) -> Template:
        """`<span class="badge">3</span>` (or nothing): new footprints, for the navigation."""
        return _badge(await service.new_footprint_count(_member(request)))

    @get("/notebook-badge", name="notebook_badge")
    async def notebook_badge(self, request: Request) -> Template:
        """The same for new greetings in the member's own notebook."""
        return _badge(await service.new_notebook_count(_member(request)))


class NotebookController(Controller):
    path = "/members/{member_id:int}/notebook"
    guards = [requires_active_member]

    async def _answer(
        self, request: Request, member_id: int, page: int = 1, **extra: object
    ) -> Template:
        notebook = await service.open_notebook(_member(request), member_id, page)
        status = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
        return render(
            request,
            "footprints/notebook.html",
            {"notebook": notebook, "errors": {}, "draft": "", **extra},
            fragment="footprints/_notebook.html",
            status_code=status,
        )

    @get("/", name="notebook")
    async def show_notebook(self, request: Request, member_id: int, page: int = 1) -> Template:
        return await self._answer(request, member_id, page)

    @post("/")
    async def write_greeting(self, request: Request, member_id: int) -> Template | Redirect:
        form = await form_data(request)
        try:
            await service.write_in_notebook(_member(request), member_id, form.get("body", ""))
        except FormInvalid as exc:
            return await self._answer(
                request, member_id, errors=exc.errors, draft=form.get("body", ""), status_code=422
            )
        if is_fragment_request(request):
            return await self._answer(request, member_id)
        return see_other(f"/members/{member_id}/notebook")

    @post("/{entry_id:int}/delete")
    async def delete_greeting(
        self, request: Request, member_id: int, entry_id: int
    ) -> Template | Redirect:
        owner_id = await service.delete_notebook_entry(_member(request), entry_id)
        if is_fragment_request(request):
            return await self._answer(request, owner_id)
        return see_other(f"/members/{owner_id}/notebook")


async def profile_section(viewer: Member, owner: Member) -> ProfileSection | None:
    """On every profile: the lifetime footprint count and the first page of the notebook."""
    try:
        notebook = await service.open_notebook(viewer, owner.id)
    except DomainError:
        return None
    return ProfileSection(
        template="footprints/_profile_section.html",
        context={
            "notebook": notebook,
            "lifetime": await service.lifetime_footprints(owner.id),
            "errors": {},
            "draft": "",
        },
        order=90,
    )


CONTROLLERS = [FootprintController, NotebookController]
