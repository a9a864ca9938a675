"""Validation of the typed forms (communities.commands): what a member typed becomes
checked values, or a FormInvalid with one translated message per field."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ashiato import i18n
from ashiato.communities.commands import CommunityForm, TopicForm
from ashiato.communities.tables import Community, JoinPolicy, Topic, TopicPolicy
from ashiato.errors import FormInvalid
from ashiato.i18n import _, lazy_gettext

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
TICKED = ("1", "on", "true", "yes")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fold(text: str) -> str:
    """Width- and case-insensitive form for search: ＡＢＣ, abc and ABC match; カナ stays."""
    return unicodedata.normalize("NFKC", text).casefold()


def _check_length(errors: dict[str, str], field: str, value: str, limit: str, required: bool):
    if required and not value:
        errors[field] = _("Please fill this in.")
    elif len(value) > LIMITS[limit]:
        errors[field] = _("Please keep this under %(n)s characters.", n=LIMITS[limit])


def _text(value: str, field: str, *, limit: str = "", required: bool = True) -> str:
    """One stripped text field, or FormInvalid for it."""
    value = value.strip()
    errors: dict[str, str] = {}
    _check_length(errors, field, value, limit or field, required)
    if errors:
        raise FormInvalid(errors)
    return value


def reply_body(body: str) -> str:
    return _text(body, "body", limit="reply")


def report_reason(reason: str) -> str:
    return _text(reason, "reason")


def join_message(message: str) -> str:
    """The note to the admins is optional and cut to length, never refused."""
    return message.strip()[: LIMITS["message"]]


# -- communities -------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityValues:
    """A community's checked settings, as stored."""

    name: str
    category: str
    description: str
    join_policy: str
    topic_policy: str
    topics_public: bool
    search_text: str

    def columns(self) -> dict[str, Any]:
        return asdict(self)


def community_values(form: CommunityForm) -> CommunityValues:
    errors: dict[str, str] = {}
    name, description = form.name.strip(), form.description.strip()
    category = form.category.strip()
    join_policy = form.join_policy.strip() or JoinPolicy.OPEN
    topic_policy = form.topic_policy.strip() or TopicPolicy.MEMBERS
    _check_length(errors, "name", name, "name", required=True)
    _check_length(errors, "description", description, "description", required=False)
    if category not in CATEGORIES:
        errors["category"] = _("Please choose a category.")
    if join_policy not in (JoinPolicy.OPEN, JoinPolicy.APPROVAL):
        errors["join_policy"] = _("Please choose who may join.")
    if topic_policy not in (TopicPolicy.MEMBERS, TopicPolicy.ADMINS):
        errors["topic_policy"] = _("Please choose who may start topics.")
    if errors:
        raise FormInvalid(errors)
    return CommunityValues(
        name=name,
        category=category,
        description=description,
        join_policy=join_policy,
        topic_policy=topic_policy,
        topics_public=form.topics_public in TICKED,
        search_text=fold(f"{name}\n{description}"),
    )


def new_community_form() -> CommunityForm:
    """The defaults of the new-community form."""
    return CommunityForm(
        join_policy=JoinPolicy.OPEN, topic_policy=TopicPolicy.MEMBERS, topics_public="1"
    )


def community_form(community: Community) -> CommunityForm:
    """The edit form, filled with the community's settings."""
    return CommunityForm(
        name=community.name,
        category=community.category,
        description=community.description,
        join_policy=community.join_policy,
        topic_policy=community.topic_policy,
        topics_public="1" if community.topics_public else "",
    )


# -- topics and events -------------------------------------------------------------------


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


@dataclass(frozen=True)
class TopicValues:
    """A topic's checked text, and for an event its date, deadline and place."""

    title: str
    body: str
    event_at: dt.datetime | None = None
    event_deadline: dt.datetime | None = None
    event_place: str = ""

    def columns(self, *, is_event: bool) -> dict[str, Any]:
        values = asdict(self)
        if not is_event:
            for key in ("event_at", "event_deadline", "event_place"):
                del values[key]
        return values


def _event_errors(form: TopicForm, errors: dict[str, str], check_future: bool):
    event_at = parse_local_datetime(form.event_at)
    deadline = parse_local_datetime(form.event_deadline)
    place = form.event_place.strip()
    _check_length(errors, "event_place", place, "place", required=False)
    if event_at is None:
        errors["event_at"] = _("Please give the date and time of the event.")
    elif check_future and event_at <= now():
        errors["event_at"] = _("The event must be in the future.")
    if form.event_deadline.strip() and deadline is None:
        errors["event_deadline"] = _("Please give a valid date and time.")
    elif deadline is not None and event_at is not None and deadline > event_at:
        errors["event_deadline"] = _("The deadline must be before the event.")
    return event_at, deadline or event_at, place


def topic_values(form: TopicForm, *, is_event: bool, check_future: bool) -> TopicValues:
    errors: dict[str, str] = {}
    title, body = form.title.strip(), form.body.strip()
    _check_length(errors, "title", title, "title", required=True)
    _check_length(errors, "body", body, "body", required=True)
    event_at = deadline = None
    place = ""
    if is_event:
        event_at, deadline, place = _event_errors(form, errors, check_future)
    if errors:
        raise FormInvalid(errors)
    return TopicValues(title, body, event_at, deadline, place)


def topic_form(topic: Topic) -> TopicForm:
    """The edit form, filled with the topic (event times in the member's time zone)."""
    return TopicForm(
        title=topic.title,
        body=topic.body,
        is_event="1" if topic.is_event else "",
        event_at=local_input_value(topic.event_at),
        event_deadline=local_input_value(topic.event_deadline),
        event_place=topic.event_place,
    )
