"""Who may do what in a community: the viewer's standing, the rules on it, and the
lookups every rule starts from. Each rule is written here once; the other modules ask."""

from __future__ import annotations

from dataclasses import dataclass

from ashiato.communities import queries
from ashiato.communities.service.errors import (
    AdminOnly,
    AdminsStartTopics,
    CommunityNotFound,
    JoinFirst,
    ManagersOnly,
    MembersOnly,
    TopicNotFound,
)
from ashiato.communities.service.people import Person
from ashiato.communities.tables import Community, JoinPolicy, Role, Topic, TopicPolicy
from ashiato.members import can_act, require_active
from ashiato.members.tables import Member, MemberStatus

ADMIN = "admin"  # the role name pages use for the admin (管理人), who is Community.admin


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
        return self.role == ADMIN

    @property
    def is_manager(self) -> bool:
        """The admin (管理人) or a sub-admin (副管理人): they moderate."""
        return self.role in (ADMIN, Role.SUB_ADMIN)


def admin_id(community: Community) -> int:
    admin = community.admin
    return admin if isinstance(admin, int) else admin.id  # type: ignore[return-value]


def role_of(community: Community, member_id: int, membership_role: str) -> str:
    """The role pages show: admin for the community's admin, else the membership's."""
    return ADMIN if member_id == admin_id(community) else membership_role


async def standing_of(
    viewer: Member | None, community: Community, *, full: bool = False
) -> Standing:
    """One query for members; `full` adds the ban and pending-request checks for others."""
    if viewer is None or not can_act(viewer):
        return Standing()
    membership = await queries.membership(community.id, viewer.id)
    if membership is not None:
        return Standing(viewer.id, role_of(community, viewer.id, membership.role))
    if not full:
        return Standing(viewer.id)
    banned = await queries.is_banned(community.id, viewer.id)
    requested = (
        not banned
        and community.join_policy == JoinPolicy.APPROVAL
        and await queries.has_join_request(community.id, viewer.id)
    )
    return Standing(viewer.id, "", banned, requested)


async def community_or_404(community_id: int) -> Community:
    """The community with its admin (one query)."""
    community = await queries.community_with_admin(community_id)
    if community is None:
        raise CommunityNotFound()
    return community


async def topic_or_404(community: Community, topic_id: int) -> Topic:
    """A topic of this community, with its author."""
    topic = await queries.topic_with_author(topic_id)
    if topic is None or topic.community != community.id:
        raise TopicNotFound()
    return topic


async def standing_in(
    actor: Member, community_id: int, *, full: bool = False
) -> tuple[Community, Standing]:
    """Where every action starts: an active actor, the community, how they stand to it."""
    require_active(actor)
    community = await community_or_404(community_id)
    return community, await standing_of(actor, community, full=full)


# -- the rules ---------------------------------------------------------------------------


def can_read_topics(community: Community, standing: Standing) -> bool:
    if not standing.member_id or standing.banned:
        return False
    return community.topics_public or standing.is_member


def can_start_topic(community: Community, standing: Standing) -> bool:
    if community.topic_policy == TopicPolicy.ADMINS:
        return standing.is_manager
    return standing.is_member


def can_claim_admin(community: Community, standing: Standing) -> bool:
    """A member may take the admin role over once the admin withdrew."""
    admin = community.admin
    return (
        standing.is_member
        and not standing.is_admin
        and isinstance(admin, Member)
        and admin.status == MemberStatus.WITHDRAWN
    )


def may_moderate(actor: Standing, target_role: str, target_id: int) -> bool:
    """Managers act on members; only the admin acts on sub-admins; nobody on the admin."""
    if target_id == actor.member_id or target_role == ADMIN:
        return False
    if target_role == Role.SUB_ADMIN:
        return actor.is_admin
    return actor.is_manager


def may_moderate_person(standing: Standing, target: Person) -> bool:
    """For templates: whether to offer remove/ban next to this member."""
    return may_moderate(standing, target.role, target.id)


def require_reader(community: Community, standing: Standing) -> None:
    if not can_read_topics(community, standing):
        raise MembersOnly()


def require_member(standing: Standing) -> None:
    if not standing.is_member:
        raise JoinFirst()


def require_topic_starter(community: Community, standing: Standing) -> None:
    if not can_start_topic(community, standing):
        require_member(standing)
        raise AdminsStartTopics()


def require_manager(standing: Standing) -> None:
    if not standing.is_manager:
        raise ManagersOnly()


def require_admin(standing: Standing) -> None:
    if not standing.is_admin:
        raise AdminOnly()
