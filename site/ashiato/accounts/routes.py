"""Web pages of accounts: login, invitation and sign-up, verification, settings, approvals."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import File, Redirect, Template

from ashiato import i18n
from ashiato.accounts import service
from ashiato.errors import DomainError, FormInvalid, PermissionDenied
from ashiato.i18n import _
from ashiato.members.tables import Member, MemberStatus
from ashiato.photos import photo_response
from ashiato.profiles import service as profiles
from ashiato.sessions import rotate_session_id
from ashiato.web import (
    LANG_COOKIE,
    client_address,
    current_member,
    form_data,
    is_fragment_request,
    render,
    requires_active_member,
    requires_member,
    safe_next,
    see_other,
    settings_of,
)


def start_session(request: Request, member: Member) -> None:
    request.clear_session()
    request.set_session({"member_id": member.id})
    rotate_session_id(request)


def _country_of(request: Request) -> str:
    """Country of the sign-up request, looked up offline (iptocc) for the jp-only policy.

    Behind a reverse proxy the client's address is in the header the settings name
    (ASHIATO_TRUSTED_PROXY_HEADER, e.g. X-Forwarded-For). Only its right-most entry is
    taken: our own proxy appends it, while entries to its left come from the client and
    can say anything.
    """
    import ipaddress

    from iptocc import country_code

    address = client_address(request)
    header = settings_of(request).trusted_proxy_header
    if header:
        forwarded = request.headers.get(header, "").split(",")[-1].strip()
        if header.lower() == "forwarded":  # RFC 7239: for=192.0.2.1 / for="[2001:db8::1]:4711"
            for pair in forwarded.split(";"):
                name, _eq, value = pair.strip().partition("=")
                if name.lower() == "for":
                    value = value.strip('"')
                    forwarded = value[1:].partition("]")[0] if value.startswith("[") else value
                    break
            else:
                forwarded = ""
        if forwarded:
            address = forwarded
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return ""
    return country_code(address) or ""


class AccountController(Controller):
    path = "/"

    @get("/login", name="login")
    async def show_login(self, request: Request, next: str | None = None) -> Template:
        return render(request, "accounts/login.html", {"next": safe_next(next), "form": {}})

    @post("/login")
    async def log_in(self, request: Request) -> Template | Redirect:
        form = await form_data(request)
        try:
            member = await service.authenticate(
                form.get("email", ""),
                form.get("password", ""),
                client=client_address(request),
                throttle=request.app.state.login_throttle,
            )
        except DomainError as exc:
            return render(
                request,
                "accounts/login.html",
                {
                    "error": exc.message,
                    "form": {"email": form.get("email", "")},
                    "next": safe_next(form.get("next")),
                },
                status_code=429 if exc.code == "throttled" else 400,
            )
        start_session(request, member)
        if member.status != MemberStatus.ACTIVE:
            return see_other("/welcome")
        return see_other(safe_next(form.get("next")))

    @post("/logout")
    async def log_out(self, request: Request) -> Redirect:
        request.clear_session()
        return see_other("/")

    @post("/lang")
    async def switch_language(self, request: Request) -> Redirect:
        form = await form_data(request)
        locale = form.get("locale", "")
        response = see_other(safe_next(form.get("next")))
        if locale in i18n.LOCALES:
            member = current_member(request)
            if member is not None:
                await service.set_locale(member, locale)
            response.set_cookie(
                LANG_COOKIE,
                locale,
                max_age=365 * 86400,
                httponly=True,
                samesite="lax",
                secure=settings_of(request).secure_cookies,
            )
        return response

    @get("/join/{token:str}", name="join")
    async def show_invitation(self, request: Request, token: str) -> Template:
        opened = await service.open_invitation(token)
        return render(
            request,
            "accounts/join.html",
            {
                "invitation": opened.invitation,
                "inviter": opened.inviter,
                "form": {},
                "errors": {},
                "token": token,
                "genders": service.GENDERS,
                "inviter_photo": await profiles.inviter_photo_key(opened.inviter.id) is not None,
            },
        )

    @get("/join/{token:str}/inviter-photo")
    async def show_inviter_photo(self, request: Request, token: str) -> File:
        """The inviter's face for someone who is not a member yet: the token is the right."""
        opened = await service.open_invitation(token)
        key = await profiles.inviter_photo_key(opened.inviter.id)
        if key is None:
            raise NotFoundException()
        return photo_response(settings_of(request), key, thumbnail=True)

    @post("/join/{token:str}")
    async def sign_up(self, request: Request, token: str) -> Template | Redirect:
        form = await form_data(request)
        try:
            member = await service.sign_up(
                token, form, settings_of(request), country=_country_of(request)
            )
        except FormInvalid as exc:
            opened = await service.open_invitation(token)
            form.pop("password", None)
            form.pop("password_confirm", None)
            return render(
                request,
                "accounts/join.html",
                {
                    "invitation": opened.invitation,
                    "inviter": opened.inviter,
                    "form": form,
                    "errors": exc.errors,
                    "token": token,
                    "genders": service.GENDERS,
                },
                status_code=422,
            )
        start_session(request, member)
        return see_other("/welcome")

    @get("/welcome", guards=[requires_member], name="welcome")
    async def show_welcome(self, request: Request) -> Template | Redirect:
        """Where a pending account waits: which addresses still need verifying."""
        member = current_member(request)
        assert member is not None
        if member.status == MemberStatus.ACTIVE:
            return see_other("/")
        from ashiato.mobile.routes import welcome_context  # the mobile step, if required

        mobile = await welcome_context(member, settings_of(request))
        resent = request.query_params.get("resent") == "1"
        return render(
            request, "accounts/welcome.html", {"member": member, "resent": resent, **mobile}
        )

    @post("/welcome/resend", guards=[requires_member])
    async def resend_verification(self, request: Request) -> Template | Redirect:
        member = current_member(request)
        assert member is not None
        await service.resend_pc_verification(member, settings_of(request))
        if is_fragment_request(request):
            return Template(template_name="accounts/_resent.html", headers={"vary": "HX-Request"})
        return see_other("/welcome?resent=1")

    @get("/verify/{token:str}", name="verify")
    async def verify_email(self, request: Request, token: str) -> Template:
        member = await service.verify_pc_email(token, settings_of(request))
        return render(request, "accounts/verified.html", {"verified": member})


