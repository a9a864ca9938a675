"""Maimiku rules: requests, friendships, introductions, blocks, list privacy, the graph.

Every function takes the acting member first and checks what that member may do. Members'
faces belong to profiles, which depends on this feature: a function that shows faces takes
the look-up (`faces`, a registry.FaceLookup) from its caller. Who may
see a member's maimiku: the member, and every other active member unless the member hides
their list or a block stands between the two. A hidden list also hides the member's
edges in the graph explorer, and a chain of maimiku never passes through such a member.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from itertools import pairwise

from ashiato import db
from ashiato.errors import DomainError, FormInvalid, NotFound, PermissionDenied
from ashiato.friends import layout, queries
from ashiato.friends.tables import FriendRequest, FriendRequestStatus, Introduction
from ashiato.i18n import _
from ashiato.members import can_act, display_name, require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.registry import FaceLookup
from ashiato.settings import Settings

REQUEST_MESSAGE_MAX_LENGTH = 500
INTRODUCTION_MAX_LENGTH = 1000
PROFILE_FACES = 9
FRIENDS_PER_PAGE = 30
CHAIN_MAX_STEPS = 6
# The chain search stops (answers "not found") rather than expand a frontier larger than
# this: with 20 maimiku each, a 6-step search expands frontiers of about 400 members.
FRONTIER_LIMIT = 5_000
EXPAND_LIMIT = 40  # faces one click adds; clicking the same face again adds the next ones
GRAPH_MAX_NODES = 240
NAME_MATCHES = 10


class FriendsError(DomainError):
    """A maimiku or block rule refused the request."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _active_member_or_404(member_id: int) -> Member:
    member = await queries.active_member(member_id)
    if member is None:
        raise NotFound(_("This member does not exist."), code="no_member")
    return member


async def _require_room(member: Member, settings: Settings) -> None:
    if await queries.count_active_friends(member.id) >= settings.max_friends:
        raise FriendsError(
            _(
                "%(name)s already has %(num)s maimiku, the most a member can have.",
                name=display_name(member),
                num=settings.max_friends,
            ),
            code="limit",
        )


# -- friendships --------------------------------------------------------------------------


async def make_friends(a: Member, b: Member) -> None:
    """Make a and b maimiku of each other (used by approvals and accepted invitations)."""
    if a.id == b.id:
        raise FriendsError(_("You cannot add yourself."), code="self")
    async with db.transaction():
        if not await queries.are_friends(a.id, b.id):
            await queries.insert_friendship(a.id, b.id)


async def end_friendship(member: Member, other_id: int) -> None:
    """Either side may end it; both rows go, and the introductions they wrote each other."""
    require_active(member)
    async with db.transaction():
        await queries.delete_friendship(member.id, other_id)
        await queries.delete_introductions_between(member.id, other_id)


async def block(member: Member, other_id: int) -> None:
    """Blocking also ends a maimiku relation: a friend one cannot hear from is none."""
    require_active(member)
    if member.id == other_id:
        raise FriendsError(_("You cannot block yourself."), code="self")
    if not await queries.member_exists(other_id):
        raise NotFound(_("This member does not exist."), code="no_member")
    async with db.transaction():
        await queries.insert_block(member.id, other_id)
        await queries.delete_friendship(member.id, other_id)
        await queries.delete_introductions_between(member.id, other_id)
        await queries.cancel_pending_between(member.id, other_id, _now())


async def unblock(member: Member, other_id: int) -> None:
    require_active(member)
    await queries.delete_block(member.id, other_id)


async def blocked_members(member: Member) -> list[Member]:
    require_active(member)
    return [row.blocked for row in await queries.blocked_by(member.id)]


# -- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestOutcome:
    other: Member
    became_friends: bool  # the other had already asked: their request was approved


async def request_target(sender: Member, recipient_id: int) -> Member:
    """The member a request form is about, if a request to them could be sent at all."""
    require_active(sender)
    if recipient_id == sender.id:
        raise FriendsError(_("You cannot add yourself."), code="self")
    recipient = await _active_member_or_404(recipient_id)
    if await queries.is_blocked_between(sender.id, recipient.id):
        raise PermissionDenied(
            _("You cannot send a maimiku request to this member."), code="blocked"
        )
    return recipient


