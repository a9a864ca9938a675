"""Invitations and address verifications (the Member row itself is the kernel's)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Invitation(Table):
    """An invitation by a member; the e-mailed token is stored only as its SHA-256."""

    token_hash = Varchar(length=64, unique=True, index=True)
    email = Varchar(length=254, index=True)
    message = Text(default="")
    inviter = ForeignKey(Member, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    member = ForeignKey(Member, null=True, default=None, help_text="who signed up with it")


class EmailVerification(Table):
    """A link sent to prove a PC address; single-use, expiring."""

    token_hash = Varchar(length=64, unique=True, index=True)
    member = ForeignKey(Member, index=True)
    email = Varchar(length=254)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
