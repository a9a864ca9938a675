"""The member row every feature refers to (foreign keys, names, status).

It lives in the kernel, not in accounts, so that a feature can point at a member without
importing the accounts feature. The accounts Piccolo app still owns its migrations.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class MemberStatus:
    PENDING = "pending"  # an address still waits for verification
    AWAITING_APPROVAL = "awaiting_approval"  # verified, waits for an admin (a site setting)
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # 退会: content stays, shown as "a withdrawn member"


class Member(Table):
    """A member of the site. Addresses are nulled on withdrawal so they can join again."""

    pc_email = Varchar(
        length=254, null=True, default=None, unique=True, index=True, help_text="PC e-mail"
    )
    pc_verified_at = Timestamptz(null=True, default=None)
    mobile_email = Varchar(
        length=254,
        null=True,
        default=None,
        unique=True,
        index=True,
        help_text="carrier address, as sent",
    )
    mobile_verified_at = Timestamptz(null=True, default=None)
    password_hash = Varchar(length=200, help_text="Argon2id")
    nickname = Varchar(length=40)
    full_name = Varchar(length=80, default="")
    gender = Varchar(length=10, default="", help_text="'', female, male, other")
    birth_date = Date(null=True, default=None)
    region = Varchar(length=40, default="")
    introduction = Text(default="")
    locale = Varchar(length=8, default="", help_text="'' follows the browser")
    time_zone = Varchar(length=40, default="Asia/Tokyo")
    status = Varchar(length=20, default=MemberStatus.PENDING, index=True)
    approved_at = Timestamptz(null=True, default=None, help_text="admin approval, if required")
    signup_country = Varchar(length=2, default="", help_text="ISO country of the sign-up IP")
    is_admin = Boolean(default=False)
    invited_by = ForeignKey("self", null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