async def send_request(
    sender: Member, recipient_id: int, message: str, settings: Settings
) -> RequestOutcome:
    """Ask someone to be maimiku. If they already asked you, this approves their request."""
    recipient = await request_target(sender, recipient_id)
    text = message.strip()
    if len(text) > REQUEST_MESSAGE_MAX_LENGTH:
        raise FormInvalid(
            {
                "message": _(
                    "The message can have at most %(num)s characters.",
                    num=REQUEST_MESSAGE_MAX_LENGTH,
                )
            }
        )
    try:
        return await _send_request_once(sender, recipient, text, settings)
    except queries.DuplicateRow:
        # A request between the two was stored while we looked (PostgreSQL runs the two
        # transactions side by side): look again, which now sees it.
        try:
            return await _send_request_once(sender, recipient, text, settings)
        except queries.DuplicateRow:
            raise FriendsError(_("Please try again."), code="busy") from None


async def _send_request_once(
    sender: Member, recipient: Member, text: str, settings: Settings
) -> RequestOutcome:
    async with db.transaction():
        if await queries.is_blocked_between(sender.id, recipient.id):
            raise PermissionDenied(
                _("You cannot send a maimiku request to this member."), code="blocked"
            )
        if await queries.are_friends(sender.id, recipient.id):
            raise FriendsError(
                _("You and %(name)s are already maimiku.", name=display_name(recipient)),
                code="already_friends",
            )
        pending = await queries.pending_between(sender.id, recipient.id)
        if pending is not None:
            if pending.sender == sender.id:
                raise FriendsError(
                    _(
                        "You have already asked %(name)s. Please wait for an answer.",
                        name=display_name(recipient),
                    ),
                    code="duplicate",
                )
            await _approve(pending, sender=recipient, recipient=sender, settings=settings)
            return RequestOutcome(other=recipient, became_friends=True)
        await _require_room(sender, settings)
        await _require_room(recipient, settings)
        await queries.insert_request(sender.id, recipient.id, text)
    return RequestOutcome(other=recipient, became_friends=False)


async def _approve(
    request: FriendRequest, *, sender: Member, recipient: Member, settings: Settings
) -> None:
    """Inside the caller's transaction: close the request and write both rows."""
    await _require_room(recipient, settings)
    await _require_room(sender, settings)
    if not await queries.close_request(request.id, FriendRequestStatus.APPROVED, _now()):
        raise FriendsError(_("This request has already been answered."), code="answered")
    await queries.insert_friendship(sender.id, recipient.id)


async def _request_for(member: Member, request_id: int, *, as_sender: bool) -> FriendRequest:
    require_active(member)
    request = await queries.request_by_id(request_id)
    owner = (request.sender if as_sender else request.recipient) if request else None
    if request is None or owner != member.id:
        raise NotFound(_("This request does not exist."), code="no_request")
    if request.status != FriendRequestStatus.PENDING:
        raise FriendsError(_("This request has already been answered."), code="answered")
    return request


async def approve_request(member: Member, request_id: int, settings: Settings) -> Member:
    """The recipient says yes: both become maimiku in one transaction. Returns the sender."""
    request = await _request_for(member, request_id, as_sender=False)
    sender = await _active_member_or_404(request.sender)
    async with db.transaction():
        if await queries.is_blocked_between(member.id, sender.id):
            raise PermissionDenied(_("You cannot do this."), code="blocked")
        await _approve(request, sender=sender, recipient=member, settings=settings)
    return sender


async def decline_request(member: Member, request_id: int) -> None:
    request = await _request_for(member, request_id, as_sender=False)
    if not await queries.close_request(request.id, FriendRequestStatus.DECLINED, _now()):
        raise FriendsError(_("This request has already been answered."), code="answered")


async def cancel_request(member: Member, request_id: int) -> None:
    """The sender takes a request back before it is answered."""
    request = await _request_for(member, request_id, as_sender=True)
    if not await queries.close_request(request.id, FriendRequestStatus.CANCELLED, _now()):
        raise FriendsError(_("This request has already been answered."), code="answered")


