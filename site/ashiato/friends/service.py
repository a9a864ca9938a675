"""Maimiku rules: requests, friendships, introductions, blocks, list privacy, chains.

Every function takes the acting member first and checks what that member may do. Members'
faces belong to profiles, which depends on this feature: a function that shows faces takes
the look-up (`faces`, a registry.FaceLookup) from its caller. Who may
see a member's maimiku: the member, and every other active member unless the member hides
their list or a block stands between the two. A hidden list also hides the member's
edges in the graph explorer (friends.explorer), and a chain of maimiku never passes
through such a member (the search itself is friends.chain).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ashiato import db
from ashiato.errors import FormInvalid
from ashiato.friends import chain, queries
from ashiato.friends.errors import (
    AlreadyAsked,
    AlreadyFriends,
    Blocked,
    CannotAddYourself,
    CannotBlockYourself,
    FriendLimitReached,
    ListHidden,
    NoSuchIntroduction,
    NoSuchMember,
    NoSuchRequest,
    NotFriends,
    NotYourIntroduction,
    RequestAnswered,
    RequestBlocked,
    TryAgain,
)
from ashiato.friends.errors import FriendsError as FriendsError  # callers catch it from here
from ashiato.friends.tables import FriendRequest, FriendRequestStatus, Introduction
from ashiato.i18n import _
from ashiato.members import Relation, can_act, require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.pagination import Pagination
from ashiato.registry import FaceLookup, Viewing
from ashiato.settings import Settings

REQUEST_MESSAGE_MAX_LENGTH = 500
INTRODUCTION_MAX_LENGTH = 1000
PROFILE_FACES = 9
FRIENDS_PER_PAGE = 30


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _active_member_or_404(member_id: int) -> Member:
    member = await queries.active_member(member_id)
    if member is None:
        raise NoSuchMember()
    return member


async def _require_room(member: Member, settings: Settings) -> None:
    if await queries.count_active_friends(member.id) >= settings.max_friends:
        raise FriendLimitReached(member, settings.max_friends)


# -- friendships --------------------------------------------------------------------------


async def make_friends(a: Member, b: Member) -> None:
    """Make a and b maimiku of each other (used by approvals and accepted invitations)."""
    if a.id == b.id:
        raise CannotAddYourself()
    async with db.transaction():
        if not await queries.are_friends(a.id, b.id):
            await queries.insert_friendship(a.id, b.id)


async def befriend_on_invitation(inviter_id: int, member_id: int, settings: Settings) -> bool:
    """As in mixi, whoever invited you is your first maimiku, if the inviter has room (a
    full inviter is no error: the sign-up goes on). Runs in the caller's transaction."""
    if await queries.count_active_friends(inviter_id) >= settings.max_friends:
        return False
    await queries.insert_friendship(inviter_id, member_id)
    return True


async def forget_member(member_id: int) -> None:
    """Withdrawal hook: maimiku end with the account, and its pending requests; what it
    wrote stays. Runs inside the withdrawal's transaction."""
    await queries.forget_member(member_id, _now())


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
        raise CannotBlockYourself()
    if not await queries.member_exists(other_id):
        raise NoSuchMember()
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
        raise CannotAddYourself()
    recipient = await _active_member_or_404(recipient_id)
    if await queries.is_blocked_between(sender.id, recipient.id):
        raise RequestBlocked()
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
            raise TryAgain() from None


async def _send_request_once(
    sender: Member, recipient: Member, text: str, settings: Settings
) -> RequestOutcome:
    async with db.transaction():
        if await queries.is_blocked_between(sender.id, recipient.id):
            raise RequestBlocked()
        if await queries.are_friends(sender.id, recipient.id):
            raise AlreadyFriends(recipient)
        pending = await queries.pending_between(sender.id, recipient.id)
        if pending is not None:
            if pending.sender == sender.id:
                raise AlreadyAsked(recipient)
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
        raise RequestAnswered()
    await queries.insert_friendship(sender.id, recipient.id)


async def _request_for(member: Member, request_id: int, *, as_sender: bool) -> FriendRequest:
    require_active(member)
    request = await queries.request_by_id(request_id)
    owner = (request.sender if as_sender else request.recipient) if request else None
    if request is None or owner != member.id:
        raise NoSuchRequest()
    if request.status != FriendRequestStatus.PENDING:
        raise RequestAnswered()
    return request


async def approve_request(member: Member, request_id: int, settings: Settings) -> Member:
    """The recipient says yes: both become maimiku in one transaction. Returns the sender."""
    request = await _request_for(member, request_id, as_sender=False)
    sender = await _active_member_or_404(request.sender)
    async with db.transaction():
        if await queries.is_blocked_between(member.id, sender.id):
            raise Blocked()
        await _approve(request, sender=sender, recipient=member, settings=settings)
    return sender


