"""Diary rules: who may read, write, edit and comment, limits, photos, comment tracking.

`read(viewer, diary_id)` is the one gate to a single diary: the page, its htmx fragments,
its photos and its comments (list, poll, form, post, delete) all go through it. Lists go
through `visible_diaries` and the other list functions, which filter in SQL with the same
rule (queries.visible_to). The web routes and the mail gateway (ashiato.mailpost) call only
these functions, with typed commands (DiaryDraft, DiaryEdit). Every refusal carries its
Refusal (ashiato.refusals), so the gateway answers it without reading codes.

A comment's notification mail to the diary's author (with their reply+TOKEN@ address from
the mobile address layer) is queued in the comment's own transaction: both or neither.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ashiato import db
from ashiato.diaries import queries
from ashiato.diaries.queries import CommentRow, DiaryRow, HistoryRow, PhotoRow
from ashiato.diaries.tables import Diary
from ashiato.errors import DomainError, FormInvalid, NotFound, PermissionDenied
from ashiato.friends import audience
from ashiato.i18n import _, current_locale, format_date, using
from ashiato.limits import TooManyLinks, check_links, check_rate, hour_ago
from ashiato.members import (
    VISIBILITY_LABELS,
    Visibility,
    can_act,
    display_name,
    name_for,
    require_active,
)
from ashiato.members.queries import member_by_id
from ashiato.members.tables import Member
from ashiato.mobile import service as mobile
from ashiato.outbox import service as outbox
from ashiato.pagination import Pagination
from ashiato.photos import PhotoError, process_upload
from ashiato.refusals import Refusal
from ashiato.settings import Settings
from ashiato.text import render_text

TITLE_MAX = 100
BODY_MAX = 10_000
COMMENT_MAX = 2_000
MAX_PHOTOS = 3
PAGE_SIZE = 20
LATEST_SIZE = 10
PROFILE_SIZE = 5
SOURCES = ("web", "mail")


class DiaryError(DomainError):
    """A diary rule refused the request."""

    status_code = 422


class DuplicateDiary(DiaryError):
    """A diary with this mail's Message-ID exists already (a redelivered mail)."""

    refusal = Refusal.DUPLICATE


class DiaryUnavailable(NotFound):
    """Missing, or outside the viewer's audience: the same answer for both."""

    refusal = Refusal.DIARY_UNAVAILABLE


@dataclass(frozen=True)
class FieldError:
    """One field's error: its code, the message shown beside it, and the Refusal (with the
    numbers it names) that the mail gateway answers."""

    code: str
    message: str
    refusal: Refusal = Refusal.NOT_ACCEPTED
    params: dict[str, int] = field(default_factory=dict)


class DiaryInvalid(FormInvalid):
    """Field errors of a diary or comment; `.code` and `.refusal` are the first field's,
    `.codes` all the fields' codes."""

    def __init__(self, errors: dict[str, FieldError]) -> None:
        first = next(iter(errors.values()))
        messages = {name: error.message for name, error in errors.items()}
        super().__init__(messages, refusal=first.refusal, params=first.params)
        self.codes = {name: error.code for name, error in errors.items()}
        self.code = first.code


@dataclass(frozen=True)
class DiaryDraft:
    """A new diary as written (web form or mail): `visibility` None is the author's
    default; `photos` are the uploaded files, not yet checked."""

    title: str = ""
    body: str = ""
    visibility: str | None = None
    photos: Sequence[bytes] = ()


@dataclass(frozen=True)
class DiaryEdit:
    """The author's changes to a diary: text, audience, photos to drop and to add."""

    title: str = ""
    body: str = ""
    visibility: str = ""
    remove_photo_ids: Sequence[int] = ()
    new_photos: Sequence[bytes] = ()


@dataclass(frozen=True)
class DiaryView:
    """A diary the viewer may read, as pages and templates use it."""

    id: int
    author_id: int
    author_name: str
    title: str
    body: str
    visibility: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    photo_count: int
    comment_count: int
    last_comment_id: int
    author_seen_comment_id: int
    source: str = "web"

    @property
    def body_html(self) -> Markup:
        return render_text(self.body)

    @property
    def visibility_label(self) -> str:
        return str(VISIBILITY_LABELS[Visibility(self.visibility)])


@dataclass(frozen=True)
class DiaryPage:
    """Everything the diary page shows, loaded in a constant number of queries."""

    diary: DiaryView
    photos: list[PhotoRow]
    comments: list[CommentRow]
    is_author: bool

    @property
    def after(self) -> int:
        """The newest comment shown: the live poll asks for comments after it."""
        return self.comments[-1]["id"] if self.comments else 0