async def pending_requests(member: Member) -> list[FriendRequest]:
    """Requests waiting for this member's answer, each with its sender joined."""
    require_active(member)
    return await queries.incoming_requests(member.id)


async def sent_requests(member: Member) -> list[FriendRequest]:
    require_active(member)
    return await queries.outgoing_requests(member.id)


async def pending_request_count(member: Member) -> int:
    if not can_act(member):
        return 0
    return await queries.count_incoming_requests(member.id)


@dataclass(frozen=True)
class PendingRequests:
    requests: list[FriendRequest]  # each with its sender joined
    face_urls: dict[int, str]


async def pending_with_faces(member: Member, *, faces: FaceLookup) -> PendingRequests:
    requests = await pending_requests(member)
    return PendingRequests(requests, await faces([r.sender.id for r in requests]))


# -- who sees a member's maimiku ----------------------------------------------------------


async def friend_list_hidden(member: Member) -> bool:
    return await queries.hides_friend_list(member.id)


async def set_friend_list_hidden(member: Member, hidden: bool) -> None:
    require_active(member)
    await queries.set_hide_friend_list(member.id, hidden)


async def can_see_friend_list(viewer: Member | None, owner_id: int) -> bool:
    if not can_act(viewer):
        return False
    assert viewer is not None
    if viewer.id == owner_id:
        return True
    if await queries.is_blocked_between(viewer.id, owner_id):
        return False
    return not await queries.hides_friend_list(owner_id)


@dataclass(frozen=True)
class FriendListPage:
    owner: Member
    members: list[Member]
    total: int
    page: int
    pages: int
    face_urls: dict[int, str]  # member id → photo, for the members whose photo shows


async def friend_list(
    viewer: Member, owner_id: int, page: int = 1, *, faces: FaceLookup
) -> FriendListPage:
    """One page of a member's maimiku, as the viewer may see it."""
    require_active(viewer)
    owner = await _active_member_or_404(owner_id)
    if not await can_see_friend_list(viewer, owner.id):
        raise PermissionDenied(
            _("%(name)s keeps their maimiku list private.", name=display_name(owner)),
            code="hidden",
        )
    exclude = await queries.blocked_ids_around(viewer.id)
    total = await queries.count_active_friends(owner.id, exclude)
    pages = max(1, math.ceil(total / FRIENDS_PER_PAGE))
    page = min(max(1, page), pages)
    members = await queries.active_friends_page(
        owner.id, offset=(page - 1) * FRIENDS_PER_PAGE, limit=FRIENDS_PER_PAGE, exclude=exclude
    )
    return FriendListPage(owner, members, total, page, pages, await faces([m.id for m in members]))


# -- introductions (紹介文) ---------------------------------------------------------------


@dataclass(frozen=True)
class IntroductionView:
    id: int
    author: Member
    subject_id: int
    body: str
    hidden: bool
    updated_at: dt.datetime
    can_hide: bool  # the subject decides what shows on their profile
    can_delete: bool  # the subject, or the author


def _introduction_view(introduction: Introduction, viewer: Member) -> IntroductionView:
    author: Member = introduction.author  # joined
    return IntroductionView(
        id=introduction.id,
        author=author,
        subject_id=introduction.subject,
        body=introduction.body,
        hidden=introduction.hidden,
        updated_at=introduction.updated_at,
        can_hide=viewer.id == introduction.subject,
        can_delete=viewer.id in (introduction.subject, author.id),
    )


async def introduction_draft(author: Member, subject_id: int) -> tuple[Member, str]:
    """The subject and the author's current text (empty for a new introduction)."""
    require_active(author)
    subject = await _active_member_or_404(subject_id)
    if not await queries.are_friends(author.id, subject.id):
        raise PermissionDenied(
            _("Only maimiku of %(name)s can introduce them.", name=display_name(subject)),
            code="not_friends",
        )
    existing = await queries.introduction_by(author.id, subject.id)
    return subject, existing.body if existing else ""


