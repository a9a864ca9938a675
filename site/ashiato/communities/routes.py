"""Web pages of communities: browse and search, the community page, membership and
moderation, BBS topics with live replies, and events."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Template

from ashiato.communities import service
from ashiato.communities.tables import JoinPolicy, TopicPolicy
from ashiato.errors import FormInvalid
from ashiato.members.tables import Member
from ashiato.photos import photo_response
from ashiato.registry import ProfileSection
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

# Controllers this feature adds to the app, and the navigation sections it serves.


def _me(request: Request) -> Member:
    member = current_member(request)
    assert member is not None  # the guard let only active members in
    return member


def _form_choices() -> dict:
    return {
        "categories": service.CATEGORIES,
        "join_policies": JoinPolicy,
        "topic_policies": TopicPolicy,
    }


async def _form_and_image(request: Request) -> tuple[dict[str, str], bytes | None]:
    """A multipart community form: its text fields, and the uploaded image if any."""
    data = await request.form()
    form: dict[str, str] = {}
    image = None
    for key, value in data.items():
        if isinstance(value, UploadFile):
            if key == "image":
                image = await value.read() or None
        else:
            form[key] = str(value)
    return form, image


def _community_path(community_id: int) -> str:
    return f"/communities/{community_id}"


def _topic_path(community_id: int, topic_id: int) -> str:
    return f"/communities/{community_id}/topics/{topic_id}"


async def profile_section(viewer: Member, owner: Member) -> ProfileSection | None:
    """The owner's communities with member counts, for their profile page."""
    communities, total = await service.communities_of(viewer, owner)
    if not communities:
        return None
    return ProfileSection(
        template="communities/_profile_communities.html",
        context={"communities": communities, "total": total, "owner_id": owner.id},
        order=60,
    )


