"""Web pages of maimiku: my list, requests, introductions, blocks and the graph explorer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template

from ashiato import registry
from ashiato.errors import FormInvalid
from ashiato.friends import explorer, service
from ashiato.registry import FaceLookup, ProfileSection
from ashiato.web import (
    current_member,
    form_data,
    is_fragment_request,
    render,
    requires_active_member,
    safe_next,
    see_other,
    settings_of,
)

if TYPE_CHECKING:
    from ashiato.members.tables import Member


# Sent with every change to the viewer's pending requests, so a navigation badge that
# listens (hx-trigger="friendRequestsChanged from:body") can refresh itself.
REQUESTS_CHANGED = {"HX-Trigger": "friendRequestsChanged"}


async def profile_section(viewer: Member, owner: Member) -> ProfileSection | None:
    """The maimiku block of a profile: faces, count, the viewer's buttons, introductions."""
    friends = await service.profile_friends(viewer, owner)
    if friends is None:
        return None
    return ProfileSection(
        template="friends/_profile_faces.html",
        context={"friends": friends, "owner": owner},
        order=20,
        faces=friends.face_ids(),
    )


def provide_faces(state: State) -> FaceLookup:
    """`faces`: members' faces, from the feature that owns them (profiles depends on this
    one, so it is found in the registry, not imported)."""
    return registry.face_lookup(state.features)


def _me(request: Request) -> Member:
    member = current_member(request)
    assert member is not None  # the guard let only active members in
    return member


def _back(form: dict[str, str], default: str) -> str:
    return safe_next(form.get("next"), default)