async def write_introduction(author: Member, subject_id: int, body: str) -> Member:
    """Write or rewrite the author's introduction of a maimiku. Returns the subject."""
    subject, _draft = await introduction_draft(author, subject_id)
    text = body.strip()
    if not text:
        raise FormInvalid({"body": _("Please write the introduction.")})
    if len(text) > INTRODUCTION_MAX_LENGTH:
        raise FormInvalid(
            {
                "body": _(
                    "An introduction can have at most %(num)s characters.",
                    num=INTRODUCTION_MAX_LENGTH,
                )
            }
        )
    try:
        async with db.transaction():
            existing = await queries.introduction_by(author.id, subject.id)
            if existing is None:
                await queries.insert_introduction(author.id, subject.id, text)
            else:
                await queries.update_introduction(existing.id, body=text, updated_at=_now())
    except queries.DuplicateRow:
        raise FriendsError(_("Please try again."), code="busy") from None
    return subject


async def _introduction_or_404(introduction_id: int) -> Introduction:
    introduction = await queries.introduction_by_id(introduction_id)
    if introduction is None:
        raise NotFound(_("This introduction does not exist."), code="no_introduction")
    return introduction


async def set_introduction_hidden(member: Member, introduction_id: int, hidden: bool) -> int:
    """The subject hides an introduction from their profile (or shows it again)."""
    require_active(member)
    introduction = await _introduction_or_404(introduction_id)
    if introduction.subject != member.id:
        raise PermissionDenied(_("You cannot do this."), code="not_subject")
    await queries.update_introduction(introduction.id, hidden=hidden)
    return introduction.subject


async def delete_introduction(member: Member, introduction_id: int) -> int:
    """The subject or the author removes an introduction. Returns the subject's id."""
    require_active(member)
    introduction = await _introduction_or_404(introduction_id)
    if member.id not in (introduction.subject, introduction.author):
        raise PermissionDenied(_("You cannot do this."), code="not_yours")
    await queries.delete_introduction(introduction.id)
    return introduction.subject


async def introductions_about(viewer: Member, subject_id: int) -> list[IntroductionView]:
    """What the viewer sees of a member's introductions (the subject also sees hidden ones)."""
    require_active(viewer)
    exclude = await queries.blocked_ids_around(viewer.id)
    rows = await queries.introductions_of(subject_id, include_hidden=viewer.id == subject_id)
    return [_introduction_view(row, viewer) for row in rows if row.author.id not in exclude]


async def introductions_written(author: Member) -> list[Introduction]:
    require_active(author)
    return await queries.introductions_by(author.id)


# -- the member's own maimiku page --------------------------------------------------------


@dataclass(frozen=True)
class FriendsOverview:
    listing: FriendListPage
    pending: PendingRequests
    sent: list[FriendRequest]
    hidden_list: bool
    blocked: list[Member]
    introductions: list[IntroductionView]
    face_urls: dict[int, str]  # of the introductions' authors


async def overview(member: Member, page: int = 1, *, faces: FaceLookup) -> FriendsOverview:
    """Everything /friends shows: a constant number of queries whatever the list sizes."""
    introductions = await introductions_about(member, member.id)
    return FriendsOverview(
        listing=await friend_list(member, member.id, page, faces=faces),
        pending=await pending_with_faces(member, faces=faces),
        sent=await sent_requests(member),
        hidden_list=await friend_list_hidden(member),
        blocked=await blocked_members(member),
        introductions=introductions,
        face_urls=await faces([i.author.id for i in introductions]),
    )


# -- the profile's maimiku section --------------------------------------------------------


@dataclass(frozen=True)
class ProfileFriends:
    owner: Member
    state: str  # self, friend, sent, received, none, blocked (the viewer blocked the owner)
    request_id: int | None
    list_visible: bool
    count: int
    faces: list[Member]
    introductions: list[IntroductionView]
    has_written: bool  # the viewer has already introduced the owner

    def face_ids(self) -> list[int]:
        """The members whose faces the section shows (the profile page looks them up)."""
        return [m.id for m in self.faces] + [i.author.id for i in self.introductions]


