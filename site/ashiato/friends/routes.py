"""Web pages of maimiku: my list, requests, introductions, blocks and the graph explorer."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from ashiato import registry
from ashiato.errors import FormInvalid
from ashiato.friends import explorer, service
from ashiato.friends.forms import BackForm, IntroductionForm, PrivacyForm, RequestForm
from ashiato.members.tables import Member
from ashiato.registry import FaceLookup, ProfileSection, Viewing
from ashiato.settings import Settings
from ashiato.web import (
    is_fragment_request,
    render,
    requires_active_member,
    safe_next,
    see_other,
)

# Sent with every change to the viewer's pending requests, so a navigation badge that
# listens (hx-trigger="friendRequestsChanged from:body") can refresh itself.
REQUESTS_CHANGED = {"HX-Trigger": "friendRequestsChanged"}


async def profile_section(viewing: Viewing) -> ProfileSection | None:
    """The maimiku block of a profile: faces, count, the viewer's buttons, introductions."""
    friends = await service.profile_friends(viewing)
    if friends is None:
        return None
    return ProfileSection(
        template="friends/_profile_faces.html",
        context={"friends": friends, "owner": viewing.owner},
        order=20,
        faces=friends.face_ids(),
    )


def provide_faces(state: State) -> FaceLookup:
    """`faces`: members' faces, from the feature that owns them (profiles depends on this
    one, so it is found in the registry, not imported)."""
    return registry.face_lookup(state.features)


