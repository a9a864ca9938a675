"""Community rules: who may join, read, post, edit, moderate; counts and reply numbers.

Every function takes the acting member first and checks permission itself. Counts and
reply numbers change only in the transaction of the row they count (see queries.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from markupsafe import Markup

from ashiato import db, i18n
from ashiato.accounts import queries as account_queries
from ashiato.communities import queries
from ashiato.communities.tables import Community, JoinPolicy, Role, Topic, TopicPolicy
from ashiato.errors import DomainError, FormInvalid, NotFound, PermissionDenied
from ashiato.friends import audience
from ashiato.i18n import _, lazy_gettext
from ashiato.members import Visibility, allows, can_act, display_name, require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.pagination import Pagination
from ashiato.photos import PhotoError, process_upload
from ashiato.settings import Settings
from ashiato.text import render_text as render_member_text

CATEGORIES = {
    "music": lazy_gettext("Music"),
    "games": lazy_gettext("Games"),
    "food": lazy_gettext("Food & drink"),
    "sports": lazy_gettext("Sports"),
    "movies": lazy_gettext("Movies & TV"),
    "books": lazy_gettext("Books & manga"),
    "travel": lazy_gettext("Travel & places"),
    "hobbies": lazy_gettext("Hobbies"),
    "study": lazy_gettext("School & study"),
    "work": lazy_gettext("Work"),
    "languages": lazy_gettext("Languages & cultures"),
    "other": lazy_gettext("Other"),
}
ORDERS = ("members", "newest")

REPLIES_PER_PAGE = 50  # fixed: >>N links compute the page of reply N from it
TOPICS_ON_COMMUNITY_PAGE = 20
TOPICS_PER_PAGE = 50
BROWSE_PAGE_SIZE = 30
MEMBERS_PAGE_SIZE = 60
LIVE_REPLIES_LIMIT = 200  # at most this many new replies per poll
LIMITS = {
    "name": 100,
    "description": 5000,
    "title": 100,
    "body": 10000,
    "reply": 5000,
    "place": 100,
    "reason": 1000,
    "message": 500,
    "search": 100,
}


class CommunityError(DomainError):
    """A community rule refused the request."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fold(text: str) -> str:
    """Width- and case-insensitive form for search: ＡＢＣ, abc and ABC match; カナ stays."""
    return unicodedata.normalize("NFKC", text).casefold()


def search_words(q: str) -> list[str]:
    return [word[:50] for word in fold(q[: LIMITS["search"]]).split()][:5]


# -- people and standing -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A member as pages show them: withdrawn members are anonymous and not linked."""

    id: int
    nickname: str
    withdrawn: bool = False
    role: str = ""


def person(member_id: int, nickname: str, status: str, role: str = "") -> Person:
    shown = display_name(cast(Member, SimpleNamespace(nickname=nickname, status=status)))
    return Person(member_id, shown, status == MemberStatus.WITHDRAWN, role)


def _person_of(member: Member) -> Person:
    return person(member.id, member.nickname, member.status)


def _people(rows: list[dict]) -> list[Person]:
    return [person(r["id"], r["nickname"], r["status"], r.get("role", "")) for r in rows]


def _admin_id(community: Community) -> int:
    admin = community.admin
    return admin if isinstance(admin, int) else admin.id  # type: ignore[return-value]