class CommunityController(Controller):
    path = "/communities"
    guards = [requires_active_member]

    # -- browse, search, create --------------------------------------------------------

    @get("/", name="communities")
    async def browse(
        self, request: Request, q: str = "", category: str = "", order: str = "", page: int = 1
    ) -> Template:
        member = _me(request)
        found = await service.browse(member, q=q, category=category, order=order, page=page)
        mine, mine_total = await service.my_communities(member)
        return render(
            request,
            "communities/browse.html",
            {"browse": found, "mine": mine, "mine_total": mine_total, **_form_choices()},
            fragment="communities/_community_results.html",
        )

    @get("/home-latest", name="communities_home_latest")
    async def home_latest(self, request: Request) -> Template:
        """Fragment for home: the latest topics in the member's communities."""
        topics = await service.latest_topics_in_my_communities(_me(request))
        return render(
            request,
            "communities/home_latest.html",
            {"latest_topics": topics},
            fragment="communities/_home_latest_topics.html",
        )

    @get("/members/{member_id:int}")
    async def member_communities(self, request: Request, member_id: int) -> Template:
        """All of a member's communities (the profile shows the first few)."""
        owner, communities, total = await service.communities_of_member(_me(request), member_id)
        return render(
            request,
            "communities/member_communities.html",
            {"communities": communities, "total": total, "owner": owner},
        )

    @get("/new")
    async def show_new_community(self, request: Request) -> Template:
        form = {"join_policy": JoinPolicy.OPEN, "topic_policy": TopicPolicy.MEMBERS}
        form["topics_public"] = "1"
        return render(
            request,
            "communities/new.html",
            {"form": form, "errors": {}, **_form_choices()},
        )

    @post("/")
    async def create_community(self, request: Request) -> Template | Redirect:
        form, image = await _form_and_image(request)
        try:
            community = await service.create_community(
                _me(request), form, image, settings_of(request)
            )
        except FormInvalid as exc:
            return render(
                request,
                "communities/new.html",
                {"form": form, "errors": exc.errors, **_form_choices()},
                status_code=422,
            )
        return see_other(_community_path(community.id))

    # -- the community -----------------------------------------------------------------

    @get("/{community_id:int}")
    async def show_community(self, request: Request, community_id: int) -> Template:
        page = await service.community_page(_me(request), community_id)
        return render(request, "communities/community.html", {"page": page})

    @get("/{community_id:int}/image")
    async def show_image(self, request: Request, community_id: int, size: str = "") -> File:
        """The community's picture (its thumbnail with ?size=thumb)."""
        key = await service.image_key(_me(request), community_id)
        return photo_response(settings_of(request), key, thumbnail=size == "thumb")

    @get("/{community_id:int}/edit")
    async def show_edit_community(self, request: Request, community_id: int) -> Template:
        community = await service.community_for_admin(_me(request), community_id)
        form = {
            "name": community.name,
            "category": community.category,
            "description": community.description,
            "join_policy": community.join_policy,
            "topic_policy": community.topic_policy,
            "topics_public": "1" if community.topics_public else "",
        }
        return render(
            request,
            "communities/edit.html",
            {"community": community, "form": form, "errors": {}, **_form_choices()},
        )

    @post("/{community_id:int}/edit")
    async def edit_community(self, request: Request, community_id: int) -> Template | Redirect:
        form, image = await _form_and_image(request)
        member = _me(request)
        try:
            await service.update_community(member, community_id, form, image, settings_of(request))
        except FormInvalid as exc:
            community = await service.community_for_admin(member, community_id)
            return render(
                request,
                "communities/edit.html",
                {"community": community, "form": form, "errors": exc.errors, **_form_choices()},
                status_code=422,
            )
        return see_other(_community_path(community_id))

    async def _membership_answer(self, request: Request, community_id: int) -> Template | Redirect:
        if is_fragment_request(request):
            page = await service.community_page(_me(request), community_id)
            return render(
                request,
                "communities/community.html",
                {"page": page},
                fragment="communities/_membership.html",
            )
        return see_other(_community_path(community_id))

    @post("/{community_id:int}/join")
    async def join(self, request: Request, community_id: int) -> Template | Redirect:
        form = await form_data(request)
        await service.join(_me(request), community_id, form.get("message", ""))
        return await self._membership_answer(request, community_id)

    @post("/{community_id:int}/leave")
    async def leave(self, request: Request, community_id: int) -> Template | Redirect:
        await service.leave(_me(request), community_id)
        return await self._membership_answer(request, community_id)

    @post("/{community_id:int}/claim-admin")
    async def claim_admin(self, request: Request, community_id: int) -> Redirect:
        await service.claim_admin(_me(request), community_id)
        return see_other(_community_path(community_id))

    @get("/{community_id:int}/members")
    async def show_members(self, request: Request, community_id: int, page: int = 1) -> Template:
        listing = await service.member_list(_me(request), community_id, page)
        return render(
            request,
            "communities/members.html",
            {"listing": listing, "may_moderate": service.may_moderate},
            fragment="communities/_member_list.html",
        )

    # -- moderation --------------------------------------------------------------------

    @get("/{community_id:int}/manage")
    async def show_manage(self, request: Request, community_id: int) -> Template:
        page = await service.manage_page(_me(request), community_id)
        return render(request, "communities/manage.html", {"page": page})

    def _back(self, form: dict[str, str], community_id: int, page: str) -> Redirect:
        """Back to the page the moderation form was on (members or manage)."""
        return see_other(safe_next(form.get("next"), f"{_community_path(community_id)}/{page}"))

    @post("/{community_id:int}/requests/{member_id:int}/approve")
    async def approve(self, request: Request, community_id: int, member_id: int) -> Redirect:
        await service.approve(_me(request), community_id, member_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @post("/{community_id:int}/requests/{member_id:int}/decline")
    async def decline(self, request: Request, community_id: int, member_id: int) -> Redirect:
        await service.decline(_me(request), community_id, member_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @post("/{community_id:int}/members/{member_id:int}/remove")
    async def remove_member(self, request: Request, community_id: int, member_id: int) -> Redirect:
        form = await form_data(request)
        await service.remove_member(_me(request), community_id, member_id)
        return self._back(form, community_id, "members")

    @post("/{community_id:int}/members/{member_id:int}/ban")
    async def ban(self, request: Request, community_id: int, member_id: int) -> Redirect:
        form = await form_data(request)
        await service.ban(_me(request), community_id, member_id)
        return self._back(form, community_id, "members")

    @post("/{community_id:int}/members/{member_id:int}/unban")
    async def unban(self, request: Request, community_id: int, member_id: int) -> Redirect:
        await service.unban(_me(request), community_id, member_id)
        return see_other(f"{_community_path(community_id)}/manage")

    @post("/{community_id:int}/members/{member_id:int}/sub-admin")
    async def set_sub_admin(self, request: Request, community_id: int, member_id: int) -> Redirect:
        form = await form_data(request)
        await service.set_sub_admin(_me(request), community_id, member_id, form.get("on") == "1")
        return see_other(f"{_community_path(community_id)}/members")

    @post("/{community_id:int}/members/{member_id:int}/hand-over")
    async def hand_over(self, request: Request, community_id: int, member_id: int) -> Redirect:
        await service.hand_over(_me(request), community_id, member_id)
        return see_other(_community_path(community_id))

    @post("/{community_id:int}/reports/{report_id:int}/resolve")
    async def resolve_report(self, request: Request, community_id: int, report_id: int) -> Redirect:
        await service.resolve_report(_me(request), community_id, report_id)
        return see_other(f"{_community_path(community_id)}/manage")

    # -- topics ------------------------------------------------------------------------

    @get("/{community_id:int}/topics")
    async def show_topics(self, request: Request, community_id: int, page: int = 1) -> Template:
        listing = await service.topic_list(_me(request), community_id, page)
        return render(request, "communities/topics.html", {"listing": listing})

    @get("/{community_id:int}/topics/new")
    async def show_new_topic(self, request: Request, community_id: int, event: int = 0) -> Template:
        community = await service.community_for_new_topic(_me(request), community_id)
        return render(
            request,
            "communities/topic_form.html",
            {"community": community, "is_event": bool(event), "form": {}, "errors": {}},
        )

    @post("/{community_id:int}/topics")
    async def start_topic(self, request: Request, community_id: int) -> Template | Redirect:
        form = await form_data(request)
        is_event = form.get("is_event") == "1"
        member = _me(request)
        try:
            topic = await service.start_topic(member, community_id, form, is_event=is_event)
        except FormInvalid as exc:
            community = await service.community_for_new_topic(member, community_id)
            return render(
                request,
                "communities/topic_form.html",
                {
                    "community": community,
                    "is_event": is_event,
                    "form": form,
                    "errors": exc.errors,
                },
                status_code=422,
            )
        return see_other(_topic_path(community_id, topic.id))

    @get("/{community_id:int}/topics/{topic_id:int}")
    async def show_thread(
        self, request: Request, community_id: int, topic_id: int, page: int | None = None
    ) -> Template:
        thread = await service.thread(_me(request), community_id, topic_id, page)
        return render(
            request,
            "communities/thread.html",
            {"thread": thread, "form": {}, "errors": {}},
        )

    @get("/{community_id:int}/topics/{topic_id:int}/edit")
    async def show_edit_topic(self, request: Request, community_id: int, topic_id: int) -> Template:
        topic = await service.topic_for_editing(_me(request), community_id, topic_id)
        form = {
            "title": topic.title,
            "body": topic.body,
            "event_at": service.local_input_value(topic.event_at),
            "event_deadline": service.local_input_value(topic.event_deadline),
            "event_place": topic.event_place,
        }
        return render(
            request,
            "communities/topic_form.html",
            {
                "community_id": community_id,
                "topic": topic,
                "is_event": topic.is_event,
                "form": form,
                "errors": {},
            },
        )

    @post("/{community_id:int}/topics/{topic_id:int}/edit")
    async def edit_topic(
        self, request: Request, community_id: int, topic_id: int
    ) -> Template | Redirect:
        form = await form_data(request)
        member = _me(request)
        try:
            await service.edit_topic(member, community_id, topic_id, form)
        except FormInvalid as exc:
            topic = await service.topic_for_editing(member, community_id, topic_id)
            return render(
                request,
                "communities/topic_form.html",
                {
                    "community_id": community_id,
                    "topic": topic,
                    "is_event": topic.is_event,
                    "form": form,
                    "errors": exc.errors,
                },
                status_code=422,
            )
        return see_other(_topic_path(community_id, topic_id))

    @post("/{community_id:int}/topics/{topic_id:int}/delete")
    async def delete_topic(self, request: Request, community_id: int, topic_id: int) -> Redirect:
        await service.delete_topic(_me(request), community_id, topic_id)
        return see_other(_community_path(community_id))

    # -- replies -----------------------------------------------------------------------

    @get("/{community_id:int}/topics/{topic_id:int}/replies")
    async def poll_replies(
        self, request: Request, community_id: int, topic_id: int, after: int = 0
    ) -> Template | Response | Redirect:
        """The live thread asks every few seconds for replies after the last one shown."""
        if not is_fragment_request(request):
            return see_other(_topic_path(community_id, topic_id))
        new = await service.replies_after(_me(request), community_id, topic_id, after)
        if not new.replies:
            return Response(content=b"", status_code=204, headers={"vary": "HX-Request"})
        return render(request, "communities/_new_replies.html", {"new": new})

    @post("/{community_id:int}/topics/{topic_id:int}/replies")
    async def post_reply(
        self, request: Request, community_id: int, topic_id: int
    ) -> Template | Redirect:
        form = await form_data(request)
        member = _me(request)
        try:
            number = await service.post_reply(member, community_id, topic_id, form.get("body", ""))
        except FormInvalid as exc:
            thread = await service.thread(member, community_id, topic_id)
            return render(
                request,
                "communities/thread.html",
                {"thread": thread, "form": form, "errors": exc.errors},
                fragment="communities/_reply_form.html",
                status_code=422,
            )
        if not is_fragment_request(request):
            return see_other(service.reply_url(community_id, topic_id, number))
        try:
            after = int(form.get("after", ""))
        except ValueError:
            after = number - 1
        new = await service.replies_after(member, community_id, topic_id, after)
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

    @get("/{community_id:int}/topics/{topic_id:int}/replies/{number:int}/edit")
    async def show_edit_reply(
        self, request: Request, community_id: int, topic_id: int, number: int
    ) -> Template:
        reply = await service.reply_for_editing(_me(request), community_id, topic_id, number)
        return render(
            request,
            "communities/reply_edit.html",
            {
                "community_id": community_id,
                "topic_id": topic_id,
                "number": number,
                "form": {"body": reply.body},
                "errors": {},
            },
        )

    @post("/{community_id:int}/topics/{topic_id:int}/replies/{number:int}/edit")
    async def edit_reply(
        self, request: Request, community_id: int, topic_id: int, number: int
    ) -> Template | Redirect:
        form = await form_data(request)
        try:
            await service.edit_reply(
                _me(request), community_id, topic_id, number, form.get("body", "")
            )
        except FormInvalid as exc:
            return render(
                request,
                "communities/reply_edit.html",
                {
                    "community_id": community_id,
                    "topic_id": topic_id,
                    "number": number,
                    "form": form,
                    "errors": exc.errors,
                },
                status_code=422,
            )
        return see_other(service.reply_url(community_id, topic_id, number))

    @post("/{community_id:int}/topics/{topic_id:int}/replies/{number:int}/delete")
    async def delete_reply(
        self, request: Request, community_id: int, topic_id: int, number: int
    ) -> Template | Redirect:
        reply = await service.delete_reply(_me(request), community_id, topic_id, number)
        if is_fragment_request(request):
            return render(
                request,
                "communities/_reply.html",
                {"reply": reply, "community_id": community_id, "topic_id": topic_id},
            )
        return see_other(service.reply_url(community_id, topic_id, number))

    # -- events and reports ------------------------------------------------------------

    async def _event_answer(self, request: Request, community_id: int, topic_id: int):
        if is_fragment_request(request):
            thread = await service.thread(_me(request), community_id, topic_id, 1)
            return render(
                request,
                "communities/thread.html",
                {"thread": thread},
                fragment="communities/_event.html",
            )
        return see_other(_topic_path(community_id, topic_id))

    @post("/{community_id:int}/topics/{topic_id:int}/participants")
    async def join_event(
        self, request: Request, community_id: int, topic_id: int
    ) -> Template | Redirect:
        await service.join_event(_me(request), community_id, topic_id)
        return await self._event_answer(request, community_id, topic_id)

    @post("/{community_id:int}/topics/{topic_id:int}/participants/leave")
    async def leave_event(
        self, request: Request, community_id: int, topic_id: int
    ) -> Template | Redirect:
        await service.leave_event(_me(request), community_id, topic_id)
        return await self._event_answer(request, community_id, topic_id)

    @get("/{community_id:int}/topics/{topic_id:int}/report")
    async def show_report(
        self, request: Request, community_id: int, topic_id: int, number: int | None = None
    ) -> Template:
        return render(
            request,
            "communities/report.html",
            {
                "community_id": community_id,
                "topic_id": topic_id,
                "number": number,
                "form": {},
                "errors": {},
            },
        )

    @post("/{community_id:int}/topics/{topic_id:int}/report")
    async def report(self, request: Request, community_id: int, topic_id: int) -> Template:
        form = await form_data(request)
        number = int(form["number"]) if form.get("number", "").isdigit() else None
        context = {"community_id": community_id, "topic_id": topic_id, "number": number}
        try:
            await service.report(
                _me(request), community_id, topic_id, number, form.get("reason", "")
            )
        except FormInvalid as exc:
            return render(
                request,
                "communities/report.html",
                {**context, "form": form, "errors": exc.errors},
                status_code=422,
            )
        return render(
            request, "communities/report.html", {**context, "form": {}, "errors": {}, "sent": True}
        )


CONTROLLERS: list[type] = [CommunityController]
