"""Mail waiting to be delivered to the relay."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table):
    """One mail to send, written in the same transaction as the change that caused it."""

    recipient = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text()
    kind = Varchar(length=40, help_text="what caused it: invitation, pc_verification, …")
    reply_to = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None, index=True)
    failed_at = Timestamptz(null=True, default=None, help_text="gave up after max attempts")
    last_error = Text(default="")