class FriendsController(Controller):
    path = "/friends"
    guards = [requires_active_member]
    dependencies = {"faces": Provide(provide_faces, sync_to_thread=False)}

    @get("/", name="friends")
    async def show_friends(
        self,
        request: Request,
        me: NamedDependency[Member],
        faces: NamedDependency[FaceLookup],
        page: FromQuery[int] = 1,
    ) -> Template:
        friends = await service.overview(me, page, faces=faces)
        return render(request, "friends/index.html", {"friends": friends})

    @get("/requests/badge", name="friend_request_badge")
    async def show_request_badge(self, request: Request, me: NamedDependency[Member]) -> Template:
        count = await service.pending_request_count(me)
        return render(request, "friends/_badge.html", {"count": count})

    @post("/requests/{request_id:int}/approve")
    async def approve_request(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        faces: NamedDependency[FaceLookup],
        request_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Template | Redirect:
        sender = await service.approve_request(me, request_id, settings)
        return await _requests_answer(request, me, data, faces, approved=sender)

    @post("/requests/{request_id:int}/decline")
    async def decline_request(
        self,
        request: Request,
        me: NamedDependency[Member],
        faces: NamedDependency[FaceLookup],
        request_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Template | Redirect:
        await service.decline_request(me, request_id)
        return await _requests_answer(request, me, data, faces)

    @post("/requests/{request_id:int}/cancel")
    async def cancel_request(
        self, me: NamedDependency[Member], request_id: FromPath[int], data: URLEncodedBody[BackForm]
    ) -> Redirect:
        await service.cancel_request(me, request_id)
        return see_other(safe_next(data.next, "/friends"))

    @get("/add/{member_id:int}", name="friend_request_form")
    async def show_request_form(
        self, request: Request, me: NamedDependency[Member], member_id: FromPath[int]
    ) -> Template:
        other = await service.request_target(me, member_id)
        return render(
            request, "friends/request.html", {"other": other, "form": RequestForm(), "errors": {}}
        )

    @post("/add/{member_id:int}")
    async def send_request(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        member_id: FromPath[int],
        data: URLEncodedBody[RequestForm],
    ) -> Template | Redirect:
        try:
            outcome = await service.send_request(me, member_id, data.message, settings)
        except FormInvalid as exc:
            other = await service.request_target(me, member_id)
            return render(
                request,
                "friends/request.html",
                {"other": other, "form": data, "errors": exc.errors},
                status_code=422,
            )
        return see_other(f"/members/{outcome.other.id}")

    @post("/{member_id:int}/end")
    async def end_friendship(
        self, me: NamedDependency[Member], member_id: FromPath[int], data: URLEncodedBody[BackForm]
    ) -> Redirect:
        await service.end_friendship(me, member_id)
        return see_other(safe_next(data.next, "/friends"))

    @get("/of/{member_id:int}", name="friend_list")
    async def show_friend_list(
        self,
        request: Request,
        me: NamedDependency[Member],
        faces: NamedDependency[FaceLookup],
        member_id: FromPath[int],
        page: FromQuery[int] = 1,
    ) -> Template:
        listing = await service.friend_list(me, member_id, page, faces=faces)
        return render(request, "friends/list.html", {"listing": listing})

    @post("/privacy")
    async def set_privacy(
        self, me: NamedDependency[Member], data: URLEncodedBody[PrivacyForm]
    ) -> Redirect:
        await service.set_friend_list_hidden(me, data.hidden)
        return see_other("/friends#friend-privacy")

    @post("/blocks/{member_id:int}")
    async def block(
        self, me: NamedDependency[Member], member_id: FromPath[int], data: URLEncodedBody[BackForm]
    ) -> Redirect:
        await service.block(me, member_id)
        return see_other(safe_next(data.next, "/friends#blocked-members"))

    @post("/blocks/{member_id:int}/remove")
    async def unblock(
        self, me: NamedDependency[Member], member_id: FromPath[int], data: URLEncodedBody[BackForm]
    ) -> Redirect:
        await service.unblock(me, member_id)
        return see_other(safe_next(data.next, "/friends#blocked-members"))

    @get("/introductions/{member_id:int}", name="introduction_form")
    async def show_introduction_form(
        self, request: Request, me: NamedDependency[Member], member_id: FromPath[int]
    ) -> Template:
        subject, draft = await service.introduction_draft(me, member_id)
        return render(
            request,
            "friends/introduction.html",
            {
                "subject": subject,
                "form": IntroductionForm(body=draft),
                "errors": {},
                "editing": bool(draft),
            },
        )

    @post("/introductions/{member_id:int}")
    async def write_introduction(
        self,
        request: Request,
        me: NamedDependency[Member],
        member_id: FromPath[int],
        data: URLEncodedBody[IntroductionForm],
    ) -> Template | Redirect:
        try:
            subject = await service.write_introduction(me, member_id, data.body)
        except FormInvalid as exc:
            subject, draft = await service.introduction_draft(me, member_id)
            return render(
                request,
                "friends/introduction.html",
                {"subject": subject, "form": data, "errors": exc.errors, "editing": bool(draft)},
                status_code=422,
            )
        return see_other(f"/members/{subject.id}#introductions")

    @post("/introductions/entry/{introduction_id:int}/hide")
    async def hide_introduction(
        self,
        me: NamedDependency[Member],
        introduction_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Redirect:
        subject = await service.set_introduction_hidden(me, introduction_id, True)
        return see_other(safe_next(data.next, f"/members/{subject}#introductions"))

    @post("/introductions/entry/{introduction_id:int}/show")
    async def show_introduction(
        self,
        me: NamedDependency[Member],
        introduction_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Redirect:
        subject = await service.set_introduction_hidden(me, introduction_id, False)
        return see_other(safe_next(data.next, f"/members/{subject}#introductions"))

    @post("/introductions/entry/{introduction_id:int}/delete")
    async def delete_introduction(
        self,
        me: NamedDependency[Member],
        introduction_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Redirect:
        subject = await service.delete_introduction(me, introduction_id)
        return see_other(safe_next(data.next, f"/members/{subject}#introductions"))

    @get("/graph", name="friend_graph")
    async def show_graph(
        self,
        request: Request,
        me: NamedDependency[Member],
        faces: NamedDependency[FaceLookup],
        group: FromQuery[list[str] | None] = None,
        chain: FromQuery[str] = "",
        view: FromQuery[str] = "focus",
        set_view: FromQuery[str] = "",
        expand: FromQuery[int | None] = None,
        find: FromQuery[str | None] = None,
        q: FromQuery[str] = "",
        to: FromQuery[int | None] = None,
    ) -> Template:
        """The graph explorer; its state travels in the address, so it needs no session
        (and, like every page here, it leaves no footprints)."""
        state = explorer.GraphState.parse(group or [], chain, set_view or view)
        graph = await explorer.explore(
            me,
            state,
            faces=faces,
            expand=expand,
            find=q if find is not None else None,
            to=to,
        )
        return render(
            request, "friends/graph.html", {"graph": graph}, fragment="friends/_graph.html"
        )


async def _requests_answer(
    request: Request,
    me: Member,
    form: BackForm,
    faces: FaceLookup,
    approved: Member | None = None,
) -> Template | Redirect:
    """The pending list again, in place for htmx; else back where the form was."""
    if not is_fragment_request(request):
        return see_other(safe_next(form.next, "/friends"))
    template = render(
        request,
        "friends/index.html",
        {"pending": await service.pending_with_faces(me, faces=faces), "approved": approved},
        fragment="friends/_requests.html",
    )
    template.headers.update(REQUESTS_CHANGED)
    return template


CONTROLLERS: list[type] = [FriendsController]
