"""Web pages of communities, one controller per sub-resource: the communities themselves
(browse, create, show, edit), membership and roles, topics, replies (the live thread),
events, and moderation. Handlers parse, call the service, render."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import File, Redirect, Template
from msgspec.structs import asdict

from ashiato.communities.commands import (
    BackForm,
    CommunityUpload,
    JoinForm,
    ReplyForm,
    ReportForm,
    SubAdminForm,
    TopicForm,
)
from ashiato.communities.service import (
    communities,
    events,
    forms,
    membership,
    moderation,
    roles,
    threads,
    topics,
)
from ashiato.communities.service.permissions import may_moderate_person
from ashiato.communities.service.text import reply_url, topic_url
from ashiato.communities.tables import JoinPolicy, TopicPolicy
from ashiato.errors import FormInvalid
from ashiato.members.tables import Member
from ashiato.photos import photo_response
from ashiato.registry import ProfileSection, Viewing
from ashiato.settings import Settings
from ashiato.web import (
    is_fragment_request,
    render,
    requires_active_member,
    safe_next,
    see_other,
)

COMMUNITY = "/communities/{community_id:int}"
TOPIC = COMMUNITY + "/topics/{topic_id:int}"


def _community_path(community_id: int) -> str:
    return f"/communities/{community_id}"


def _form_choices() -> dict[str, Any]:
    return {
        "categories": forms.CATEGORIES,
        "join_policies": JoinPolicy,
        "topic_policies": TopicPolicy,
    }


def _typed(form: Any) -> dict[str, Any]:
    """What the member typed, for showing the form again (templates read it as a mapping)."""
    return asdict(form)


async def profile_section(viewing: Viewing) -> ProfileSection | None:
    """The owner's communities with member counts, for their profile page (the service's
    relation check is answered from the viewing the profile page decided)."""
    found, total = await membership.communities_of(viewing.viewer, viewing.owner)
    if not found:
        return None
    return ProfileSection(
        template="communities/_profile_communities.html",
        context={"communities": found, "total": total, "owner_id": viewing.owner.id},
        order=60,
    )


class CommunityController(Controller):
    """Browse and search, create, show and edit a community, its picture."""

    path = "/communities"
    guards = [requires_active_member]

    @get("/", name="communities")
    async def browse(
        self,
        request: Request,
        me: NamedDependency[Member],
        q: FromQuery[str] = "",
        category: FromQuery[str] = "",
        order: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        found = await communities.browse(me, q=q, category=category, order=order, page=page)
        mine, mine_total = await membership.my_communities(me)
        return render(
            request,
            "communities/browse.html",
            {"browse": found, "mine": mine, "mine_total": mine_total, **_form_choices()},
            fragment="communities/_community_results.html",
        )

    @get("/home-latest", name="communities_home_latest")
    async def home_latest(self, request: Request, me: NamedDependency[Member]) -> Template:
        """Fragment for home: the latest topics in the member's communities."""
        latest = await topics.latest_topics_in_my_communities(me)
        return render(
            request,
            "communities/home_latest.html",
            {"latest_topics": latest},
            fragment="communities/_home_latest_topics.html",
        )

    @get("/members/{member_id:int}")
    async def member_communities(
        self, request: Request, me: NamedDependency[Member], member_id: FromPath[int]
    ) -> Template:
        """All of a member's communities (the profile shows the first few)."""
        owner, found, total = await membership.communities_of_member(me, member_id)
        return render(
            request,
            "communities/member_communities.html",
            {"communities": found, "total": total, "owner": owner},
        )

    @get("/new")
    async def show_new_community(self, request: Request) -> Template:
        form = _typed(forms.new_community_form())
        return render(
            request, "communities/new.html", {"form": form, "errors": {}, **_form_choices()}
        )

    @post("/")
    async def create_community(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        data: MultipartBody[CommunityUpload],
    ) -> Template | Redirect:
        try:
            community = await communities.create_community(
                me, data, await data.image_bytes(), settings
            )
        except FormInvalid as exc:
            return render(
                request,
                "communities/new.html",
                {"form": _typed(data), "errors": exc.errors, **_form_choices()},
                status_code=422,
            )
        return see_other(_community_path(community.id))

    @get("/{community_id:int}")
    async def show_community(
        self, request: Request, me: NamedDependency[Member], community_id: FromPath[int]
    ) -> Template:
        page = await communities.community_page(me, community_id)
        return render(request, "communities/community.html", {"page": page})

    @get("/{community_id:int}/image")
    async def show_image(
        self,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        community_id: FromPath[int],
        size: FromQuery[str] = "",
    ) -> File:
        """The community's picture (its thumbnail with ?size=thumb)."""
        key = await communities.image_key(me, community_id)
        return photo_response(settings, key, thumbnail=size == "thumb")

    async def _edit_form(
        self, request: Request, me: Member, community_id: int, form: dict, errors: dict
    ) -> Template:
        community = await communities.community_for_admin(me, community_id)
        return render(
            request,
            "communities/edit.html",
            {
                "community": community,
                "form": form or _typed(forms.community_form(community)),
                "errors": errors,
                **_form_choices(),
            },
            status_code=422 if errors else 200,
        )

    @get("/{community_id:int}/edit")
    async def show_edit_community(
        self, request: Request, me: NamedDependency[Member], community_id: FromPath[int]
    ) -> Template:
        return await self._edit_form(request, me, community_id, {}, {})

    @post("/{community_id:int}/edit")
    async def edit_community(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        community_id: FromPath[int],
        data: MultipartBody[CommunityUpload],
    ) -> Template | Redirect:
        try:
            await communities.update_community(
                me, community_id, data, await data.image_bytes(), settings
            )
        except FormInvalid as exc:
            return await self._edit_form(request, me, community_id, _typed(data), exc.errors)
        return see_other(_community_path(community_id))


