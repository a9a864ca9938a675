"""Home: the landing page for visitors, the dashboard for members."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from ashiato.communities import service as communities
from ashiato.diaries import service as diaries
from ashiato.members.tables import MemberStatus
from ashiato.web import current_member, render, requires_active_member, see_other


class HomeController(Controller):
    path = "/"

    @get("/", name="home")
    async def show_home(self, request: Request) -> Template:
        member = current_member(request)
        if member is None:
            return render(request, "home/landing.html", {"form": {}, "next": "/"})
        if member.status != MemberStatus.ACTIVE:
            return see_other("/welcome")  # type: ignore[return-value]
        return render(
            request,
            "home/home.html",
            {
                "member": member,
                "latest": await diaries.friends_latest(member),
                "latest_topics": await communities.latest_topics_in_my_communities(member),
            },
        )


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