async def decline_request(member: Member, request_id: int) -> None:
    request = await _request_for(member, request_id, as_sender=False)
    if not await queries.close_request(request.id, FriendRequestStatus.DECLINED, _now()):
        raise RequestAnswered()


async def cancel_request(member: Member, request_id: int) -> None:
    """The sender takes a request back before it is answered."""
    request = await _request_for(member, request_id, as_sender=True)
    if not await queries.close_request(request.id, FriendRequestStatus.CANCELLED, _now()):
        raise RequestAnswered()


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

    @property
    def pager(self) -> Pagination:
        return Pagination.numbered(self.page, self.pages)


async def friend_list(
    viewer: Member, owner_id: int, page: int = 1, *, faces: FaceLookup
) -> FriendListPage:
    """One page of a member's maimiku, as the viewer may see it."""
    require_active(viewer)
    owner = await _active_member_or_404(owner_id)
    if not await can_see_friend_list(viewer, owner.id):
        raise ListHidden(owner)
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
        raise NotFriends(subject)
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
        raise TryAgain() from None
    return subject


async def _introduction_or_404(introduction_id: int) -> Introduction:
    introduction = await queries.introduction_by_id(introduction_id)
    if introduction is None:
        raise NoSuchIntroduction()
    return introduction


async def set_introduction_hidden(member: Member, introduction_id: int, hidden: bool) -> int:
    """The subject hides an introduction from their profile (or shows it again)."""
    require_active(member)
    introduction = await _introduction_or_404(introduction_id)
    if introduction.subject != member.id:
        raise NotYourIntroduction()
    await queries.update_introduction(introduction.id, hidden=hidden)
    return introduction.subject


async def delete_introduction(member: Member, introduction_id: int) -> int:
    """The subject or the author removes an introduction. Returns the subject's id."""
    require_active(member)
    introduction = await _introduction_or_404(introduction_id)
    if member.id not in (introduction.subject, introduction.author):
        raise NotYourIntroduction()
    await queries.delete_introduction(introduction.id)
    return introduction.subject


async def introductions_about(viewer: Member, subject_id: int) -> list[IntroductionView]:
    """What the viewer sees of a member's introductions (the subject also sees hidden ones)."""
    require_active(viewer)
    rows = await queries.introductions_of(
        subject_id, include_hidden=viewer.id == subject_id, unblocked_for=viewer.id
    )
    return [_introduction_view(row, viewer) for row in rows]


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


async def profile_friends(viewing: Viewing) -> ProfileFriends | None:
    """Faces (a random 9), the count, the viewer's buttons and the introductions.

    The relation comes decided with the viewing (the profile page worked it out once):
    no friendship or block between the two is asked again here."""
    viewer, owner, relation_ = viewing.viewer, viewing.owner, viewing.relation
    if not can_act(viewer) or owner.status != MemberStatus.ACTIVE:
        return None
    if relation_ == Relation.BLOCKED:
        if not await queries.has_blocked(viewer.id, owner.id):
            return None  # the owner blocked the viewer: they hear nothing of each other
        return ProfileFriends(owner, "blocked", None, False, 0, [], [], False)
    request_id = None
    if relation_ == Relation.SELF:
        state = "self"
    elif relation_ == Relation.FRIEND:
        state = "friend"
    else:
        pending = await queries.pending_between(viewer.id, owner.id)
        state = "none" if pending is None else "sent" if pending.sender == viewer.id else "received"
        request_id = pending.id if pending else None
    list_visible = viewer.id == owner.id or not await queries.hides_friend_list(owner.id)
    count, faces = 0, []
    if list_visible:
        count, faces = await queries.random_active_friends(owner.id, viewer.id, PROFILE_FACES)
    introductions = await introductions_about(viewer, owner.id)
    has_written = state == "friend" and any(i.author.id == viewer.id for i in introductions)
    if state == "friend" and not has_written:  # perhaps written, then hidden by the owner
        has_written = await queries.introduction_by(viewer.id, owner.id) is not None
    return ProfileFriends(
        owner, state, request_id, list_visible, count, faces, introductions, has_written
    )


# -- shortest chain of maimiku ------------------------------------------------------------


async def shortest_chain(
    viewer: Member, target_id: int, *, max_steps: int = chain.CHAIN_MAX_STEPS
) -> list[Member] | None:
    """How is the viewer connected to this member? The members of a shortest chain."""
    require_active(viewer)
    target = await _active_member_or_404(target_id)
    avoid = await queries.blocked_ids_around(viewer.id)
    if target.id in avoid:
        raise NoSuchMember()
    ids = await chain.chain_ids(viewer.id, target.id, avoid, max_steps)
    if ids is None:
        return None
    members = await queries.members_by_ids(ids)
    return [members[i] for i in ids] if all(i in members for i in ids) else None