@dataclass(frozen=True)
class Standing:
    """How the viewer stands to a community."""

    member_id: int = 0
    role: str = ""  # "" (not a member), member, sub_admin, admin
    banned: bool = False
    requested: bool = False

    @property
    def is_member(self) -> bool:
        return bool(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        """The admin (管理人) or a sub-admin (副管理人): they moderate."""
        return self.role in ("admin", Role.SUB_ADMIN)


async def _standing(viewer: Member | None, community: Community, *, full: bool = False) -> Standing:
    """One query for members; `full` adds the ban and pending-request checks for others."""
    if not can_act(viewer):
        return Standing()
    assert viewer is not None
    membership = await queries.membership(community.id, viewer.id)
    if membership is not None:
        role = "admin" if _admin_id(community) == viewer.id else membership.role
        return Standing(viewer.id, role)
    if not full:
        return Standing(viewer.id)
    banned = await queries.is_banned(community.id, viewer.id)
    requested = (
        not banned
        and community.join_policy == JoinPolicy.APPROVAL
        and await queries.has_join_request(community.id, viewer.id)
    )
    return Standing(viewer.id, "", banned, requested)


def can_read_topics(community: Community, standing: Standing) -> bool:
    if not standing.member_id:
        return False
    if standing.banned:
        return False
    return community.topics_public or standing.is_member


def can_start_topic(community: Community, standing: Standing) -> bool:
    if community.topic_policy == TopicPolicy.ADMINS:
        return standing.is_manager
    return standing.is_member


def _can_claim_admin(community: Community, standing: Standing) -> bool:
    admin = community.admin
    return (
        standing.is_member
        and not standing.is_admin
        and isinstance(admin, Member)
        and admin.status == MemberStatus.WITHDRAWN
    )


async def _community(community_id: int) -> Community:
    community = await queries.community_with_admin(community_id)
    if community is None:
        raise NotFound(_("This community does not exist."), code="no_community")
    return community


async def _topic(community: Community, topic_id: int) -> Topic:
    topic = await queries.topic_with_author(topic_id)
    if topic is None or topic.community != community.id:
        raise NotFound(_("This topic does not exist."), code="no_topic")
    return topic


def _require_reader(community: Community, standing: Standing) -> None:
    if not can_read_topics(community, standing):
        raise PermissionDenied(
            _("Only members of this community can read its topics."), code="members_only"
        )


def _require_member(standing: Standing) -> None:
    if not standing.is_member:
        raise PermissionDenied(_("Join this community first."), code="not_member")


def _require_manager(standing: Standing) -> None:
    if not standing.is_manager:
        raise PermissionDenied(
            _("Only the admin and sub-admins of this community can do this."), code="not_admin"
        )


def _require_admin(standing: Standing) -> None:
    if not standing.is_admin:
        raise PermissionDenied(_("Only the admin of this community can do this."), code="not_admin")


# -- text --------------------------------------------------------------------------------


def page_of(number: int) -> int:
    return max(1, (number - 1) // REPLIES_PER_PAGE + 1)


def reply_url(community_id: int, topic_id: int, number: int) -> str:
    return f"/communities/{community_id}/topics/{topic_id}?page={page_of(number)}#reply-{number}"


def render_text(text: str, *, community_id: int, topic_id: int, last_number: int) -> Markup:
    """Members' text as HTML (ashiato.text): `>>N` links to reply N on its page while
    reply N exists."""

    def link(number: int) -> str | None:
        return reply_url(community_id, topic_id, number) if 1 <= number <= last_number else None

    return render_member_text(text, reply_url=link)


# -- forms -------------------------------------------------------------------------------


def _text(form: dict[str, str], key: str) -> str:
    return (form.get(key) or "").strip()


def _check_length(errors: dict[str, str], key: str, value: str, *, required: bool) -> None:
    if required and not value:
        errors[key] = _("Please fill this in.")
    elif len(value) > LIMITS[key]:
        errors[key] = _("Please keep this under %(n)s characters.", n=LIMITS[key])


def _community_values(form: dict[str, str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values = {
        "name": _text(form, "name"),
        "category": _text(form, "category"),
        "description": _text(form, "description"),
        "join_policy": _text(form, "join_policy") or JoinPolicy.OPEN,
        "topic_policy": _text(form, "topic_policy") or TopicPolicy.MEMBERS,
        "topics_public": form.get("topics_public") in ("1", "on", "true", "yes"),
    }
    _check_length(errors, "name", values["name"], required=True)
    _check_length(errors, "description", values["description"], required=False)
    if values["category"] not in CATEGORIES:
        errors["category"] = _("Please choose a category.")
    if values["join_policy"] not in (JoinPolicy.OPEN, JoinPolicy.APPROVAL):
        errors["join_policy"] = _("Please choose who may join.")
    if values["topic_policy"] not in (TopicPolicy.MEMBERS, TopicPolicy.ADMINS):
        errors["topic_policy"] = _("Please choose who may start topics.")
    if errors:
        raise FormInvalid(errors)
    values["search_text"] = fold(f"{values['name']}\n{values['description']}")
    return values


def parse_local_datetime(value: str) -> dt.datetime | None:
    """A datetime-local field (YYYY-MM-DDTHH:MM) in the member's time zone, as UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(i18n.current_time_zone()))
    return moment.astimezone(dt.UTC)


def local_input_value(value: dt.datetime | None) -> str:
    """The reverse of parse_local_datetime, for filling a form."""
    return i18n.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _topic_values(form: dict[str, str], *, is_event: bool, check_future: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"title": _text(form, "title"), "body": _text(form, "body")}
    _check_length(errors, "title", values["title"], required=True)
    _check_length(errors, "body", values["body"], required=True)
    if is_event:
        event_at = parse_local_datetime(form.get("event_at", ""))
        deadline = parse_local_datetime(form.get("event_deadline", ""))
        place = _text(form, "event_place")
        _check_length(errors, "place", place, required=False)
        if "place" in errors:
            errors["event_place"] = errors.pop("place")
        if event_at is None:
            errors["event_at"] = _("Please give the date and time of the event.")
        elif check_future and event_at <= _now():
            errors["event_at"] = _("The event must be in the future.")
        if form.get("event_deadline", "").strip() and deadline is None:
            errors["event_deadline"] = _("Please give a valid date and time.")
        elif deadline is not None and event_at is not None and deadline > event_at:
            errors["event_deadline"] = _("The deadline must be before the event.")
        values.update(event_at=event_at, event_deadline=deadline or event_at, event_place=place)
    if errors:
        raise FormInvalid(errors)
    return values


def _reply_body(body: str) -> str:
    body = (body or "").strip()
    errors: dict[str, str] = {}
    _check_length(errors, "reply", body, required=True)
    if errors:
        raise FormInvalid({"body": errors["reply"]})
    return body


# -- communities -------------------------------------------------------------------------


async def _stored_image(image: bytes | None, settings: Settings | None) -> str | None:
    """Run an uploaded picture through the photo pipeline (no EXIF, re-encoded, thumbnail);
    its refusal is shown on the form's image field."""
    if not image:
        return None
    assert settings is not None, "a community image needs the settings (media_dir)"
    try:
        photo = await asyncio.to_thread(process_upload, image, settings)
    except PhotoError as exc:
        raise FormInvalid({"image": exc.message}) from None
    return photo.key


async def create_community(
    creator: Member,
    form: dict[str, str],
    image: bytes | None = None,
    settings: Settings | None = None,
) -> Community:
    """The creator becomes its admin and first member."""
    require_active(creator)
    values = _community_values(form)
    values["image"] = await _stored_image(image, settings) or ""
    async with db.transaction():
        community = await queries.insert_community(admin=creator.id, member_count=0, **values)
        await queries.add_member(community.id, creator.id)
    community.member_count = 1
    return community


async def update_community(
    actor: Member,
    community_id: int,
    form: dict[str, str],
    image: bytes | None = None,
    settings: Settings | None = None,
) -> None:
    """The admin changes the settings; a new image replaces the old, or it is removed."""
    require_active(actor)
    community = await _community(community_id)
    _require_admin(await _standing(actor, community))
    values = _community_values(form)
    key = await _stored_image(image, settings)
    if key:
        values["image"] = key
    elif form.get("remove_image") == "1":
        values["image"] = ""
    await queries.update_community(community_id, **values)


async def image_key(viewer: Member, community_id: int) -> str:
    """The community's picture, for any member (communities are visible site-wide)."""
    require_active(viewer)
    community = await _community(community_id)
    if not community.image:
        raise NotFound(_("This community has no image."), code="no_image")
    return community.image


async def community_for_admin(actor: Member, community_id: int) -> Community:
    """The community, for its settings form."""
    require_active(actor)
    community = await _community(community_id)
    _require_admin(await _standing(actor, community))
    return community


@dataclass
class TopicSummary:
    id: int
    title: str
    author: Person
    is_event: bool
    reply_count: int
    last_posted_at: dt.datetime
    event_at: dt.datetime | None = None


def _summaries(topics: list[Topic]) -> list[TopicSummary]:
    return [
        TopicSummary(
            id=t.id,
            title=t.title,
            author=_person_of(t.author),  # type: ignore[arg-type]
            is_event=t.is_event,
            reply_count=t.reply_count,
            last_posted_at=t.last_posted_at,
            event_at=t.event_at,
        )
        for t in topics
    ]


@dataclass
class CommunityPage:
    community: Community
    admin: Person
    standing: Standing
    category: str
    can_read_topics: bool
    can_start_topic: bool
    can_claim_admin: bool
    topics: list[TopicSummary] = field(default_factory=list)
    events: list[Topic] = field(default_factory=list)
    members: list[Person] = field(default_factory=list)
    sub_admins: list[Person] = field(default_factory=list)


async def community_page(viewer: Member, community_id: int) -> CommunityPage:
    """Everything the community page shows, in a fixed number of queries."""
    require_active(viewer)
    community = await _community(community_id)
    standing = await _standing(viewer, community, full=True)
    readable = can_read_topics(community, standing)
    page = CommunityPage(
        community=community,
        admin=_person_of(community.admin),  # type: ignore[arg-type]
        standing=standing,
        category=str(CATEGORIES.get(community.category, community.category)),
        can_read_topics=readable,
        can_start_topic=can_start_topic(community, standing),
        can_claim_admin=_can_claim_admin(community, standing),
    )
    if readable:
        topics = await queries.recent_topics(community.id, limit=TOPICS_ON_COMMUNITY_PAGE)
        page.topics = _summaries(topics)
        page.events = await queries.upcoming_events(community.id, _now())
    page.members = _people(await queries.members_page(community.id, offset=0, limit=9))
    page.sub_admins = _people(await queries.sub_admins(community.id))
    return page


@dataclass
class TopicList:
    community: Community
    standing: Standing
    topics: list[TopicSummary]
    page: int
    has_next: bool
    can_start_topic: bool

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def topic_list(viewer: Member, community_id: int, page: int = 1) -> TopicList:
    require_active(viewer)
    community = await _community(community_id)
    standing = await _standing(viewer, community)
    _require_reader(community, standing)
    page = max(1, page)
    topics = await queries.recent_topics(
        community.id, offset=(page - 1) * TOPICS_PER_PAGE, limit=TOPICS_PER_PAGE + 1
    )
    return TopicList(
        community,
        standing,
        _summaries(topics[:TOPICS_PER_PAGE]),
        page,
        len(topics) > TOPICS_PER_PAGE,
        can_start_topic(community, standing),
    )


@dataclass
class Browse:
    communities: list[Community]
    page: int
    has_next: bool
    q: str
    category: str
    order: str
    mine: list[Community] = field(default_factory=list)
    mine_total: int = 0

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def browse(
    viewer: Member, *, q: str = "", category: str = "", order: str = "", page: int = 1
) -> Browse:
    """Browse by category, by size or newest, or search name and description."""
    require_active(viewer)
    category = category if category in CATEGORIES else ""
    order = order if order in ORDERS else "members"
    page = max(1, page)
    found = await queries.browse(
        words=search_words(q),
        category=category,
        order=order,
        offset=(page - 1) * BROWSE_PAGE_SIZE,
        limit=BROWSE_PAGE_SIZE + 1,
    )
    return Browse(
        communities=found[:BROWSE_PAGE_SIZE],
        page=page,
        has_next=len(found) > BROWSE_PAGE_SIZE,
        q=q[: LIMITS["search"]],
        category=category,
        order=order,
    )


async def my_communities(member: Member, limit: int = 12) -> tuple[list[Community], int]:
    require_active(member)
    return (
        await queries.communities_of(member.id, limit=limit),
        await queries.community_count_of(member.id),
    )


async def communities_of(viewer: Member, owner: Member, limit: int = 12) -> tuple[list, int]:
    """An owner's communities with their member counts, for anyone who may see the owner
    (the profile shows them; blocked members see nothing)."""
    if not allows(await audience.relation(viewer, owner.id), Visibility.EVERYONE):
        return [], 0
    if owner.status == MemberStatus.WITHDRAWN:
        return [], 0
    return (
        await queries.communities_of(owner.id, limit=limit),
        await queries.community_count_of(owner.id),
    )


async def communities_of_member(viewer: Member, owner_id: int) -> tuple[Person, list, int]:
    """The page listing all of a member's communities."""
    require_active(viewer)
    owner = await account_queries.member_by_id(owner_id)
    if owner is None:
        raise NotFound(_("This member does not exist."), code="no_member")
    communities, total = await communities_of(viewer, owner, limit=1000)
    return _person_of(owner), communities, total


@dataclass
class LatestTopic:
    id: int
    title: str
    community_id: int
    community_name: str
    reply_count: int
    last_posted_at: dt.datetime
    is_event: bool


async def latest_topics_in_my_communities(member: Member, limit: int = 10) -> list[LatestTopic]:
    """Home's "latest topics in my communities": one query whatever the number."""
    if not can_act(member):
        return []
    topics = await queries.latest_topics_in_communities_of(member.id, limit)
    return [
        LatestTopic(
            id=t.id,
            title=t.title,
            community_id=t.community.id,  # type: ignore[attr-defined]
            community_name=t.community.name,  # type: ignore[attr-defined]
            reply_count=t.reply_count,
            last_posted_at=t.last_posted_at,
            is_event=t.is_event,
        )
        for t in topics
    ]


# -- membership --------------------------------------------------------------------------


async def join(member: Member, community_id: int, message: str = "") -> str:
    """Join at once ("joined"), or ask the admins ("requested") when they approve members."""
    require_active(member)
    community = await _community(community_id)
    standing = await _standing(member, community, full=True)
    if standing.is_member:
        return "joined"
    if standing.banned:
        raise PermissionDenied(_("You cannot join this community."), code="banned")
    if community.join_policy == JoinPolicy.APPROVAL:
        await queries.insert_join_request(
            community.id, member.id, (message or "").strip()[: LIMITS["message"]]
        )
        return "requested"
    async with db.transaction():
        await queries.add_member(community.id, member.id)
    return "joined"


async def leave(member: Member, community_id: int) -> None:
    """Leave (or withdraw a pending request). The admin hands the role over first."""
    require_active(member)
    community = await _community(community_id)
    if _admin_id(community) == member.id:
        raise CommunityError(
            _("The admin cannot leave. Hand the role over to another member first."),
            code="admin_leaving",
        )
    async with db.transaction():
        await queries.remove_member(community.id, member.id)
        await queries.delete_join_request(community.id, member.id)


async def approve(actor: Member, community_id: int, member_id: int) -> None:
    require_active(actor)
    community = await _community(community_id)
    _require_manager(await _standing(actor, community))
    async with db.transaction():
        if await queries.is_banned(community.id, member_id):
            await queries.delete_join_request(community.id, member_id)
            return
        if await queries.delete_join_request(community.id, member_id):
            await queries.add_member(community.id, member_id)


async def decline(actor: Member, community_id: int, member_id: int) -> None:
    require_active(actor)
    community = await _community(community_id)
    _require_manager(await _standing(actor, community))
    await queries.delete_join_request(community.id, member_id)


async def _require_active_target(member_id: int) -> None:
    target = await account_queries.member_by_id(member_id)
    if not can_act(target):
        raise CommunityError(_("This member cannot take on a role."), code="not_active")


async def _target_standing(community: Community, member_id: int) -> str:
    if member_id == _admin_id(community):
        return "admin"
    membership = await queries.membership(community.id, member_id)
    return membership.role if membership else ""


def _may_moderate(actor: Standing, target_role: str, target_id: int) -> bool:
    """Managers act on members; only the admin acts on sub-admins; nobody on the admin."""
    if target_id == actor.member_id or target_role == "admin":
        return False
    if target_role == Role.SUB_ADMIN:
        return actor.is_admin
    return actor.is_manager


async def remove_member(actor: Member, community_id: int, member_id: int) -> None:
    require_active(actor)
    community = await _community(community_id)
    standing = await _standing(actor, community)
    _require_manager(standing)
    if not _may_moderate(standing, await _target_standing(community, member_id), member_id):
        raise PermissionDenied(_("You cannot remove this member."), code="not_removable")
    async with db.transaction():
        await queries.remove_member(community.id, member_id)


async def ban(actor: Member, community_id: int, member_id: int) -> None:
    """Remove the member (or their request) and keep them from joining again."""
    require_active(actor)
    community = await _community(community_id)
    standing = await _standing(actor, community)
    _require_manager(standing)
    if not _may_moderate(standing, await _target_standing(community, member_id), member_id):
        raise PermissionDenied(_("You cannot ban this member."), code="not_bannable")
    async with db.transaction():
        await queries.remove_member(community.id, member_id)
        await queries.delete_join_request(community.id, member_id)
        await queries.insert_ban(community.id, member_id, actor.id)


async def unban(actor: Member, community_id: int, member_id: int) -> None:
    require_active(actor)
    community = await _community(community_id)
    _require_manager(await _standing(actor, community))
    await queries.delete_ban(community.id, member_id)


async def set_sub_admin(actor: Member, community_id: int, member_id: int, on: bool) -> None:
    require_active(actor)
    community = await _community(community_id)
    _require_admin(await _standing(actor, community))
    role = await _target_standing(community, member_id)
    if role not in (Role.MEMBER, Role.SUB_ADMIN):
        raise CommunityError(_("Only members can be sub-admins."), code="not_member")
    if on:
        await _require_active_target(member_id)
    await queries.set_role(community.id, member_id, Role.SUB_ADMIN if on else Role.MEMBER)


async def hand_over(actor: Member, community_id: int, member_id: int) -> None:
    """The admin hands the role to another member and stays a plain member."""
    require_active(actor)
    community = await _community(community_id)
    _require_admin(await _standing(actor, community))
    if await _target_standing(community, member_id) not in (Role.MEMBER, Role.SUB_ADMIN):
        raise CommunityError(_("Only members can become the admin."), code="not_member")
    await _require_active_target(member_id)
    async with db.transaction():
        if not await queries.replace_admin(community.id, actor.id, member_id):
            raise CommunityError(_("You are no longer the admin."), code="not_admin")
        await queries.set_role(community.id, member_id, Role.MEMBER)


async def claim_admin(member: Member, community_id: int) -> None:
    """A community whose admin withdrew offers the role to its members: first come."""
    require_active(member)
    community = await _community(community_id)
    standing = await _standing(member, community)
    if not _can_claim_admin(community, standing):
        raise CommunityError(_("This community already has an admin."), code="has_admin")
    async with db.transaction():
        if not await queries.replace_admin(community.id, _admin_id(community), member.id):
            raise CommunityError(_("Another member became the admin first."), code="taken")
        await queries.set_role(community.id, member.id, Role.MEMBER)


@dataclass
class MemberList:
    community: Community
    standing: Standing
    members: list[Person]
    page: int
    has_next: bool

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def member_list(viewer: Member, community_id: int, page: int = 1) -> MemberList:
    require_active(viewer)
    community = await _community(community_id)
    standing = await _standing(viewer, community)
    page = max(1, page)
    rows = await queries.members_page(
        community.id, offset=(page - 1) * MEMBERS_PAGE_SIZE, limit=MEMBERS_PAGE_SIZE + 1
    )
    admin_id = _admin_id(community)
    members = [
        person(r["id"], r["nickname"], r["status"], "admin" if r["id"] == admin_id else r["role"])
        for r in rows[:MEMBERS_PAGE_SIZE]
    ]
    return MemberList(community, standing, members, page, len(rows) > MEMBERS_PAGE_SIZE)


def may_moderate(standing: Standing, target: Person) -> bool:
    """For templates: whether to offer remove/ban next to this member."""
    return _may_moderate(standing, target.role, target.id)


@dataclass
class ManagePage:
    community: Community
    standing: Standing
    requests: list[dict]
    reports: list[dict]
    bans: list[Person]


async def manage_page(actor: Member, community_id: int) -> ManagePage:
    require_active(actor)
    community = await _community(community_id)
    standing = await _standing(actor, community)
    _require_manager(standing)
    requests = [
        {**r, "person": person(r["id"], r["nickname"], r["status"])}
        for r in await queries.join_requests(community.id)
    ]
    reports = []
    for r in await queries.open_reports(community.id):
        topic_id = r["topic_id"] or r["reply_topic_id"]
        reports.append(
            {
                **r,
                "reporter": person(r["reporter_id"], r["reporter_nickname"], r["reporter_status"]),
                "title": r["topic_title"] or r["reply_topic_title"] or "",
                "url": (
                    reply_url(community.id, topic_id, r["reply_number"])
                    if r["reply_number"]
                    else f"/communities/{community.id}/topics/{topic_id}"
                ),
            }
        )
    return ManagePage(
        community, standing, requests, reports, _people(await queries.bans(community.id))
    )


async def resolve_report(actor: Member, community_id: int, report_id: int) -> None:
    require_active(actor)
    community = await _community(community_id)
    _require_manager(await _standing(actor, community))
    await queries.resolve_report(community.id, report_id, _now())


# -- topics, events and replies ----------------------------------------------------------


async def community_for_new_topic(author: Member, community_id: int) -> Community:
    """The community, if the member may start a topic in it (for the form)."""
    require_active(author)
    community = await _community(community_id)
    _check_may_start_topic(community, await _standing(author, community))
    return community


def _check_may_start_topic(community: Community, standing: Standing) -> None:
    if not can_start_topic(community, standing):
        if standing.is_member:
            raise PermissionDenied(
                _("Only the admins of this community can start topics."), code="admins_only"
            )
        _require_member(standing)


async def start_topic(
    author: Member, community_id: int, form: dict[str, str], *, is_event: bool = False
) -> Topic:
    require_active(author)
    community = await _community(community_id)
    _check_may_start_topic(community, await _standing(author, community))
    values = _topic_values(form, is_event=is_event, check_future=True)
    now = _now()
    return await queries.insert_topic(
        community=community.id,
        author=author.id,
        is_event=is_event,
        created_at=now,
        last_posted_at=now,
        **values,
    )


async def topic_for_editing(actor: Member, community_id: int, topic_id: int) -> Topic:
    require_active(actor)
    community = await _community(community_id)
    topic = await _topic(community, topic_id)
    if topic.author.id != actor.id:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only the writer can edit this."), code="not_writer")
    return topic


async def edit_topic(actor: Member, community_id: int, topic_id: int, form: dict[str, str]) -> None:
    """Only the writer edits (admins may delete, not rewrite, what others wrote)."""
    topic = await topic_for_editing(actor, community_id, topic_id)
    values = _topic_values(form, is_event=topic.is_event, check_future=False)
    await queries.update_topic(topic.id, edited_at=_now(), **values)


async def delete_topic(actor: Member, community_id: int, topic_id: int) -> None:
    require_active(actor)
    community = await _community(community_id)
    topic = await _topic(community, topic_id)
    standing = await _standing(actor, community)
    if topic.author.id != actor.id and not standing.is_manager:  # type: ignore[attr-defined]
        raise PermissionDenied(_("You cannot delete this topic."), code="not_deletable")
    await queries.delete_topic(topic.id)


@dataclass
class ReplyView:
    number: int
    author: Person
    body: Markup
    created_at: dt.datetime
    edited: bool
    deleted: bool
    deleted_by_admin: bool
    can_edit: bool
    can_delete: bool


def _reply_views(
    replies: list, community: Community, topic: Topic, standing: Standing
) -> list[ReplyView]:
    views = []
    for reply in replies:
        deleted = reply.deleted_at is not None
        own = reply.author.id == standing.member_id
        views.append(
            ReplyView(
                number=reply.number,
                author=_person_of(reply.author),
                body=Markup("")
                if deleted
                else render_text(
                    reply.body,
                    community_id=community.id,
                    topic_id=topic.id,
                    last_number=topic.reply_count,
                ),
                created_at=reply.created_at,
                edited=reply.edited_at is not None,
                deleted=deleted,
                deleted_by_admin=reply.deleted_by_admin,
                can_edit=own and not deleted and bool(standing.member_id),
                can_delete=not deleted and (own or standing.is_manager),
            )
        )
    return views


@dataclass
class Thread:
    community: Community
    standing: Standing
    topic: Topic
    author: Person
    body: Markup
    replies: list[ReplyView]
    page: int
    pages: int
    participants: list[Person] = field(default_factory=list)
    is_participant: bool = False
    event_open: bool = False

    @property
    def is_last_page(self) -> bool:
        return self.page == self.pages

    @property
    def pager(self) -> Pagination:
        return Pagination.numbered(self.page, self.pages)

    @property
    def last_number(self) -> int:
        return self.topic.reply_count

    @property
    def can_reply(self) -> bool:
        return self.standing.is_member

    @property
    def can_edit_topic(self) -> bool:
        return self.topic.author.id == self.standing.member_id  # type: ignore[attr-defined]

    @property
    def can_delete_topic(self) -> bool:
        return self.can_edit_topic or self.standing.is_manager


def pages_for(reply_count: int) -> int:
    return max(1, math.ceil(reply_count / REPLIES_PER_PAGE))


async def thread(
    viewer: Member, community_id: int, topic_id: int, page: int | None = None
) -> Thread:
    """One page of a topic's replies (page None: the newest page). Constant queries."""
    require_active(viewer)
    community = await _community(community_id)
    standing = await _standing(viewer, community)
    _require_reader(community, standing)
    topic = await _topic(community, topic_id)
    pages = pages_for(topic.reply_count)
    page = pages if page is None else min(max(1, page), pages)
    first = (page - 1) * REPLIES_PER_PAGE + 1
    replies = await queries.replies_between(topic.id, first, first + REPLIES_PER_PAGE - 1)
    result = Thread(
        community=community,
        standing=standing,
        topic=topic,
        author=_person_of(topic.author),  # type: ignore[arg-type]
        body=render_text(
            topic.body,
            community_id=community.id,
            topic_id=topic.id,
            last_number=topic.reply_count,
        ),
        replies=_reply_views(replies, community, topic, standing),
        page=page,
        pages=pages,
    )
    if topic.is_event:
        result.participants = _people(await queries.participants(topic.id))
        result.is_participant = any(p.id == viewer.id for p in result.participants)
        result.event_open = _event_open(topic)
    return result


@dataclass
class NewReplies:
    community: Community
    topic: Topic
    replies: list[ReplyView]
    last_number: int


async def replies_after(viewer: Member, community_id: int, topic_id: int, after: int) -> NewReplies:
    """Replies numbered after `after`, for the live thread (polling)."""
    require_active(viewer)
    community = await _community(community_id)
    standing = await _standing(viewer, community)
    _require_reader(community, standing)
    topic = await _topic(community, topic_id)
    replies = await queries.replies_after(topic.id, max(0, after), LIVE_REPLIES_LIMIT)
    views = _reply_views(replies, community, topic, standing)
    last = views[-1].number if views else max(0, min(after, topic.reply_count))
    return NewReplies(community, topic, views, last)


async def post_reply(author: Member, community_id: int, topic_id: int, body: str) -> int:
    """Post a reply; returns its number, taken from the topic's counter in the same
    transaction, so concurrent replies never share one."""
    require_active(author)
    community = await _community(community_id)
    standing = await _standing(author, community)
    _require_member(standing)
    topic = await _topic(community, topic_id)
    body = _reply_body(body)
    now = _now()
    async with db.transaction():
        number = await queries.next_reply_number(topic.id, now)
        if number is None:
            raise NotFound(_("This topic does not exist."), code="no_topic")
        await queries.insert_reply(
            topic=topic.id, number=number, author=author.id, body=body, created_at=now
        )
    return number


async def _reply(community_id: int, topic_id: int, number: int) -> tuple[Community, Topic, Any]:
    community = await _community(community_id)
    topic = await _topic(community, topic_id)
    reply = await queries.reply_by_number(topic.id, number)
    if reply is None:
        raise NotFound(_("This reply does not exist."), code="no_reply")
    return community, topic, reply


async def reply_for_editing(actor: Member, community_id: int, topic_id: int, number: int):
    require_active(actor)
    reply = (await _reply(community_id, topic_id, number))[2]
    if reply.author.id != actor.id or reply.deleted_at is not None:
        raise PermissionDenied(_("Only the writer can edit this."), code="not_writer")
    return reply


async def edit_reply(
    actor: Member, community_id: int, topic_id: int, number: int, body: str
) -> None:
    reply = await reply_for_editing(actor, community_id, topic_id, number)
    await queries.update_reply(reply.id, body=_reply_body(body), edited_at=_now())


async def delete_reply(actor: Member, community_id: int, topic_id: int, number: int) -> ReplyView:
    """The writer or an admin deletes a reply; its number stays, marked as deleted."""
    require_active(actor)
    community, topic, reply = await _reply(community_id, topic_id, number)
    standing = await _standing(actor, community)
    own = reply.author.id == actor.id
    if not own and not standing.is_manager:
        raise PermissionDenied(_("You cannot delete this reply."), code="not_deletable")
    now = _now()
    if reply.deleted_at is None:
        await queries.update_reply(reply.id, deleted_at=now, deleted_by_admin=not own)
        reply.deleted_at, reply.deleted_by_admin = now, not own
    return _reply_views([reply], community, topic, standing)[0]


def _event_open(topic: Topic) -> bool:
    deadline = topic.event_deadline or topic.event_at
    return deadline is not None and _now() <= deadline


async def join_event(member: Member, community_id: int, topic_id: int) -> None:
    require_active(member)
    community = await _community(community_id)
    standing = await _standing(member, community)
    _require_member(standing)
    topic = await _topic(community, topic_id)
    if not topic.is_event:
        raise NotFound(_("This event does not exist."), code="no_event")
    if not _event_open(topic):
        raise CommunityError(_("The deadline for this event has passed."), code="closed")
    async with db.transaction():
        await queries.add_participant(topic.id, member.id)


async def leave_event(member: Member, community_id: int, topic_id: int) -> None:
    require_active(member)
    community = await _community(community_id)
    topic = await _topic(community, topic_id)
    if not topic.is_event:
        raise NotFound(_("This event does not exist."), code="no_event")
    if topic.event_at is not None and topic.event_at <= _now():
        raise CommunityError(_("This event has already taken place."), code="past")
    async with db.transaction():
        await queries.remove_participant(topic.id, member.id)


async def report(
    reporter: Member, community_id: int, topic_id: int, number: int | None, reason: str
) -> None:
    """Tell the community's admins about a topic or a reply."""
    require_active(reporter)
    community = await _community(community_id)
    standing = await _standing(reporter, community)
    _require_reader(community, standing)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    _check_length(errors, "reason", reason, required=True)
    if errors:
        raise FormInvalid(errors)
    topic = await _topic(community, topic_id)
    reply_id = None
    if number is not None:
        reply = await queries.reply_by_number(topic.id, number)
        if reply is None:
            raise NotFound(_("This reply does not exist."), code="no_reply")
        reply_id = reply.id
    await queries.insert_report(
        community=community.id,
        reporter=reporter.id,
        topic=None if reply_id else topic.id,
        reply=reply_id,
        reason=reason,
    )
