"""Web pages of diaries: lists, the diary page with live comments, writing and editing,
photos behind the read check, comment tracking, the badge and the home fragment.

Every handler asks diaries.service; none decides who may see what.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.plugins.htmx import ClientRedirect
from litestar.response import File, Redirect, Template

from ashiato.diaries import service
from ashiato.diaries.forms import CommentForm, DiaryForm, SettingsForm
from ashiato.errors import DomainError, FormInvalid
from ashiato.footprints.service import footprint_task
from ashiato.members import VISIBILITY_LABELS, Visibility, display_name
from ashiato.members.tables import Member
from ashiato.photos import photo_response
from ashiato.registry import ProfileSection, Viewing
from ashiato.settings import Settings
from ashiato.web import is_fragment_request, render, requires_active_member, see_other


def _visibility_choices() -> list[tuple[str, str]]:
    return [(level.value, str(VISIBILITY_LABELS[level])) for level in Visibility]


def _form_context(
    form: dict[str, str],
    *,
    diary: service.DiaryView | None = None,
    photos: list | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
) -> dict[str, object]:
    return {
        "form": form,
        "diary": diary,
        "photos": photos or [],
        "errors": errors or {},
        "error": error,
        "visibilities": _visibility_choices(),
        "max_photos": service.MAX_PHOTOS,
        "title_max": service.TITLE_MAX,
        "body_max": service.BODY_MAX,
    }


def _comment_form(diary: service.DiaryView, body: str = "", **extra: object) -> dict[str, object]:
    return {
        "diary": diary,
        "comment_body": body,
        "comment_errors": {},
        "comment_error": "",
        "comment_max": service.COMMENT_MAX,
        **extra,
    }


class DiaryController(Controller):
    path = "/diaries"
    guards = [requires_active_member]

    # -- lists --------------------------------------------------------------------------

    @get("/", name="diaries")
    async def show_diaries(
        self, request: Request, me: NamedDependency[Member], page: FromQuery[int] = 1
    ) -> Template:
        """My diaries (paged) and my maimiku's latest."""
        mine = await service.my_diaries(me, max(page, 1))
        latest = await service.friends_latest(me)
        return render(
            request,
            "diaries/index.html",
            {"listing": mine, "latest": latest, "badge": await service.new_comment_count(me)},
            fragment="diaries/_my_list.html",
        )

    @get("/home-latest", name="diaries_home_latest")
    async def show_home_latest(self, request: Request, me: NamedDependency[Member]) -> Template:
        """The home page's "maimiku's latest diaries" block (an htmx fragment)."""
        latest = await service.friends_latest(me)
        return render(request, "diaries/_home_friends_latest.html", {"latest": latest})

    @get("/comments/badge", name="diaries_badge")
    async def show_badge(self, request: Request, me: NamedDependency[Member]) -> Template:
        count = await service.new_comment_count(me)
        return render(request, "diaries/_badge.html", {"count": count})

    @get("/comments", name="diaries_received_comments")
    async def show_received_comments(
        self, request: Request, me: NamedDependency[Member], page: FromQuery[int] = 1
    ) -> Template:
        listing = await service.received_comments(me, max(page, 1))
        return render(
            request,
            "diaries/comments.html",
            {"listing": listing},
            fragment="diaries/_received_list.html",
        )

    @get("/commented", name="diaries_comment_history")
    async def show_comment_history(
        self, request: Request, me: NamedDependency[Member], page: FromQuery[int] = 1
    ) -> Template:
        listing = await service.comment_history(me, max(page, 1))
        return render(
            request,
            "diaries/commented.html",
            {"listing": listing},
            fragment="diaries/_history_list.html",
        )

    # -- settings -----------------------------------------------------------------------

    async def _settings_page(self, request: Request, me: Member, *, saved: bool) -> Template:
        return render(
            request,
            "diaries/settings.html",
            {
                "current": await service.default_visibility(me),
                "visibilities": _visibility_choices(),
                "saved": saved,
            },
            fragment="diaries/_settings_form.html",
        )

    @get("/settings", name="diaries_settings")
    async def show_settings(self, request: Request, me: NamedDependency[Member]) -> Template:
        return await self._settings_page(request, me, saved=False)

    @post("/settings")
    async def save_settings(
        self,
        request: Request,
        me: NamedDependency[Member],
        data: URLEncodedBody[SettingsForm],
    ) -> Template:
        await service.set_default_visibility(me, data.visibility)
        return await self._settings_page(request, me, saved=True)

    # -- writing ------------------------------------------------------------------------

    @get("/new", name="diaries_new")
    async def show_new(self, request: Request, me: NamedDependency[Member]) -> Template:
        default = await service.default_visibility(me)
        return render(request, "diaries/form.html", _form_context({"visibility": default}))

    @post("/")
    async def create_diary(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        data: MultipartBody[DiaryForm],
    ) -> Template | Redirect:
        try:
            diary = await service.create_diary(me, await data.draft(), settings)
        except FormInvalid as exc:
            context = _form_context(data.fields(), errors=exc.errors)
            return render(request, "diaries/form.html", context, status_code=exc.status_code)
        except DomainError as exc:
            context = _form_context(data.fields(), error=exc.message)
            return render(request, "diaries/form.html", context, status_code=exc.status_code)
        return see_other(f"/diaries/{diary.id}")

    @get("/{diary_id:int}/edit", name="diaries_edit")
    async def show_edit(
        self, request: Request, me: NamedDependency[Member], diary_id: FromPath[int]
    ) -> Template:
        page = await service.edit_form(me, diary_id)
        fields = {
            "title": page.diary.title,
            "body": page.diary.body,
            "visibility": page.diary.visibility,
        }
        return render(
            request,
            "diaries/form.html",
            _form_context(fields, diary=page.diary, photos=page.photos),
        )

    @post("/{diary_id:int}/edit")
    async def edit_diary(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        diary_id: FromPath[int],
        data: MultipartBody[DiaryForm],
    ) -> Template | Redirect:
        try:
            await service.update_diary(me, diary_id, await data.edit(), settings)
        except (FormInvalid, service.DiaryError) as exc:
            page = await service.edit_form(me, diary_id)
            context = _form_context(
                data.fields(),
                diary=page.diary,
                photos=page.photos,
                errors=exc.errors if isinstance(exc, FormInvalid) else None,
                error="" if isinstance(exc, FormInvalid) else exc.message,
            )
            return render(request, "diaries/form.html", context, status_code=exc.status_code)
        return see_other(f"/diaries/{diary_id}")

    @post("/{diary_id:int}/delete")
    async def delete_diary(
        self, request: Request, me: NamedDependency[Member], diary_id: FromPath[int]
    ) -> Redirect | ClientRedirect:
        await service.delete_diary(me, diary_id)
        if is_fragment_request(request):
            return ClientRedirect("/diaries")
        return see_other("/diaries")

    # -- reading ------------------------------------------------------------------------

    @get("/{diary_id:int}", name="diary")
    async def show_diary(
        self, request: Request, me: NamedDependency[Member], diary_id: FromPath[int]
    ) -> Template:
        """The diary with its photos and live comments; another member's visit leaves a
        footprint on the author, written after the page is sent."""
        page = await service.show(me, diary_id)
        response = render(
            request,
            "diaries/diary.html",
            {"page": page, **_comment_form(page.diary)},
            fragment="diaries/_diary.html",
        )
        if not page.is_author:
            response.background = footprint_task(me, page.diary.author_id)
        return response

    @get("/{diary_id:int}/photos/{photo_id:int}", name="diary_photo")
    async def show_photo(
        self,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        diary_id: FromPath[int],
        photo_id: FromPath[int],
    ) -> File:
        key = await service.photo_key(me, diary_id, photo_id)
        return photo_response(settings, key)

    @get("/{diary_id:int}/photos/{photo_id:int}/thumb", name="diary_thumbnail")
    async def show_thumbnail(
        self,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        diary_id: FromPath[int],
        photo_id: FromPath[int],
    ) -> File:
        key = await service.photo_key(me, diary_id, photo_id)
        return photo_response(settings, key, thumbnail=True)

    # -- comments -----------------------------------------------------------------------

    @get("/{diary_id:int}/comments", name="diary_comments")
    async def poll_comments(
        self,
        request: Request,
        me: NamedDependency[Member],
        diary_id: FromPath[int],
        after: FromQuery[int] = 0,
    ) -> Template:
        """The live poll: comments after the newest one shown, appended out of band."""
        page = await service.comments_after(me, diary_id, after)
        after = page.comments[-1]["id"] if page.comments else max(after, 0)
        return render(
            request,
            "diaries/_comment_poll_result.html",
            {"diary": page.diary, "comments": page.comments, "after": after},
        )

    async def _thread(
        self, request: Request, me: Member, diary_id: int, template: str, **extra: object
    ) -> Template:
        """The whole comment thread (after a post or a delete), with the emptied form."""
        page = await service.comments_after(me, diary_id, 0)
        return render(
            request,
            template,
            {
                "comments": page.comments,
                "after": page.after,
                "oob": True,
                **_comment_form(page.diary),
                **extra,
            },
        )

    @post("/{diary_id:int}/comments")
    async def post_comment(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        diary_id: FromPath[int],
        data: URLEncodedBody[CommentForm],
    ) -> Template | Redirect:
        """htmx: the emptied form, and the thread swapped in out of band. Without htmx: 303."""
        try:
            comment_id = await service.add_comment(me, diary_id, data.body, settings)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            errors = exc.errors if isinstance(exc, FormInvalid) else {}
            error = "" if isinstance(exc, FormInvalid) else exc.message
            if is_fragment_request(request):
                diary = await service.read(me, diary_id)
                context = _comment_form(
                    diary, data.body, comment_errors=errors, comment_error=error
                )
                # 422 for every refusal, so htmx swaps the form with its message in.
                return render(request, "diaries/_comment_form.html", context, status_code=422)
            page = await service.show(me, diary_id)
            context = {
                "page": page,
                **_comment_form(page.diary, data.body, comment_errors=errors, comment_error=error),
            }
            return render(request, "diaries/diary.html", context, status_code=exc.status_code)
        if is_fragment_request(request):
            return await self._thread(request, me, diary_id, "diaries/_comment_posted.html")
        return see_other(f"/diaries/{diary_id}#comment-{comment_id}")

    @post("/{diary_id:int}/comments/{comment_id:int}/delete")
    async def delete_comment(
        self,
        request: Request,
        me: NamedDependency[Member],
        diary_id: FromPath[int],
        comment_id: FromPath[int],
    ) -> Template | Redirect:
        await service.delete_comment(me, diary_id, comment_id)
        if is_fragment_request(request):
            return await self._thread(
                request, me, diary_id, "diaries/_comment_thread.html", oob=False
            )
        return see_other(f"/diaries/{diary_id}#comments")


class MemberDiaryController(Controller):
    path = "/members"
    guards = [requires_active_member]

    @get("/{member_id:int}/diaries", name="member_diaries")
    async def show_member_diaries(
        self,
        request: Request,
        me: NamedDependency[Member],
        member_id: FromPath[int],
        page: FromQuery[int] = 1,
    ) -> Template:
        owner, listing = await service.member_diaries(me, member_id, max(page, 1))
        return render(
            request,
            "diaries/member.html",
            {"owner": owner, "owner_name": display_name(owner), "listing": listing},
            fragment="diaries/_member_list.html",
        )


async def profile_section(viewing: Viewing) -> ProfileSection | None:
    """The owner's latest diaries the viewer may read, on their profile page."""
    try:
        diaries = await service.latest_of(viewing.viewer, viewing.owner)
    except DomainError:
        return None
    return ProfileSection(
        template="diaries/_profile_latest.html",
        context={"owner_id": viewing.owner.id, "diaries": diaries},
        order=50,
    )


CONTROLLERS: list[type] = [DiaryController, MemberDiaryController]
