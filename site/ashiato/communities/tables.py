"""Communities, their members, BBS topics with numbered replies, events and reports.

Counters (member_count, reply_count, participant_count) live on the parent row and move
only by atomic `SET x = x ± 1` in the transaction that inserts or deletes the child row,
so they stay exact under concurrent joins, leaves and replies. The pairs that must be
unique (community, member), (topic, number), (topic, member) have unique indexes made in
the migration (Piccolo has no composite unique constraint on the Table class).
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class JoinPolicy:
    OPEN = "open"  # anyone joins at once
    APPROVAL = "approval"  # the admins approve each request


class TopicPolicy:
    MEMBERS = "members"  # every member may start a topic
    ADMINS = "admins"  # only the admin and sub-admins


class Role:
    MEMBER = "member"
    SUB_ADMIN = "sub_admin"  # 副管理人; the admin (管理人) is Community.admin


class Community(Table):
    """A place for members who share an interest (ラーメン二郎, Nintendo DS…)."""

    name = Varchar(length=100, help_text="shown everywhere the community appears")
    category = Varchar(length=20, index=True, help_text="a key of service.CATEGORIES")
    description = Text(default="")
    image = Varchar(length=200, default="", help_text="photo key from the photo pipeline")
    join_policy = Varchar(length=10, default=JoinPolicy.OPEN, help_text="open, approval")
    topic_policy = Varchar(length=10, default=TopicPolicy.MEMBERS, help_text="members, admins")
    topics_public = Boolean(default=True, help_text="non-members may read the topics")
    admin = ForeignKey(Member, index=True, help_text="管理人; one per community")
    member_count = Integer(default=0, index=True, help_text="rows in community_membership")
    search_text = Text(default="", help_text="NFKC, casefolded name and description")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class CommunityMembership(Table):
    """A member belongs to a community; unique per (community, member)."""

    community = ForeignKey(Community, index=True)
    member = ForeignKey(Member, index=True)
    role = Varchar(length=10, default=Role.MEMBER, help_text="member, sub_admin")
    joined_at = Timestamptz(default=TimestamptzNow())


class JoinRequest(Table):
    """A request to join a community whose admins approve members."""

    community = ForeignKey(Community, index=True)
    member = ForeignKey(Member, index=True)
    message = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class CommunityBan(Table):
    """A member the admins put out of a community; they cannot join again."""

    community = ForeignKey(Community, index=True)
    member = ForeignKey(Member, index=True)
    banned_by = ForeignKey(Member, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Topic(Table):
    """A BBS thread (トピック), or an event (イベント) when is_event is set."""

    community = ForeignKey(Community, index=True)
    author = ForeignKey(Member, index=True)
    title = Varchar(length=100)
    body = Text(default="")
    is_event = Boolean(default=False)
    event_at = Timestamptz(null=True, default=None, help_text="when the event takes place")
    event_place = Varchar(length=100, default="")
    event_deadline = Timestamptz(null=True, default=None, help_text="last moment to join")
    participant_count = Integer(default=0, help_text="rows in event_participant")
    reply_count = Integer(default=0, help_text="the last reply number; numbers are never reused")
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    last_posted_at = Timestamptz(default=TimestamptzNow(), index=True)


class TopicReply(Table):
    """Reply number N of a topic (unique per topic). Deleted replies keep their number."""

    topic = ForeignKey(Topic, index=True)
    number = Integer(help_text="1, 2, 3… in the order they were posted")
    author = ForeignKey(Member, index=True)
    body = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)
    deleted_by_admin = Boolean(default=False, help_text="removed by a community admin")


class EventParticipant(Table):
    """A member taking part in an event topic; unique per (topic, member)."""

    topic = ForeignKey(Topic, index=True)
    member = ForeignKey(Member, index=True)
    joined_at = Timestamptz(default=TimestamptzNow())


class CommunityReport(Table):
    """A member tells the community admins that a topic or reply breaks the rules."""

    community = ForeignKey(Community, index=True)
    reporter = ForeignKey(Member, index=True)
    topic = ForeignKey(Topic, null=True, default=None)
    reply = ForeignKey(TopicReply, null=True, default=None)
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)


TABLES = [
    Community,
    CommunityMembership,
    JoinRequest,
    CommunityBan,
    Topic,
    TopicReply,
    EventParticipant,
    CommunityReport,
]