async def profile_friends(viewer: Member, owner: Member) -> ProfileFriends | None:
    """Faces (a random 9), the count, the viewer's buttons and the introductions."""
    if not can_act(viewer) or owner.status != MemberStatus.ACTIVE:
        return None
    around = await queries.blocked_ids_around(viewer.id)
    if owner.id in around:
        if not await queries.has_blocked(viewer.id, owner.id):
            return None  # the owner blocked the viewer: they hear nothing of each other
        return ProfileFriends(owner, "blocked", None, False, 0, [], [], False)
    request_id = None
    if viewer.id == owner.id:
        state = "self"
    elif await queries.are_friends(viewer.id, owner.id):
        state = "friend"
    else:
        pending = await queries.pending_between(viewer.id, owner.id)
        state = "none" if pending is None else "sent" if pending.sender == viewer.id else "received"
        request_id = pending.id if pending else None
    list_visible = viewer.id == owner.id or not await queries.hides_friend_list(owner.id)
    count, faces = 0, []
    if list_visible:
        ids = await queries.active_friend_ids(owner.id, around)
        count = len(ids)
        chosen = random.sample(ids, min(PROFILE_FACES, count))
        members = await queries.members_by_ids(chosen)
        faces = [members[i] for i in chosen if i in members]
    introductions = await introductions_about(viewer, owner.id)
    has_written = state == "friend" and any(i.author.id == viewer.id for i in introductions)
    if state == "friend" and not has_written:  # perhaps written, then hidden by the owner
        has_written = await queries.introduction_by(viewer.id, owner.id) is not None
    return ProfileFriends(
        owner, state, request_id, list_visible, count, faces, introductions, has_written
    )


# -- shortest chain of maimiku ------------------------------------------------------------


async def chain_ids(
    source: int,
    target: int,
    avoid: set[int] | frozenset[int] = frozenset(),
    max_steps: int = CHAIN_MAX_STEPS,
) -> list[int] | None:
    """The shortest chain source → … → target, by breadth-first search from both ends.

    Each step reads one whole frontier from the (member, friend) index, always on the side
    with the smaller frontier. Members in `avoid` are skipped; members in between must be
    active and not hiding their maimiku list. None when there is no chain of at most
    max_steps, or when a frontier would exceed FRONTIER_LIMIT (the search stays bounded).
    """
    if source == target:
        return [source]
    parents: tuple[dict[int, int | None], dict[int, int | None]] = ({source: None}, {target: None})
    depth_of: tuple[dict[int, int], dict[int, int]] = ({source: 0}, {target: 0})
    frontiers = ([source], [target])
    depths = [0, 0]
    ends = (source, target)
    while frontiers[0] and frontiers[1] and depths[0] + depths[1] < max_steps:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if len(frontiers[side]) > FRONTIER_LIMIT:
            return None
        mine, theirs = parents[side], parents[1 - side]
        found: dict[int, int] = {}
        for member, friend in await queries.friend_pairs_of_many(frontiers[side]):
            if friend not in mine and friend not in found and friend not in avoid:
                found[friend] = member
        depths[side] += 1
        meetings = [m for m in found if m in theirs]
        if meetings:
            inner = [m for m in meetings if m not in ends]
            passable = await queries.passable_members(inner) if inner else set()
            usable = [m for m in meetings if m in ends or m in passable]
            if usable:
                meet = min(usable, key=lambda m: (depth_of[1 - side][m], m))
                mine.update({meet: found[meet]})
                return _join(parents, meet)
        if depths[0] + depths[1] >= max_steps:
            return None  # no need to check members that no further step will expand
        candidates = [m for m in found if m not in meetings]
        passable = await queries.passable_members(candidates)
        frontier = sorted(m for m in candidates if m in passable)
        for member in frontier:
            mine[member] = found[member]
            depth_of[side][member] = depths[side]
        frontiers = (frontier, frontiers[1]) if side == 0 else (frontiers[0], frontier)
    return None


def _join(parents: tuple[dict[int, int | None], dict[int, int | None]], meet: int) -> list[int]:
    forward: list[int] = []
    node: int | None = meet
    while node is not None:
        forward.append(node)
        node = parents[0][node]
    forward.reverse()
    node = parents[1][meet]
    while node is not None:
        forward.append(node)
        node = parents[1][node]
    return forward


