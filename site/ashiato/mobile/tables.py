"""Gateway addresses (regist+TOKEN@, post+TOKEN@, reply+TOKEN@), mails already acted on,
and the log of what the mail gateway decided."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from ashiato.members.tables import Member

# The diary of a reply address, named through Piccolo's app registry: the address layer
# keeps a diary's id (and the database drops the address with its diary) without importing
# diaries, which builds on this feature (its comment notifications carry reply addresses).
DIARY = LazyTableReference(table_class_name="Diary", app_name="diaries")


class AddressPurpose:
    REGIST = "regist"  # 空メール: a mail to it verifies the sender as the member's phone
    POST = "post"  # a mail to it becomes a diary
    REPLY = "reply"  # a mail to it becomes a comment on one diary (comment notifications)


class GatewayAddress(Table):
    """A member's secret address at the mail domain: `regist+TOKEN@`, `post+TOKEN@` or
    `reply+TOKEN@` (one per member and diary: the Reply-To of comment notifications).

    The token itself is not stored. It is HMAC(secret key, purpose, member, nonce), so the
    site can show the same address again (members save it in their phone), while the
    table holds only the nonce and the token's SHA-256, by which an arriving mail finds its
    row. A copy of the database alone therefore hands out no working address; together
    with the members' stored mobile addresses it would otherwise let anyone post as them.
    A registration address is single-use and expires; a posting address lasts until the
    member regenerates it (`revoked_at`); a reply address as long as its diary.
    """

    member = ForeignKey(Member, index=True)
    purpose = Varchar(length=10, help_text="regist | post | reply")
    diary = ForeignKey(
        DIARY,
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
        help_text="reply: the diary a mail to it comments on",
    )
    nonce = Varchar(length=32, help_text="random input of the token's HMAC")
    token_hash = Varchar(length=64, unique=True, index=True, help_text="SHA-256 of the token")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None, help_text="regist: end of validity")
    used_at = Timestamptz(null=True, default=None, help_text="regist: when it verified")
    verified_address = Varchar(
        length=254, null=True, default=None, help_text="regist: the phone it verified"
    )
    revoked_at = Timestamptz(null=True, default=None, help_text="post: replaced by a new one")


class ProcessedMail(Table):
    """A mail the gateway acted on, so a carrier's resend (same Message-ID) acts only once.

    `key` is the SHA-256 of member, purpose and Message-ID: one unique column that works
    the same on SQLite and PostgreSQL whatever the length of the Message-ID.
    """

    key = Varchar(length=64, unique=True, index=True, help_text="member, purpose, Message-ID")
    member = ForeignKey(Member, index=True)
    purpose = Varchar(length=10, help_text="regist | post | reply")
    message_id = Varchar(length=255, help_text="as received, cut to 255 characters")
    created_at = Timestamptz(default=TimestamptzNow())


class GatewayEvent(Table):
    """One decision of the mail gateway (accepted, refused and why), for the admin pages."""

    created_at = Timestamptz(default=TimestamptzNow())
    decision = Varchar(length=12, help_text="accepted | duplicate | refused | deferred")
    reason = Varchar(length=40, default="", help_text="why, as a short code")
    stage = Varchar(length=6, default="", help_text="SMTP command: MAIL, RCPT or DATA")
    purpose = Varchar(length=10, default="", help_text="regist | post | reply | '' (none)")
    member = ForeignKey(Member, null=True, default=None, index=True)
    mail_from = Varchar(length=254, default="", help_text="envelope sender")
    rcpt_to = Varchar(length=254, default="", help_text="recipient, its token masked")
    message_id = Varchar(length=255, default="")
    size = Integer(default=0, help_text="bytes of DATA (or the SIZE declared)")
    peer = Varchar(length=64, default="", help_text="IP address of the sending MTA")
    reply = Varchar(length=120, default="", help_text="the SMTP reply given")