class SettingsController(Controller):
    path = "/settings"
    guards = [requires_active_member]

    @get("/", name="settings")
    async def show_settings(self, request: Request) -> Template:
        return render(request, "accounts/settings.html", {"errors": {}})

    @post("/password")
    async def change_password(self, request: Request) -> Template:
        form = await form_data(request)
        member = current_member(request)
        assert member is not None
        try:
            await service.change_password(
                member,
                form.get("current_password", ""),
                form.get("password", ""),
                form.get("password_confirm", ""),
            )
        except FormInvalid as exc:
            return render(
                request, "accounts/settings.html", {"errors": exc.errors}, status_code=422
            )
        return render(request, "accounts/settings.html", {"errors": {}, "password_changed": True})

    @post("/withdraw")
    async def withdraw(self, request: Request) -> Template | Redirect:
        form = await form_data(request)
        member = current_member(request)
        assert member is not None
        try:
            await service.withdraw(member, form.get("password", ""))
        except FormInvalid as exc:
            return render(
                request, "accounts/settings.html", {"errors": exc.errors}, status_code=422
            )
        request.clear_session()
        return see_other("/")

    @get("/invitations", name="invitations")
    async def show_invitations(self, request: Request) -> Template:
        member = current_member(request)
        assert member is not None
        return render(request, "accounts/invitations.html", await self._context(member))

    @post("/invitations")
    async def invite(self, request: Request) -> Template:
        member = current_member(request)
        assert member is not None
        form = await form_data(request)
        try:
            issued = await service.invite(
                member, form.get("email", ""), form.get("message", ""), settings_of(request)
            )
        except FormInvalid as exc:
            context = await self._context(member, form=form, errors=exc.errors)
            return render(
                request,
                "accounts/invitations.html",
                context,
                fragment="accounts/_invitations.html",
                status_code=422,
            )
        except DomainError as exc:
            context = await self._context(member, form=form, errors={"email": exc.message})
            return render(
                request,
                "accounts/invitations.html",
                context,
                fragment="accounts/_invitations.html",
                status_code=400,
            )
        context = await self._context(member, sent_to=issued.invitation.email)
        return render(
            request, "accounts/invitations.html", context, fragment="accounts/_invitations.html"
        )

    @post("/invitations/{invitation_id:int}/revoke")
    async def revoke(self, request: Request, invitation_id: int) -> Template:
        member = current_member(request)
        assert member is not None
        await service.revoke_invitation(member, invitation_id)
        return render(
            request,
            "accounts/invitations.html",
            await self._context(member),
            fragment="accounts/_invitations.html",
        )

    @staticmethod
    async def _context(member: Member, **extra: object) -> dict[str, object]:
        return {
            "invitations": await service.list_invitations(member),
            "form": {},
            "errors": {},
            **extra,
        }


class AdminController(Controller):
    path = "/admin"
    guards = [requires_active_member]

    @get("/mail", name="dev_mail")
    async def show_dev_mail(self, request: Request) -> Template:
        """Outgoing mail kept by the development sink (administrators only)."""
        from ashiato.outbox.devsink import read_sink

        member = current_member(request)
        if member is None or not member.is_admin:
            raise PermissionDenied(_("Only administrators can do this."))
        settings = settings_of(request)
        mails = read_sink(settings.mail_sink_dir) if settings.dev_mail_sink else []
        return render(
            request, "admin/mail.html", {"mails": mails, "enabled": settings.dev_mail_sink}
        )

    @get("/approvals", name="approvals")
    async def show_approvals(self, request: Request) -> Template:
        member = current_member(request)
        assert member is not None
        waiting = await service.awaiting_approval(member)
        return render(request, "admin/approvals.html", {"waiting": waiting})

    @post("/approvals/{member_id:int}")
    async def approve(self, request: Request, member_id: int) -> Redirect:
        member = current_member(request)
        assert member is not None
        await service.approve(member, member_id, settings_of(request))
        return see_other("/admin/approvals")