async def shortest_chain(
    viewer: Member, target_id: int, *, max_steps: int = CHAIN_MAX_STEPS
) -> list[Member] | None:
    """How is the viewer connected to this member? The members of a shortest chain."""
    require_active(viewer)
    target = await _active_member_or_404(target_id)
    avoid = await queries.blocked_ids_around(viewer.id)
    if target.id in avoid:
        raise NotFound(_("This member does not exist."), code="no_member")
    ids = await chain_ids(viewer.id, target.id, avoid, max_steps)
    if ids is None:
        return None
    members = await queries.members_by_ids(ids)
    return [members[i] for i in ids] if all(i in members for i in ids) else None


# -- the graph explorer -------------------------------------------------------------------


def _ids(text: str, limit: int) -> list[int]:
    found: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and len(part) < 12 and len(found) < limit:
            found.append(int(part))
    return list(dict.fromkeys(found))


@dataclass
class GraphState:
    """What the explorer shows, carried by the page itself (hidden inputs, the address).

    groups: each opened member with the members that opening added, in order; chain: the
    last chain drawn; view: "focus" (around the last opened face) or "fit" (everything).
    """

    groups: list[tuple[int, list[int]]] = field(default_factory=list)
    chain: list[int] = field(default_factory=list)
    view: str = "focus"

    @classmethod
    def parse(cls, groups: list[str], chain: str = "", view: str = "") -> GraphState:
        parsed: list[tuple[int, list[int]]] = []
        budget = GRAPH_MAX_NODES
        for raw in groups[:GRAPH_MAX_NODES]:
            anchor, _sep, members = raw.partition(":")
            anchor_ids = _ids(anchor, 1)
            if not anchor_ids:
                continue
            added = _ids(members, max(0, budget))
            budget -= len(added)
            parsed.append((anchor_ids[0], added))
        return cls(
            groups=parsed,
            chain=_ids(chain, CHAIN_MAX_STEPS + 1),
            view="fit" if view == "fit" else "focus",
        )

    def shown(self) -> list[int]:
        ordered: list[int] = []
        for anchor, members in self.groups:
            ordered.append(anchor)
            ordered.extend(members)
        ordered.extend(self.chain)
        return list(dict.fromkeys(ordered))

    def encoded_groups(self) -> list[str]:
        return [f"{anchor}:{','.join(map(str, members))}" for anchor, members in self.groups]

    def encoded_chain(self) -> str:
        return ",".join(map(str, self.chain))

    def keep_only(self, allowed: set[int]) -> None:
        self.groups = [
            (anchor, [m for m in members if m in allowed])
            for anchor, members in self.groups
            if anchor in allowed
        ]
        if any(m not in allowed for m in self.chain):
            self.chain = []


@dataclass(frozen=True)
class GraphFace:
    """The little the graph needs of a member (partials/_face.html reads nickname)."""

    id: int
    nickname: str
    face_url: str | None = None


@dataclass(frozen=True)
class GraphNode:
    member: GraphFace
    x: float
    y: float
    is_me: bool
    opened: bool
    hides_list: bool
    on_chain: bool


@dataclass(frozen=True)
class GraphEdge:
    a: int
    b: int
    x1: float
    y1: float
    x2: float
    y2: float
    overlap: bool  # not drawn by an opening: two shown circles of maimiku touch here
    on_chain: bool


@dataclass
class Graph:
    state: GraphState
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    view_box: tuple[float, float, float, float]
    focus: int
    notices: list[str] = field(default_factory=list)
    query: str = ""
    chain: list[GraphFace] = field(default_factory=list)
    chain_missing: Member | None = None  # searched, but no chain within CHAIN_MAX_STEPS
    matches: list[Member] = field(default_factory=list)  # the search text fits several