class MembershipController(Controller):
    """Join and leave, the member list, requests to join, and the admin roles."""

    path = COMMUNITY
    guards = [requires_active_member]

    async def _membership_answer(
        self, request: Request, me: Member, community_id: int
    ) -> Template | Redirect:
        if is_fragment_request(request):
            page = await communities.community_page(me, community_id)
            return render(
                request,
                "communities/community.html",
                {"page": page},
                fragment="communities/_membership.html",
            )
        return see_other(_community_path(community_id))

    @post("/join")
    async def join(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        data: URLEncodedBody[JoinForm],
    ) -> Template | Redirect:
        await membership.join(me, community_id, data.message)
        return await self._membership_answer(request, me, community_id)

    @post("/leave")
    async def leave(
        self, request: Request, me: NamedDependency[Member], community_id: FromPath[int]
    ) -> Template | Redirect:
        await membership.leave(me, community_id)
        return await self._membership_answer(request, me, community_id)

    @get("/members")
    async def show_members(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        page: FromQuery[int] = 1,
    ) -> Template:
        listing = await membership.member_list(me, community_id, page)
        return render(
            request,
            "communities/members.html",
            {"listing": listing, "may_moderate": may_moderate_person},
            fragment="communities/_member_list.html",
        )

    @post("/requests/{member_id:int}/approve")
    async def approve(
        self, me: NamedDependency[Member], community_id: FromPath[int], member_id: FromPath[int]
    ) -> Redirect:
        await membership.approve(me, community_id, member_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @post("/requests/{member_id:int}/decline")
    async def decline(
        self, me: NamedDependency[Member], community_id: FromPath[int], member_id: FromPath[int]
    ) -> Redirect:
        await membership.decline(me, community_id, member_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @post("/claim-admin")
    async def claim_admin(
        self, me: NamedDependency[Member], community_id: FromPath[int]
    ) -> Redirect:
        await roles.claim_admin(me, community_id)
        return see_other(_community_path(community_id))

    @post("/members/{member_id:int}/sub-admin")
    async def set_sub_admin(
        self,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        member_id: FromPath[int],
        data: URLEncodedBody[SubAdminForm],
    ) -> Redirect:
        await roles.set_sub_admin(me, community_id, member_id, data.on == "1")
        return see_other(f"{_community_path(community_id)}/members")

    @post("/members/{member_id:int}/hand-over")
    async def hand_over(
        self, me: NamedDependency[Member], community_id: FromPath[int], member_id: FromPath[int]
    ) -> Redirect:
        await roles.hand_over(me, community_id, member_id)
        return see_other(_community_path(community_id))


class ModerationController(Controller):
    """The admins' page: removals, bans, and the reports members send them."""

    path = COMMUNITY
    guards = [requires_active_member]

    @get("/manage")
    async def show_manage(
        self, request: Request, me: NamedDependency[Member], community_id: FromPath[int]
    ) -> Template:
        page = await moderation.manage_page(me, community_id)
        return render(request, "communities/manage.html", {"page": page})

    def _back(self, data: BackForm, community_id: int, page: str) -> Redirect:
        """Back to the page the moderation form was on (members or manage)."""
        return see_other(safe_next(data.next, f"{_community_path(community_id)}/{page}"))

    @post("/members/{member_id:int}/remove")
    async def remove_member(
        self,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        member_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Redirect:
        await moderation.remove_member(me, community_id, member_id)
        return self._back(data, community_id, "members")

    @post("/members/{member_id:int}/ban")
    async def ban(
        self,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        member_id: FromPath[int],
        data: URLEncodedBody[BackForm],
    ) -> Redirect:
        await moderation.ban(me, community_id, member_id)
        return self._back(data, community_id, "members")

    @post("/members/{member_id:int}/unban")
    async def unban(
        self, me: NamedDependency[Member], community_id: FromPath[int], member_id: FromPath[int]
    ) -> Redirect:
        await moderation.unban(me, community_id, member_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @post("/reports/{report_id:int}/resolve")
    async def resolve_report(
        self, me: NamedDependency[Member], community_id: FromPath[int], report_id: FromPath[int]
    ) -> Redirect:
        await moderation.resolve_report(me, community_id, report_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @get("/topics/{topic_id:int}/report")
    async def show_report(
        self,
        request: Request,
        community_id: FromPath[int],
        topic_id: FromPath[int],
        number: FromQuery[int | None] = None,
    ) -> Template:
        context = {"community_id": community_id, "topic_id": topic_id, "number": number}
        return render(request, "communities/report.html", {**context, "form": {}, "errors": {}})

    @post("/topics/{topic_id:int}/report")
    async def report(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        data: URLEncodedBody[ReportForm],
    ) -> Template:
        number = int(data.number) if data.number.isdigit() else None
        context = {"community_id": community_id, "topic_id": topic_id, "number": number}
        try:
            await moderation.report(me, community_id, topic_id, number, data.reason)
        except FormInvalid as exc:
            return render(
                request,
                "communities/report.html",
                {**context, "form": _typed(data), "errors": exc.errors},
                status_code=422,
            )
        return render(
            request, "communities/report.html", {**context, "form": {}, "errors": {}, "sent": True}
        )


class TopicController(Controller):
    """A community's topics: the list, starting one (or an event), the thread, editing."""

    path = COMMUNITY + "/topics"
    guards = [requires_active_member]

    @get("/")
    async def show_topics(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        page: FromQuery[int] = 1,
    ) -> Template:
        listing = await topics.topic_list(me, community_id, page)
        return render(request, "communities/topics.html", {"listing": listing})

    @get("/new")
    async def show_new_topic(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        event: FromQuery[int] = 0,
    ) -> Template:
        community = await topics.community_for_new_topic(me, community_id)
        return render(
            request,
            "communities/topic_form.html",
            {"community": community, "is_event": bool(event), "form": {}, "errors": {}},
        )

    @post("/")
    async def start_topic(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        data: URLEncodedBody[TopicForm],
    ) -> Template | Redirect:
        try:
            topic = await topics.start_topic(me, community_id, data)
        except FormInvalid as exc:
            community = await topics.community_for_new_topic(me, community_id)
            return render(
                request,
                "communities/topic_form.html",
                {
                    "community": community,
                    "is_event": data.is_event == "1",
                    "form": _typed(data),
                    "errors": exc.errors,
                },
                status_code=422,
            )
        return see_other(topic_url(community_id, topic.id))

    @get("/{topic_id:int}")
    async def show_thread(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        page: FromQuery[int | None] = None,
    ) -> Template:
        thread = await threads.thread(me, community_id, topic_id, page)
        return render(
            request,
            "communities/thread.html",
            {"thread": thread, "form": {}, "errors": {}},
        )

    async def _edit_form(
        self, request: Request, me: Member, community_id: int, topic_id: int, form: dict, errors
    ) -> Template:
        topic = await topics.topic_for_editing(me, community_id, topic_id)
        return render(
            request,
            "communities/topic_form.html",
            {
                "community_id": community_id,
                "topic": topic,
                "is_event": topic.is_event,
                "form": form or _typed(forms.topic_form(topic)),
                "errors": errors,
            },
            status_code=422 if errors else 200,
        )

    @get("/{topic_id:int}/edit")
    async def show_edit_topic(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
    ) -> Template:
        return await self._edit_form(request, me, community_id, topic_id, {}, {})

    @post("/{topic_id:int}/edit")
    async def edit_topic(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        data: URLEncodedBody[TopicForm],
    ) -> Template | Redirect:
        try:
            await topics.edit_topic(me, community_id, topic_id, data)
        except FormInvalid as exc:
            return await self._edit_form(
                request, me, community_id, topic_id, _typed(data), exc.errors
            )
        return see_other(topic_url(community_id, topic_id))

    @post("/{topic_id:int}/delete")
    async def delete_topic(
        self, me: NamedDependency[Member], community_id: FromPath[int], topic_id: FromPath[int]
    ) -> Redirect:
        await topics.delete_topic(me, community_id, topic_id)
        return see_other(_community_path(community_id))


class ReplyController(Controller):
    """A thread's replies: the live poll, posting, editing and deleting one."""

    path = TOPIC + "/replies"
    guards = [requires_active_member]

    @get("/")
    async def poll_replies(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        after: FromQuery[int] = 0,
    ) -> Template | Response | Redirect:
        """The live thread asks every few seconds for replies after the last one shown."""
        if not is_fragment_request(request):
            return see_other(topic_url(community_id, topic_id))
        new = await threads.replies_after(me, community_id, topic_id, after)
        if not new.replies:
            return Response(content=b"", status_code=204, headers={"vary": "HX-Request"})
        return render(request, "communities/_new_replies.html", {"new": new})

    @post("/")
    async def post_reply(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        data: URLEncodedBody[ReplyForm],
    ) -> Template | Redirect:
        try:
            number = await threads.post_reply(me, community_id, topic_id, data.body)
        except FormInvalid as exc:
            thread = await threads.thread(me, community_id, topic_id)
            return render(
                request,
                "communities/thread.html",
                {"thread": thread, "form": _typed(data), "errors": exc.errors},
                fragment="communities/_reply_form.html",
                status_code=422,
            )
        if not is_fragment_request(request):
            return see_other(reply_url(community_id, topic_id, number))
        try:
            after = int(data.after)
        except ValueError:
            after = number - 1
        new = await threads.replies_after(me, community_id, topic_id, after)
        return render(
            request,
            "communities/_reply_posted.html",
            {
                "new": new,
                "community_id": community_id,
                "topic_id": topic_id,
                "form": {},
                "errors": {},
            },
        )

    def _edit_form(
        self, request: Request, ids: tuple[int, int, int], form: dict, errors: dict
    ) -> Template:
        community_id, topic_id, number = ids
        return render(
            request,
            "communities/reply_edit.html",
            {
                "community_id": community_id,
                "topic_id": topic_id,
                "number": number,
                "form": form,
                "errors": errors,
            },
            status_code=422 if errors else 200,
        )

    @get("/{number:int}/edit")
    async def show_edit_reply(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        number: FromPath[int],
    ) -> Template:
        reply = await threads.reply_for_editing(me, community_id, topic_id, number)
        return self._edit_form(request, (community_id, topic_id, number), {"body": reply.body}, {})

    @post("/{number:int}/edit")
    async def edit_reply(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        number: FromPath[int],
        data: URLEncodedBody[ReplyForm],
    ) -> Template | Redirect:
        try:
            await threads.edit_reply(me, community_id, topic_id, number, data.body)
        except FormInvalid as exc:
            ids = (community_id, topic_id, number)
            return self._edit_form(request, ids, _typed(data), exc.errors)
        return see_other(reply_url(community_id, topic_id, number))

    @post("/{number:int}/delete")
    async def delete_reply(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
        number: FromPath[int],
    ) -> Template | Redirect:
        reply = await threads.delete_reply(me, community_id, topic_id, number)
        if is_fragment_request(request):
            return render(
                request,
                "communities/_reply.html",
                {"reply": reply, "community_id": community_id, "topic_id": topic_id},
            )
        return see_other(reply_url(community_id, topic_id, number))


class EventController(Controller):
    """Taking part in an event, and stepping back from it."""

    path = TOPIC + "/participants"
    guards = [requires_active_member]

    async def _event_answer(
        self, request: Request, me: Member, community_id: int, topic_id: int
    ) -> Template | Redirect:
        if is_fragment_request(request):
            thread = await threads.thread(me, community_id, topic_id, 1)
            return render(
                request,
                "communities/thread.html",
                {"thread": thread},
                fragment="communities/_event.html",
            )
        return see_other(topic_url(community_id, topic_id))

    @post("/")
    async def join_event(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
    ) -> Template | Redirect:
        await events.join_event(me, community_id, topic_id)
        return await self._event_answer(request, me, community_id, topic_id)

    @post("/leave")
    async def leave_event(
        self,
        request: Request,
        me: NamedDependency[Member],
        community_id: FromPath[int],
        topic_id: FromPath[int],
    ) -> Template | Redirect:
        await events.leave_event(me, community_id, topic_id)
        return await self._event_answer(request, me, community_id, topic_id)


CONTROLLERS: list[type] = [
    CommunityController,
    MembershipController,
    ModerationController,
    TopicController,
    ReplyController,
    EventController,
]
