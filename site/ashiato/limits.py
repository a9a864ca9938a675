"""Anti-abuse rules shared by every feature that lets members write to each other.

Rates are counted from the rows themselves (what the member wrote in the last hour), so
they hold across processes without extra state.
"""

from __future__ import annotations

import datetime as dt
import re

from ashiato.errors import DomainError
from ashiato.i18n import _
from ashiato.members.tables import Member
from ashiato.refusals import Refusal
from ashiato.settings import Settings

LINK_RE = re.compile(r"(?:https?|ftp)://|www\.", re.IGNORECASE)


class RateLimited(DomainError):
    status_code = 429
    refusal = Refusal.RATE_LIMITED


class TooManyLinks(DomainError):
    status_code = 422
    refusal = Refusal.TOO_MANY_LINKS


def check_rate(written_last_hour: int, per_hour: int) -> None:
    if written_last_hour >= per_hour:
        raise RateLimited(
            _("You are writing very fast. Please wait a while and try again."), code="rate"
        )


def is_new_member(member: Member, settings: Settings, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    created = member.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return now - created < dt.timedelta(days=settings.new_member_days)


def check_links(member: Member, text: str, settings: Settings) -> None:
    """New members may post only a few links: the usual shape of spam accounts."""
    if not is_new_member(member, settings):
        return
    if len(LINK_RE.findall(text)) > settings.new_member_max_links:
        raise TooManyLinks(
            _(
                "New members can include at most %(n)s link(s) for their first %(days)s days.",
                n=settings.new_member_max_links,
                days=settings.new_member_days,
            ),
            code="links",
        )


def hour_ago() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