@dataclass(frozen=True)
class Page:
    """One page of a list, and whether an older page exists."""

    rows: list[DiaryRow] | list[CommentRow] | list[HistoryRow]
    page: int
    has_more: bool = False

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_more)


def _view(row: DiaryRow) -> DiaryView:
    return DiaryView(
        id=row["id"],
        author_id=row["author_id"],
        author_name=name_for(row["author_nickname"], row["author_status"]),
        title=row["title"],
        body=row["body"],
        visibility=row["visibility"],
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        photo_count=row["photo_count"],
        comment_count=row["comment_count"],
        last_comment_id=row["last_comment_id"],
        author_seen_comment_id=row["author_seen_comment_id"],
        source=row.get("source", "web"),
    )


def _named(rows: list[Any]) -> list[Any]:
    for row in rows:
        row["author_name"] = name_for(row.get("author_nickname"), row.get("author_status"))
        if "body" in row:
            row["body_html"] = render_text(row["body"])
        if "visibility" in row:
            row["visibility_label"] = str(VISIBILITY_LABELS[Visibility(row["visibility"])])
    return rows


def _page(rows: list[Any], page: int, size: int) -> Page:
    return Page(rows=_named(rows[:size]), page=page, has_more=len(rows) > size)


def _not_found() -> NotFound:
    # The same answer whether the diary is missing or outside the viewer's audience.
    return DiaryUnavailable(
        _("This diary does not exist or is not shown to you."), code="unknown_diary"
    )


# Reading


async def read(viewer: Member | None, diary_id: int) -> DiaryView:
    """The diary, if the viewer is in its audience; NotFound otherwise (also when blocked)."""
    require_active(viewer)
    row = await queries.diary_by_id(diary_id)
    if row is None or not await audience.can_see(viewer, row["author_id"], row["visibility"]):
        raise _not_found()
    return _view(row)


async def _mark_seen(viewer: Member, diary: DiaryView, newest_id: int) -> None:
    """The viewer has now seen the comments up to newest_id (clears badges and marks).

    Written only when something changes: a page view is otherwise read-only, which keeps
    SQLite's write lock free for writers.
    """
    if newest_id <= 0:
        return
    if viewer.id == diary.author_id:
        if newest_id > diary.author_seen_comment_id:
            await queries.mark_seen_by_author(diary.id, newest_id)
        return
    seen = await queries.seen_by_commenter(viewer.id, diary.id)
    if seen is not None and newest_id > seen:
        await queries.mark_seen_by_commenter(viewer.id, diary.id, newest_id)


async def show(viewer: Member, diary_id: int) -> DiaryPage:
    """The diary page: the diary, its photos and comments; marks the comments seen."""
    diary = await read(viewer, diary_id)
    photos = await queries.photos_of(diary.id)
    comments = _named(await queries.comments_of(diary.id, viewer.id))
    await _mark_seen(viewer, diary, diary.last_comment_id)
    return DiaryPage(
        diary=diary, photos=photos, comments=comments, is_author=viewer.id == diary.author_id
    )


async def comments_after(viewer: Member, diary_id: int, after: int) -> DiaryPage:
    """Comments newer than `after` (the live poll), through the same read check."""
    diary = await read(viewer, diary_id)
    comments = _named(await queries.comments_of(diary.id, viewer.id, after=max(after, 0)))
    if comments:
        await _mark_seen(viewer, diary, comments[-1]["id"])
    return DiaryPage(
        diary=diary, photos=[], comments=comments, is_author=viewer.id == diary.author_id
    )


async def photo_key(viewer: Member, diary_id: int, photo_id: int) -> str:
    """The stored key of a diary's photo, for a viewer who may read the diary."""
    diary = await read(viewer, diary_id)
    photo = await queries.photo_of(diary.id, photo_id)
    if photo is None:
        raise NotFound(_("This photo does not exist."), code="unknown_photo")
    return photo["key"]


# Lists


