"""Web pages of profiles: your own (/profile), other members' (/members/{id}), the editor
with its htmx preview, photo management, and permission-checked photo files."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Template

from ashiato import registry
from ashiato.errors import DomainError, FormInvalid
from ashiato.members import GENDERS, Visibility
from ashiato.members.tables import Member
from ashiato.photos import photo_response
from ashiato.profiles import service
from ashiato.profiles.service import ProfileView
from ashiato.web import (
    current_member,
    form_data,
    is_fragment_request,
    render,
    requires_active_member,
    see_other,
    settings_of,
)

CONTROLLERS: list[type] = []


def _member(request: Request) -> Member:
    member = current_member(request)
    assert member is not None  # the guard let an active member in
    return member


async def _profile_page(request: Request, viewer: Member, view: ProfileView) -> Template:
    """The profile with every feature's section; the faces all sections show are looked up
    here at once (sections come from features that cannot ask profiles themselves)."""
    sections = await registry.profile_sections(request.app.state.features, viewer, view.owner)
    faces = await service.face_urls([i for section in sections for i in section.faces])
    return render(
        request,
        "profiles/profile.html",
        {"profile": view, "sections": sections, "face_urls": faces},
    )


async def _editor_context(member: Member, **extra: object) -> dict[str, object]:
    editor = await service.editor(member)
    form = extra.pop("form", None) or editor.values
    preview_as = str(extra.pop("preview_as", Visibility.EVERYONE))
    return {
        "editor": editor,
        "form": form,
        "errors": {},
        "preview": await service.preview_profile(member, form, preview_as),
        "preview_as": preview_as,
        "fields": service.FIELDS,
        "field_labels": service.FIELD_LABELS,
        "genders": GENDERS,
        "gender_labels": service.GENDER_LABELS,
        "visibilities": service.visibility_choices(),
        "notebook_audiences": service.notebook_audience_choices(),
        **extra,
    }


class ProfileController(Controller):
    path = "/"
    guards = [requires_active_member]

    @get("/profile", name="profile")
    async def show_own_profile(self, request: Request) -> Template:
        member = _member(request)
        return await _profile_page(request, member, await service.view_profile(member, member.id))

    @get("/members/{member_id:int}", name="member")
    async def show_member(self, request: Request, member_id: int) -> Template:
        """Another member's profile. Features that note the visit (footprints) register a
        hook; it runs after the page is sent, so the page never waits on their writes."""
        viewer = _member(request)
        view = await service.view_profile(viewer, member_id)
        page = await _profile_page(request, viewer, view)
        if not view.is_self:
            features = request.app.state.features
            page.background = BackgroundTask(registry.profile_viewed, features, viewer, member_id)
        return page

    # -- the editor ---------------------------------------------------------------------

    @get("/profile/edit", name="profile_editor")
    async def show_editor(self, request: Request) -> Template:
        return render(request, "profiles/edit.html", await _editor_context(_member(request)))

    @post("/profile/edit")
    async def save_profile(self, request: Request) -> Template | Redirect:
        member = _member(request)
        form = await form_data(request)
        try:
            await service.save_profile(member, form)
        except FormInvalid as exc:
            context = await _editor_context(member, form=form, errors=exc.errors)
            return render(request, "profiles/edit.html", context, status_code=422)
        return see_other("/profile")

    @post("/profile/preview")
    async def preview_profile(self, request: Request) -> Template:
        """The htmx preview beside the editor: the unsaved form as one audience sees it."""
        member = _member(request)
        form = await form_data(request)
        preview_as = form.get("preview_as") or Visibility.EVERYONE
        view = await service.preview_profile(member, form, preview_as)
        return Template(
            template_name="profiles/_preview.html",
            context={"preview": view, "preview_as": preview_as},
            headers={"vary": "HX-Request"},
        )

    # -- photos -------------------------------------------------------------------------

    async def _photos_answer(
        self, request: Request, member: Member, **extra: object
    ) -> Template | Redirect:
        status = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
        if is_fragment_request(request):
            editor = await service.editor(member)
            return Template(
                template_name="profiles/_photos.html",
                context={"editor": editor, **extra},
                status_code=status,
                headers={"vary": "HX-Request"},
            )
        if status != 200:
            context = await _editor_context(member, **extra)
            return render(request, "profiles/edit.html", context, status_code=status)
        return see_other("/profile/edit#photos")

    @post("/profile/photos")
    async def upload_photo(self, request: Request) -> Template | Redirect:
        member = _member(request)
        form = await request.form()
        upload = form.get("photo")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            await service.add_photo(member, data, settings_of(request))
        except DomainError as exc:
            return await self._photos_answer(
                request, member, photo_error=exc.message, status_code=400
            )
        return await self._photos_answer(request, member)

    @post("/profile/photos/{photo_id:int}/main")
    async def make_main_photo(self, request: Request, photo_id: int) -> Template | Redirect:
        member = _member(request)
        await service.make_main_photo(member, photo_id)
        return await self._photos_answer(request, member)

    @post("/profile/photos/{photo_id:int}/delete")
    async def delete_photo(self, request: Request, photo_id: int) -> Template | Redirect:
        member = _member(request)
        await service.delete_photo(member, photo_id)
        return await self._photos_answer(request, member)

    @get("/members/{member_id:int}/photos/{photo_id:int}", name="profile_photo")
    async def show_photo(self, request: Request, member_id: int, photo_id: int) -> File:
        key = await service.photo_to_serve(_member(request), member_id, photo_id)
        return photo_response(settings_of(request), key)

    @get("/members/{member_id:int}/photos/{photo_id:int}/thumb", name="profile_thumbnail")
    async def show_thumbnail(self, request: Request, member_id: int, photo_id: int) -> File:
        key = await service.photo_to_serve(_member(request), member_id, photo_id)
        return photo_response(settings_of(request), key, thumbnail=True)


CONTROLLERS = [ProfileController]
