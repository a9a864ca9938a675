"""Home: the landing page for visitors, the dashboard for members."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from ashiato import registry
from ashiato.members.tables import Member, MemberStatus
from ashiato.settings import Settings
from ashiato.web import render, requires_active_member, see_other


class HomeController(Controller):
    path = "/"

    @get("/", name="home")
    async def show_home(
        self,
        request: Request,
        viewer: NamedDependency[Member | None],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        """The landing page for visitors; for members, what the features put on home."""
        if viewer is None:
            return render(request, "home/landing.html", {"form": {}, "next": "/"})
        if viewer.status != MemberStatus.ACTIVE:
            return see_other("/welcome")
        sections = await registry.home_sections(request.app.state.features, viewer, settings)
        return render(request, "home/home.html", {"member": viewer, "sections": sections})


def not_yet_open_controller(sections: dict[str, str]) -> type[Controller]:
    """A page for each menu section (path → label) that no feature serves yet."""

    class NotYetOpenController(Controller):
        path = "/"
        guards = [requires_active_member]

        @get([f"/{section}" for section in sections], name="not_yet_open")
        async def show_not_yet_open(self, request: Request) -> Template:
            section = request.url.path.strip("/")
            return render(
                request,
                "home/not_yet_open.html",
                {"section": sections[section]},
                status_code=501,
            )

    return NotYetOpenController