async def explore(
    viewer: Member,
    state: GraphState,
    *,
    faces: FaceLookup,
    expand: int | None = None,
    find: str | None = None,
    to: int | None = None,
) -> Graph:
    """The graph explorer: open a face, or look for a chain, and lay out what is shown.

    Reading the graph leaves no footprints. Members in a block with the viewer are never
    drawn; a member who hides their list is drawn without their maimiku, and an edge is
    drawn only when the viewer may see it in one of its two members' lists.
    """
    require_active(viewer)
    avoid = await queries.blocked_ids_around(viewer.id)
    notices: list[str] = []
    if not state.groups or state.groups[0][0] != viewer.id:
        state = GraphState(view=state.view)
        opening: list[int] = [viewer.id]
    else:
        opening = []
    if expand is not None and expand not in opening:
        opening.append(expand)
    focus = viewer.id
    private: list[int] = []
    for node in opening:
        shown = set(state.shown())
        if node in avoid or (node != viewer.id and node not in shown):
            continue
        focus = node
        if node != viewer.id and await queries.hides_friend_list(node):
            private.append(node)
            state.groups.append((node, []))
            continue
        candidates = [m for m in await queries.active_friend_ids(node, avoid) if m not in shown]
        room = max(0, GRAPH_MAX_NODES - len(shown))
        added = candidates[: min(EXPAND_LIMIT, room)]
        state.groups.append((node, added))
        if len(candidates) > len(added) and room > len(added):
            notices.append(
                _(
                    "%(num)s more maimiku are not shown yet: open the same face again.",
                    num=len(candidates) - len(added),
                )
            )
        elif len(candidates) > len(added):
            notices.append(_("The graph is full. Start again to explore elsewhere."))

    query = (find or "").strip()
    chain_missing: Member | None = None
    matches: list[Member] = []
    if find is not None and to is None:
        if not query:
            notices.append(_("Type a nickname to look for."))
        else:
            named = await queries.members_named(query[:40], NAME_MATCHES + 1)
            matches = [m for m in named if m.id not in avoid and m.id != viewer.id]
            if len(matches) == 1:
                to, matches = matches[0].id, []
            elif not matches:
                notices.append(_("No member is called %(name)s.", name=query))
    if to is not None:
        try:
            found = await shortest_chain(viewer, to)
        except NotFound as exc:
            notices.append(exc.message)
            found, to = None, None
        if found is None:
            chain_missing = await queries.active_member(to) if to is not None else None
            state.chain = []
        else:
            state.chain = [m.id for m in found]
            focus = to

    ids = state.shown() or [viewer.id]
    rows = await queries.graph_faces(ids)
    allowed = {i for i in rows if i not in avoid}
    state.keep_only(allowed)
    ids = [i for i in ids if i in allowed]
    photos = await faces(ids)
    drawn = {i: GraphFace(i, rows[i]["nickname"], photos.get(i)) for i in ids}
    hiding = {i for i in ids if rows[i]["hides"] and i != viewer.id}
    for node in private:
        if node in drawn:
            notices.append(
                _("%(name)s keeps their maimiku list private.", name=drawn[node].nickname)
            )
    positions = layout.place(viewer.id, state.groups, state.chain)
    tree = {frozenset((a, m)) for a, added in state.groups for m in added}
    chain_links = {frozenset(pair) for pair in pairwise(state.chain)}
    edges = []
    for a, b in await queries.edges_among(ids):
        if a in hiding and b in hiding:
            continue  # neither list may be seen: the edge stays unknown
        pair = frozenset((a, b))
        (x1, y1), (x2, y2) = positions[a], positions[b]
        edges.append(
            GraphEdge(
                a,
                b,
                round(x1, 1),
                round(y1, 1),
                round(x2, 1),
                round(y2, 1),
                overlap=pair not in tree and pair not in chain_links,
                on_chain=pair in chain_links,
            )
        )
    opened = {anchor for anchor, _added in state.groups}
    on_chain = set(state.chain)
    nodes = [
        GraphNode(
            member=drawn[i],
            x=round(positions[i][0], 1),
            y=round(positions[i][1], 1),
            is_me=i == viewer.id,
            opened=i in opened,
            hides_list=i in hiding,
            on_chain=i in on_chain,
        )
        for i in ids
    ]
    if expand is None and to is None and state.groups:
        focus = state.groups[-1][0]
    if focus not in positions:
        focus = viewer.id
    return Graph(
        state=state,
        nodes=nodes,
        edges=edges,
        view_box=layout.view_box(
            positions,
            focus,
            state.view == "fit",
            keep=[m for anchor, added in state.groups if anchor == focus for m in added]
            + (state.chain if focus in state.chain else []),
        ),
        focus=focus,
        notices=notices,
        query=query,
        chain=[drawn[i] for i in state.chain] if to is not None and state.chain else [],
        chain_missing=chain_missing,
        matches=matches,
    )
