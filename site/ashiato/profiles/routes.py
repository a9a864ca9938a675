"""Web pages of profiles: your own (/profile), other members' (/members/{id}), the editor
with its htmx preview, photo management, and permission-checked photo files."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import File, Redirect, Template

from ashiato import registry
from ashiato.errors import FormInvalid
from ashiato.members import Visibility
from ashiato.members.tables import Member
from ashiato.photos import PhotoError, photo_response
from ashiato.profiles import service
from ashiato.profiles.errors import TooManyPhotos
from ashiato.profiles.forms import PhotoUpload, ProfileForm
from ashiato.profiles.service import ProfileView
from ashiato.settings import Settings
from ashiato.web import (
    is_fragment_request,
    render,
    requires_active_member,
    see_other,
)

CONTROLLERS: list[type] = []


async def _profile_page(request: Request, viewer: Member, view: ProfileView) -> Template:
    """The profile with every feature's section; the faces all sections show are looked up
    here at once (sections come from features that cannot ask profiles themselves)."""
    sections = await service.sections_of(request.app.state.features, viewer, view)
    faces = await service.face_urls([i for section in sections for i in section.faces])
    return render(
        request,
        "profiles/profile.html",
        {"profile": view, "sections": sections, "face_urls": faces},
    )


async def _editor_context(
    member: Member,
    form: ProfileForm | None = None,
    errors: dict[str, str] | None = None,
    **extra: object,
) -> dict[str, object]:
    editor = await service.editor(member)
    form = form or editor.values
    preview_as = form.preview_as or Visibility.EVERYONE
    return {
        "editor": editor,
        "form": form,
        "errors": errors or {},
        "preview": await service.preview_profile(member, form, preview_as),
        "preview_as": preview_as,
        "fields": service.FIELDS,
        "field_labels": service.FIELD_LABELS,
        "genders": service.GENDERS,
        "gender_labels": service.GENDER_LABELS,
        "visibilities": service.visibility_choices(),
        "notebook_audiences": service.notebook_audience_choices(),
        **extra,
    }


class ProfileController(Controller):
    path = "/"
    guards = [requires_active_member]

    @get("/profile", name="profile")
    async def show_own_profile(self, request: Request, me: NamedDependency[Member]) -> Template:
        return await _profile_page(request, me, await service.view_profile(me, me.id))

    @get("/members/{member_id:int}", name="member")
    async def show_member(
        self, request: Request, me: NamedDependency[Member], member_id: FromPath[int]
    ) -> Template:
        """Another member's profile. Features that note the visit (footprints) register a
        hook; it runs after the page is sent, so the page never waits on their writes."""
        view = await service.view_profile(me, member_id)
        page = await _profile_page(request, me, view)
        if not view.is_self:
            features = request.app.state.features
            page.background = BackgroundTask(registry.profile_viewed, features, me, member_id)
        return page

    # -- the editor ---------------------------------------------------------------------

    @get("/profile/edit", name="profile_editor")
    async def show_editor(self, request: Request, me: NamedDependency[Member]) -> Template:
        return render(request, "profiles/edit.html", await _editor_context(me))

    @post("/profile/edit")
    async def save_profile(
        self, request: Request, me: NamedDependency[Member], data: URLEncodedBody[ProfileForm]
    ) -> Template | Redirect:
        try:
            await service.save_profile(me, data)
        except FormInvalid as exc:
            context = await _editor_context(me, data, exc.errors)
            return render(request, "profiles/edit.html", context, status_code=422)
        return see_other("/profile")

    @post("/profile/preview")
    async def preview_profile(
        self, me: NamedDependency[Member], data: URLEncodedBody[ProfileForm]
    ) -> Template:
        """The htmx preview beside the editor: the unsaved form as one audience sees it."""
        preview_as = data.preview_as or Visibility.EVERYONE
        view = await service.preview_profile(me, data, preview_as)
        return Template(
            template_name="profiles/_preview.html",
            context={"preview": view, "preview_as": preview_as},
            headers={"vary": "HX-Request"},
        )

    # -- photos -------------------------------------------------------------------------

    async def _photos_answer(
        self, request: Request, member: Member, photo_error: str = ""
    ) -> Template | Redirect:
        status = 400 if photo_error else 200
        if is_fragment_request(request):
            editor = await service.editor(member)
            return Template(
                template_name="profiles/_photos.html",
                context={"editor": editor, "photo_error": photo_error},
                status_code=status,
                headers={"vary": "HX-Request"},
            )
        if photo_error:
            context = await _editor_context(member, photo_error=photo_error)
            return render(request, "profiles/edit.html", context, status_code=status)
        return see_other("/profile/edit#photos")

    @post("/profile/photos")
    async def upload_photo(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        data: MultipartBody[PhotoUpload],
    ) -> Template | Redirect:
        content = await data.photo.read() if data.photo is not None else b""
        try:
            await service.add_photo(me, content, settings)
        except (TooManyPhotos, PhotoError) as exc:
            return await self._photos_answer(request, me, photo_error=exc.message)
        return await self._photos_answer(request, me)

    @post("/profile/photos/{photo_id:int}/main")
    async def make_main_photo(
        self, request: Request, me: NamedDependency[Member], photo_id: FromPath[int]
    ) -> Template | Redirect:
        await service.make_main_photo(me, photo_id)
        return await self._photos_answer(request, me)

    @post("/profile/photos/{photo_id:int}/delete")
    async def delete_photo(
        self, request: Request, me: NamedDependency[Member], photo_id: FromPath[int]
    ) -> Template | Redirect:
        await service.delete_photo(me, photo_id)
        return await self._photos_answer(request, me)

    @get("/members/{member_id:int}/photos/{photo_id:int}", name="profile_photo")
    async def show_photo(
        self,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        member_id: FromPath[int],
        photo_id: FromPath[int],
    ) -> File:
        key = await service.photo_to_serve(me, member_id, photo_id)
        return photo_response(settings, key)

    @get("/members/{member_id:int}/photos/{photo_id:int}/thumb", name="profile_thumbnail")
    async def show_thumbnail(
        self,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        member_id: FromPath[int],
        photo_id: FromPath[int],
    ) -> File:
        key = await service.photo_to_serve(me, member_id, photo_id)
        return photo_response(settings, key, thumbnail=True)


CONTROLLERS = [ProfileController]
