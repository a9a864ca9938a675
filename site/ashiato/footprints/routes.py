"""Web pages of footprints: the owner's 足あと page (refreshing itself with htmx), the
navigation badges, and each member's 足あと帳 (notebook), also shown on the profile."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from ashiato.errors import DomainError, FormInvalid
from ashiato.footprints import service
from ashiato.footprints.forms import GreetingForm
from ashiato.members.tables import Member
from ashiato.registry import ProfileSection, Viewing
from ashiato.settings import Settings
from ashiato.web import is_fragment_request, render, requires_active_member, see_other

CONTROLLERS: list[type] = []
REFRESH_SECONDS = 5  # how often an open 足あと page asks for new visitors


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
    async def show_footprints(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        since: FromQuery[str | None] = None,
    ) -> Template:
        """Latest visitors; the fragment is what the open page polls every few seconds."""
        page = await service.footprint_page(me, settings, since=_since(since))
        return render(
            request,
            "footprints/page.html",
            {"page": page, "refresh_seconds": REFRESH_SECONDS, "cap": service.BADGE_CAP},
            fragment="footprints/_visitors.html",
        )

    @get("/badge", name="footprint_badge")
    async def footprint_badge(self, me: NamedDependency[Member]) -> Template:
        """`<span class="badge">3</span>` (or nothing): new footprints, for the navigation."""
        return _badge(await service.new_footprint_count(me))

    @get("/notebook-badge", name="notebook_badge")
    async def notebook_badge(self, me: NamedDependency[Member]) -> Template:
        """The same for new greetings in the member's own notebook."""
        return _badge(await service.new_notebook_count(me))


class NotebookController(Controller):
    path = "/members/{member_id:int}/notebook"
    guards = [requires_active_member]

    @get("/", name="notebook")
    async def show_notebook(
        self,
        request: Request,
        me: NamedDependency[Member],
        member_id: FromPath[int],
        page: FromQuery[int] = 1,
    ) -> Template:
        return await _notebook_answer(request, me, member_id, page)

    @post("/")
    async def write_greeting(
        self,
        request: Request,
        me: NamedDependency[Member],
        member_id: FromPath[int],
        data: URLEncodedBody[GreetingForm],
    ) -> Template | Redirect:
        try:
            await service.write_in_notebook(me, member_id, data.body)
        except FormInvalid as exc:
            return await _notebook_answer(
                request, me, member_id, errors=exc.errors, draft=data.body, status_code=422
            )
        if is_fragment_request(request):
            return await _notebook_answer(request, me, member_id)
        return see_other(f"/members/{member_id}/notebook")

    @post("/{entry_id:int}/delete")
    async def delete_greeting(
        self,
        request: Request,
        me: NamedDependency[Member],
        member_id: FromPath[int],
        entry_id: FromPath[int],
    ) -> Template | Redirect:
        owner_id = await service.delete_notebook_entry(me, entry_id)
        if is_fragment_request(request):
            return await _notebook_answer(request, me, owner_id)
        return see_other(f"/members/{owner_id}/notebook")


async def _notebook_answer(
    request: Request,
    me: Member,
    owner_id: int,
    page: int = 1,
    *,
    errors: dict[str, str] | None = None,
    draft: str = "",
    status_code: int = 200,
) -> Template:
    """The notebook page, or its fragment for htmx (with the form's errors and draft)."""
    notebook = await service.open_notebook(me, owner_id, page)
    return render(
        request,
        "footprints/notebook.html",
        {"notebook": notebook, "errors": errors or {}, "draft": draft},
        fragment="footprints/_notebook.html",
        status_code=status_code,
    )


async def profile_section(viewing: Viewing) -> ProfileSection | None:
    """On every profile: the lifetime footprint count and the first page of the notebook."""
    try:
        notebook = await service.profile_notebook(viewing)
    except DomainError:
        return None
    return ProfileSection(
        template="footprints/_profile_section.html",
        context={
            "notebook": notebook,
            "lifetime": await service.lifetime_footprints(viewing.owner.id),
            "errors": {},
            "draft": "",
        },
        order=90,
    )


CONTROLLERS = [FootprintController, NotebookController]