class FriendsController(Controller):
    path = "/friends"
    guards = [requires_active_member]
    dependencies = {"faces": Provide(provide_faces, sync_to_thread=False)}

    @get("/", name="friends")
    async def show_friends(
        self, request: Request, faces: NamedDependency[FaceLookup], page: int = 1
    ) -> Template:
        friends = await service.overview(_me(request), page, faces=faces)
        return render(request, "friends/index.html", {"friends": friends})

    @get("/requests/badge", name="friend_request_badge")
    async def show_request_badge(self, request: Request) -> Template:
        count = await service.pending_request_count(_me(request))
        return render(request, "friends/_badge.html", {"count": count})

    @post("/requests/{request_id:int}/approve")
    async def approve_request(
        self, request: Request, faces: NamedDependency[FaceLookup], request_id: int
    ) -> Template | Redirect:
        form = await form_data(request)
        me = _me(request)
        sender = await service.approve_request(me, request_id, settings_of(request))
        return await self._requests_answer(request, form, faces, approved=sender)

    @post("/requests/{request_id:int}/decline")
    async def decline_request(
        self, request: Request, faces: NamedDependency[FaceLookup], request_id: int
    ) -> Template | Redirect:
        form = await form_data(request)
        await service.decline_request(_me(request), request_id)
        return await self._requests_answer(request, form, faces)

    @post("/requests/{request_id:int}/cancel")
    async def cancel_request(self, request: Request, request_id: int) -> Redirect:
        form = await form_data(request)
        await service.cancel_request(_me(request), request_id)
        return see_other(_back(form, "/friends"))

    @get("/add/{member_id:int}", name="friend_request_form")
    async def show_request_form(self, request: Request, member_id: int) -> Template:
        other = await service.request_target(_me(request), member_id)
        return render(request, "friends/request.html", {"other": other, "form": {}, "errors": {}})

    @post("/add/{member_id:int}")
    async def send_request(self, request: Request, member_id: int) -> Template | Redirect:
        form = await form_data(request)
        me = _me(request)
        try:
            outcome = await service.send_request(
                me, member_id, form.get("message", ""), settings_of(request)
            )
        except FormInvalid as exc:
            other = await service.request_target(me, member_id)
            return render(
                request,
                "friends/request.html",
                {"other": other, "form": form, "errors": exc.errors},
                status_code=422,
            )
        return see_other(f"/members/{outcome.other.id}")

    @post("/{member_id:int}/end")
    async def end_friendship(self, request: Request, member_id: int) -> Redirect:
        form = await form_data(request)
        await service.end_friendship(_me(request), member_id)
        return see_other(_back(form, "/friends"))

    @get("/of/{member_id:int}", name="friend_list")
    async def show_friend_list(
        self, request: Request, faces: NamedDependency[FaceLookup], member_id: int, page: int = 1
    ) -> Template:
        listing = await service.friend_list(_me(request), member_id, page, faces=faces)
        return render(request, "friends/list.html", {"listing": listing})

    @post("/privacy")
    async def set_privacy(self, request: Request) -> Redirect:
        form = await form_data(request)
        await service.set_friend_list_hidden(_me(request), form.get("hide_friend_list") == "1")
        return see_other("/friends#friend-privacy")

    @post("/blocks/{member_id:int}")
    async def block(self, request: Request, member_id: int) -> Redirect:
        form = await form_data(request)
        await service.block(_me(request), member_id)
        return see_other(_back(form, "/friends#blocked-members"))

    @post("/blocks/{member_id:int}/remove")
    async def unblock(self, request: Request, member_id: int) -> Redirect:
        form = await form_data(request)
        await service.unblock(_me(request), member_id)
        return see_other(_back(form, "/friends#blocked-members"))

    @get("/introductions/{member_id:int}", name="introduction_form")
    async def show_introduction_form(self, request: Request, member_id: int) -> Template:
        subject, draft = await service.introduction_draft(_me(request), member_id)
        return render(
            request,
            "friends/introduction.html",
            {"subject": subject, "form": {"body": draft}, "errors": {}, "editing": bool(draft)},
        )

    @post("/introductions/{member_id:int}")
    async def write_introduction(self, request: Request, member_id: int) -> Template | Redirect:
        form = await form_data(request)
        me = _me(request)
        try:
            subject = await service.write_introduction(me, member_id, form.get("body", ""))
        except FormInvalid as exc:
            subject, draft = await service.introduction_draft(me, member_id)
            return render(
                request,
                "friends/introduction.html",
                {"subject": subject, "form": form, "errors": exc.errors, "editing": bool(draft)},
                status_code=422,
            )
        return see_other(f"/members/{subject.id}#introductions")

    @post("/introductions/entry/{introduction_id:int}/hide")
    async def hide_introduction(self, request: Request, introduction_id: int) -> Redirect:
        form = await form_data(request)
        subject = await service.set_introduction_hidden(_me(request), introduction_id, True)
        return see_other(_back(form, f"/members/{subject}#introductions"))

    @post("/introductions/entry/{introduction_id:int}/show")
    async def show_introduction(self, request: Request, introduction_id: int) -> Redirect:
        form = await form_data(request)
        subject = await service.set_introduction_hidden(_me(request), introduction_id, False)
        return see_other(_back(form, f"/members/{subject}#introductions"))

    @post("/introductions/entry/{introduction_id:int}/delete")
    async def delete_introduction(self, request: Request, introduction_id: int) -> Redirect:
        form = await form_data(request)
        subject = await service.delete_introduction(_me(request), introduction_id)
        return see_other(_back(form, f"/members/{subject}#introductions"))

    @get("/graph", name="friend_graph")
    async def show_graph(
        self,
        request: Request,
        faces: NamedDependency[FaceLookup],
        group: list[str] | None = None,
        chain: str = "",
        view: str = "focus",
        set_view: str = "",
        expand: int | None = None,
        find: str | None = None,
        q: str = "",
        to: int | None = None,
    ) -> Template:
        """The graph explorer; its state travels in the address, so it needs no session
        (and, like every page here, it leaves no footprints)."""
        state = explorer.GraphState.parse(group or [], chain, set_view or view)
        graph = await explorer.explore(
            _me(request),
            state,
            faces=faces,
            expand=expand,
            find=q if find is not None else None,
            to=to,
        )
        return render(
            request, "friends/graph.html", {"graph": graph}, fragment="friends/_graph.html"
        )

    # -- helpers -----------------------------------------------------------------------

    async def _requests_answer(
        self,
        request: Request,
        form: dict[str, str],
        faces: FaceLookup,
        approved: Member | None = None,
    ) -> Template | Redirect:
        """The pending list again, in place for htmx; else back where the form was."""
        if not is_fragment_request(request):
            return see_other(_back(form, "/friends"))
        me = _me(request)
        template = render(
            request,
            "friends/index.html",
            {"pending": await service.pending_with_faces(me, faces=faces), "approved": approved},
            fragment="friends/_requests.html",
        )
        template.headers.update(REQUESTS_CHANGED)
        return template


CONTROLLERS: list[type] = [FriendsController]