async def visible_diaries(
    viewer: Member,
    *,
    author_id: int | None = None,
    friends_only: bool = False,
    ids: Sequence[int] | None = None,
    text: str | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[DiaryRow]:
    """Diaries the viewer may read, newest first, filtered in SQL (one query).

    For lists, feeds and search: `author_id` narrows to one member, `friends_only` to the
    viewer's maimiku, `ids` to candidates found elsewhere (a search index), `text` to a
    simple substring match on title and body.
    """
    require_active(viewer)
    rows = await queries.visible_diaries(
        viewer.id,
        author_id=author_id,
        friends_of=viewer.id if friends_only else None,
        ids=ids,
        text=text,
        limit=limit,
        offset=offset,
    )
    return _named(rows)


async def my_diaries(member: Member, page: int = 1) -> Page:
    require_active(member)
    rows = await queries.visible_diaries(
        member.id, author_id=member.id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return _page(rows, page, PAGE_SIZE)


async def member_diaries(viewer: Member, owner_id: int, page: int = 1) -> tuple[Member, Page]:
    """A member's diary list as the viewer may see it; NotFound across a block."""
    require_active(viewer)
    owner = await member_by_id(owner_id)
    if owner is None or (
        owner.id != viewer.id and await audience.is_blocked_between(viewer.id, owner.id)
    ):
        raise NotFound(_("This member does not exist."), code="unknown_member")
    rows = await queries.visible_diaries(
        viewer.id, author_id=owner.id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return owner, _page(rows, page, PAGE_SIZE)


async def friends_latest(viewer: Member, limit: int = LATEST_SIZE) -> list[DiaryRow]:
    """マイミク最新日記: the newest diaries of the viewer's maimiku they may read."""
    return await visible_diaries(viewer, friends_only=True, limit=limit)


async def latest_of(viewer: Member, owner: Member, limit: int = PROFILE_SIZE) -> list[DiaryRow]:
    """The owner's newest diaries the viewer may read (the profile page's block)."""
    return await visible_diaries(viewer, author_id=owner.id, limit=limit)


async def received_comments(member: Member, page: int = 1) -> Page:
    """Recent comments by others on the member's diaries; `new` marks unseen ones."""
    require_active(member)
    rows = await queries.comments_on_diaries_of(member.id, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    for row in rows:
        row["new"] = row["id"] > row["seen_comment_id"]
    return _page(rows, page, PAGE_SIZE)


async def comment_history(member: Member, page: int = 1) -> Page:
    """コメント記入履歴: diaries the member commented on, newest activity first; `new` marks
    those with comments the member has not seen yet."""
    require_active(member)
    rows = await queries.commented_diaries(member.id, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    for row in rows:
        row["new"] = row["last_comment_id"] > row["seen_comment_id"]
    return _page(rows, page, PAGE_SIZE)


async def new_comment_count(member: Member) -> int:
    """The badge: own diaries with unseen comments plus commented diaries with new ones."""
    if not can_act(member):
        return 0
    own, commented = await queries.unseen_counts(member.id)
    return own + commented


# Settings


async def default_visibility(member: Member) -> str:
    return await queries.default_visibility(member.id) or Visibility.EVERYONE.value


async def set_default_visibility(member: Member, visibility: str) -> None:
    require_active(member)
    _check_visibility(visibility)
    await queries.set_default_visibility(member.id, visibility)


# Writing


def _too_long(code: str, refusal: Refusal, limit: int) -> FieldError:
    message = _("At most %(n)s characters.", n=limit)
    return FieldError(code, message, refusal, {"num": limit})


def _check_text(
    member: Member, title: str, body: str, settings: Settings, *, photos: int
) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    if len(title) > TITLE_MAX:
        errors["title"] = _too_long("title_too_long", Refusal.TITLE_TOO_LONG, TITLE_MAX)
    if not body.strip() and not photos:
        message = _("Write something, or add a photo.")
        errors["body"] = FieldError("body_empty", message, Refusal.EMPTY_POST)
    elif len(body) > BODY_MAX:
        errors["body"] = _too_long("body_too_long", Refusal.TEXT_TOO_LONG, BODY_MAX)
    if photos > MAX_PHOTOS:
        message = _("At most %(n)s photos per diary.", n=MAX_PHOTOS)
        refusal = Refusal.TOO_MANY_PHOTOS
        errors["photos"] = FieldError("too_many_photos", message, refusal, {"num": MAX_PHOTOS})
    if "body" not in errors:
        try:
            check_links(member, f"{title}\n{body}", settings)
        except TooManyLinks as exc:
            errors["body"] = FieldError(exc.code, exc.message, Refusal.TOO_MANY_LINKS)
    return errors


def _check_visibility(visibility: str) -> None:
    if visibility not in {level.value for level in Visibility}:
        raise DiaryInvalid({"visibility": FieldError("visibility", _("Choose who can read it."))})


async def _process_photos(photos: Sequence[bytes], settings: Settings) -> list[PhotoRow]:
    """Every photo through the pipeline before anything is written; the first bad one
    refuses the whole diary (stored files are content-addressed, so nothing half-made
    is ever shown)."""
    processed = []
    for number, data in enumerate(photos, start=1):
        try:
            photo = await asyncio.to_thread(process_upload, data, settings)
        except PhotoError as exc:
            message = _("Photo %(n)s: %(error)s", n=number, error=exc.message)
            refusal = exc.refusal or Refusal.BAD_PHOTO
            raise DiaryInvalid({"photos": FieldError(exc.code, message, refusal)}) from exc
        processed.append({"key": photo.key, "width": photo.width, "height": photo.height})
    return processed


def default_title(author: Member) -> str:
    """The title of an untitled diary, in its author's language: "Diary of 22 Nov 2026"."""
    with using(author.locale or current_locale(), author.time_zone):
        return _("Diary of %(date)s", date=format_date(dt.datetime.now(dt.UTC)))


async def create_diary(
    author: Member,
    draft: DiaryDraft,
    settings: Settings,
    *,
    source: str = "web",
    source_message_id: str | None = None,
    on_write: Callable[[Diary], Awaitable[None]] | None = None,
) -> Diary:
    """Write a diary (web or mail). Everything is checked, and every photo processed,
    before the diary and its photos are written in one transaction: an error leaves no
    partial diary. `on_write` runs inside that transaction, so a caller (the mail gateway)
    can commit its own rows with the diary without holding the write lock while photos are
    processed. Raises DiaryInvalid (a FormInvalid with `.codes`), DiaryError or
    PermissionDenied, each with a translated message and a `.code`.

    `source_message_id` (mail) is unique per author: a second diary with the same id
    raises DuplicateDiary, so a redelivered mail posts once.
    """
    require_active(author)
    title, body = draft.title.strip(), draft.body.rstrip()
    visibility = draft.visibility or await default_visibility(author)
    _check_visibility(visibility)
    if source not in SOURCES:
        raise DiaryError(_("This diary cannot be posted."), code="source")
    errors = _check_text(author, title, body, settings, photos=len(draft.photos))
    if errors:
        raise DiaryInvalid(errors)
    if source_message_id and await queries.diary_id_by_source(author.id, source_message_id):
        raise _duplicate()
    processed = await _process_photos(draft.photos, settings)
    async with db.transaction():
        if source_message_id and await queries.diary_id_by_source(author.id, source_message_id):
            raise _duplicate()
        diary = await queries.insert_diary(
            author=author.id,
            title=title or default_title(author),
            body=body,
            visibility=visibility,
            photo_count=len(processed),
            source=source,
            source_message_id=source_message_id or None,
        )
        await queries.insert_photos(
            diary.id, [{**photo, "position": n} for n, photo in enumerate(processed)]
        )
        if on_write is not None:
            await on_write(diary)
    return diary


def _duplicate() -> DuplicateDiary:
    return DuplicateDiary(_("This diary has already been posted."), code="duplicate_message")


async def _own(member: Member, diary_id: int) -> tuple[DiaryView, list[PhotoRow]]:
    diary = await read(member, diary_id)
    if diary.author_id != member.id:
        raise PermissionDenied(_("Only its author can change this diary."), code="not_author")
    return diary, await queries.photos_of(diary.id)


async def edit_form(member: Member, diary_id: int) -> DiaryPage:
    """The author's edit form: the diary and its photos."""
    diary, photos = await _own(member, diary_id)
    return DiaryPage(diary=diary, photos=photos, comments=[], is_author=True)


async def update_diary(author: Member, diary_id: int, edit: DiaryEdit, settings: Settings) -> None:
    """The author edits text, audience and photos; checked before anything is written."""
    diary, photos = await _own(author, diary_id)
    title, body, visibility = edit.title.strip(), edit.body.rstrip(), edit.visibility
    _check_visibility(visibility)
    removed = [p["id"] for p in photos if p["id"] in set(edit.remove_photo_ids)]
    kept = len(photos) - len(removed)
    errors = _check_text(author, title, body, settings, photos=kept + len(edit.new_photos))
    if errors:
        raise DiaryInvalid(errors)
    processed = await _process_photos(edit.new_photos, settings)
    first_position = max((p["position"] for p in photos), default=-1) + 1
    async with db.transaction():
        await queries.delete_photos(diary.id, removed)
        await queries.insert_photos(
            diary.id,
            [{**photo, "position": first_position + n} for n, photo in enumerate(processed)],
        )
        await queries.update_diary(
            diary.id,
            title=title or default_title(author),
            body=body,
            visibility=visibility,
            photo_count=kept + len(processed),
            edited_at=dt.datetime.now(dt.UTC),
        )


async def delete_diary(author: Member, diary_id: int) -> None:
    diary, _photos = await _own(author, diary_id)
    async with db.transaction():
        await queries.delete_diary(diary.id)


# Comments


async def add_comment(
    member: Member,
    diary_id: int,
    body: str,
    settings: Settings,
    *,
    on_write: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """A comment by a member who may read the diary (web, or a reply by mail); its id.

    The comment, its counters, the commenter's history, the author's notification mail
    and `on_write(comment_id)` (the gateway's own rows) are one transaction."""
    diary = await read(member, diary_id)
    body = body.strip()
    if not body:
        message = _("Write a comment.")
        raise DiaryInvalid({"body": FieldError("comment_empty", message, Refusal.EMPTY_REPLY)})
    if len(body) > COMMENT_MAX:
        error = _too_long("comment_too_long", Refusal.COMMENT_TOO_LONG, COMMENT_MAX)
        raise DiaryInvalid({"body": error})
    check_rate(await queries.comments_since(member.id, hour_ago()), settings.comments_per_hour)
    check_links(member, body, settings)
    now = dt.datetime.now(dt.UTC)
    is_author = member.id == diary.author_id
    recipients = await comment_recipients(diary.id, member)
    async with db.transaction():
        comment = await queries.insert_comment(diary.id, member.id, body)
        await queries.count_comment(diary.id, comment.id, now, by_author=is_author)
        if not is_author:
            await queries.record_commenter(member.id, diary.id, comment.id, now)
        for author in recipients:
            await _queue_comment_notification(author, member, diary, comment.id, body, settings)
        if on_write is not None:
            await on_write(comment.id)
    return comment.id


async def _queue_comment_notification(
    author: Member,
    commenter: Member,
    diary: DiaryView,
    comment_id: int,
    body: str,
    settings: Settings,
) -> None:
    """The author's mail of a new comment (the outbox rule: in the comment's transaction),
    in their language, at their phone if confirmed, whose Reply-To is their reply address
    for this diary: a reply from the phone becomes a comment (ashiato.mailpost)."""
    address = mobile.notification_address(author)
    if address is None:
        return
    reply_to = await mobile.reply_address(author, diary.id, settings)
    with using(author.locale or settings.default_locale, author.time_zone):
        name = display_name(commenter)
        await outbox.enqueue(
            recipient=address,
            subject=_("%(name)s commented on your diary “%(title)s”", name=name, title=diary.title),
            body=_(
                "Hello %(author)s,\n\n%(name)s commented on your diary "
                "“%(title)s”:\n\n%(comment)s\n\nRead it on Ashiato:\n%(url)s\n\n"
                "To answer, reply to this mail (from your phone, too): your "
                "reply is posted as a comment, without the quoted text.\n",
                author=author.nickname,
                name=name,
                title=diary.title,
                comment=body.strip(),
                url=f"{settings.base_url}/diaries/{diary.id}#comment-{comment_id}",
            ),
            kind="diary_comment",
            reply_to=reply_to,
        )


async def comment_recipients(diary_id: int, commenter: Member) -> list[Member]:
    """Who should hear of a new comment (the diary's author, unless they wrote it, may no
    longer act, or a block stands between them); the site itself shows the badge."""
    row = await queries.diary_by_id(diary_id)
    if row is None or row["author_id"] == commenter.id:
        return []
    author = await member_by_id(row["author_id"])
    if author is None or not can_act(author):
        return []
    if await audience.is_blocked_between(author.id, commenter.id):
        return []
    return [author]


async def delete_comment(member: Member, diary_id: int, comment_id: int) -> None:
    """The diary's author may delete any comment on it; a commenter their own."""
    diary = await read(member, diary_id)
    comment = await queries.comment_by_id(diary.id, comment_id)
    if comment is None:
        raise NotFound(_("This comment does not exist."), code="unknown_comment")
    if member.id not in (diary.author_id, comment["author_id"]):
        raise PermissionDenied(_("You cannot delete this comment."), code="not_commenter")
    async with db.transaction():
        await queries.delete_comment(diary.id, comment_id)


async def report_target(member: Member, kind: str, ref_id: int) -> str:
    """The page of a diary or comment the member may report (moderation's link to it);
    NotFound when it is missing or outside the member's audience, like every other route."""
    if kind == "diary_comment":
        diary_id = await queries.diary_id_of_comment(ref_id)
        if diary_id is None:
            raise NotFound(_("This comment does not exist."), code="unknown_comment")
        diary = await read(member, diary_id)
        return f"/diaries/{diary.id}#comment-{ref_id}"
    if kind == "diary":
        diary = await read(member, ref_id)
        return f"/diaries/{diary.id}"
    raise NotFound(_("This diary does not exist or is not shown to you."), code="unknown_diary")
