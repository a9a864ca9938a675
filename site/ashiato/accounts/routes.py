"""Web pages of accounts: login, invitation and sign-up, verification, settings, approvals."""

from __future__ import annotations

import ipaddress

from iptocc import country_code
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import File, Redirect, Template

from ashiato import i18n, registry
from ashiato.accounts import service
from ashiato.accounts.forms import (
    InvitationForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    SignUpForm,
    WithdrawalForm,
    shown_again,
)
from ashiato.errors import FormInvalid
from ashiato.members.tables import Member, MemberStatus
from ashiato.outbox.devsink import read_sink
from ashiato.photos import photo_response
from ashiato.profiles import service as profiles
from ashiato.sessions import rotate_session_id
from ashiato.settings import Settings
from ashiato.web import (
    LANG_COOKIE,
    client_address,
    is_fragment_request,
    render,
    requires_active_member,
    requires_member,
    safe_next,
    see_other,
)


def start_session(request: Request, member: Member) -> None:
    request.clear_session()
    request.set_session({"member_id": member.id})
    rotate_session_id(request)


def _country_of(request: Request) -> str:
    """Country of the sign-up request, looked up offline (iptocc) for the jp-only policy.

    Behind a reverse proxy the client's address is already the one the trusted proxies
    (ASHIATO_FORWARDED_ALLOW_IPS) report: the proxy-headers middleware set it (app.py).
    """
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return ""
    return country_code(address) or ""


async def _join_context(
    token: str, opened: service.OpenInvitation, form: dict[str, str], errors: dict[str, str]
) -> dict[str, object]:
    return {
        "invitation": opened.invitation,
        "inviter": opened.inviter,
        "form": form,
        "errors": errors,
        "token": token,
        "genders": profiles.GENDERS,
        "inviter_photo": await profiles.inviter_photo_key(opened.inviter.id) is not None,
    }


class AccountController(Controller):
    path = "/"

    @get("/login", name="login")
    async def show_login(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return render(request, "accounts/login.html", {"next": safe_next(next), "form": {}})

    @post("/login")
    async def log_in(
        self, request: Request, data: URLEncodedBody[LoginForm], settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        try:
            member = await service.authenticate(
                data,
                settings,
                client=client_address(request),
                throttle=request.app.state.login_throttle,
            )
        except service.AccountError as exc:  # a wrong password, or too many of them
            return render(
                request,
                "accounts/login.html",
                {"error": exc.message, "form": {"email": data.email}, "next": safe_next(data.next)},
                status_code=exc.status_code,
            )
        start_session(request, member)
        if member.status != MemberStatus.ACTIVE:
            return see_other("/welcome")
        return see_other(safe_next(data.next))

    @post("/logout")
    async def log_out(self, request: Request) -> Redirect:
        request.clear_session()
        return see_other("/")

    @post("/lang")
    async def switch_language(
        self,
        data: URLEncodedBody[LanguageForm],
        viewer: NamedDependency[Member | None],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        response = see_other(safe_next(data.next))
        if data.locale in i18n.LOCALES:
            if viewer is not None:
                await service.set_locale(viewer, data.locale)
            response.set_cookie(
                LANG_COOKIE,
                data.locale,
                max_age=365 * 86400,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )
        return response

    @get("/join/{token:str}", name="join")
    async def show_invitation(self, request: Request, token: FromPath[str]) -> Template:
        opened = await service.open_invitation(token)
        context = await _join_context(token, opened, {}, {})
        return render(request, "accounts/join.html", context)

    @get("/join/{token:str}/inviter-photo")
    async def show_inviter_photo(
        self, token: FromPath[str], settings: NamedDependency[Settings]
    ) -> File:
        """The inviter's face for someone who is not a member yet: the token is the right."""
        opened = await service.open_invitation(token)
        key = await profiles.inviter_photo_key(opened.inviter.id)
        if key is None:
            raise NotFoundException()
        return photo_response(settings, key, thumbnail=True)

    @post("/join/{token:str}")
    async def sign_up(
        self,
        request: Request,
        token: FromPath[str],
        data: URLEncodedBody[SignUpForm],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        try:
            member = await service.sign_up(token, data, settings, country=_country_of(request))
        except FormInvalid as exc:
            opened = await service.open_invitation(token)
            context = await _join_context(token, opened, shown_again(data), exc.errors)
            return render(request, "accounts/join.html", context, status_code=422)
        start_session(request, member)
        return see_other("/welcome")

    @get("/welcome", guards=[requires_member], name="welcome")
    async def show_welcome(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        resent: FromQuery[str] = "",
    ) -> Template | Redirect:
        """Where a pending account waits: which addresses still need verifying, and the
        steps other features add (the mobile phone, when the policy asks for it)."""
        if me.status == MemberStatus.ACTIVE:
            return see_other("/")
        sections = await registry.welcome_sections(request.app.state.features, me, settings)
        return render(
            request,
            "accounts/welcome.html",
            {"member": me, "resent": resent == "1", "sections": sections},
        )

    @post("/welcome/resend", guards=[requires_member])
    async def resend_verification(
        self, request: Request, me: NamedDependency[Member], settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        await service.resend_pc_verification(me, settings)
        if is_fragment_request(request):
            return Template(template_name="accounts/_resent.html", headers={"vary": "HX-Request"})
        return see_other("/welcome?resent=1")

    @get("/verify/{token:str}", name="verify")
    async def verify_email(
        self, request: Request, token: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        member = await service.verify_pc_email(token, settings)
        return render(request, "accounts/verified.html", {"verified": member})


class SettingsController(Controller):
    path = "/settings"
    guards = [requires_active_member]

    @get("/", name="settings")
    async def show_settings(self, request: Request) -> Template:
        return render(request, "accounts/settings.html", {"errors": {}})

    @post("/password")
    async def change_password(
        self,
        request: Request,
        data: URLEncodedBody[PasswordChangeForm],
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
    ) -> Template:
        try:
            await service.change_password(me, data, settings)
        except FormInvalid as exc:
            return render(
                request, "accounts/settings.html", {"errors": exc.errors}, status_code=422
            )
        return render(request, "accounts/settings.html", {"errors": {}, "password_changed": True})

    @post("/withdraw")
    async def withdraw(
        self,
        request: Request,
        data: URLEncodedBody[WithdrawalForm],
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        hooks = registry.withdrawal_hooks(request.app.state.features)
        try:
            await service.withdraw(me, data, settings, hooks)
        except FormInvalid as exc:
            return render(
                request, "accounts/settings.html", {"errors": exc.errors}, status_code=422
            )
        request.clear_session()
        return see_other("/")

    @get("/invitations", name="invitations")
    async def show_invitations(self, request: Request, me: NamedDependency[Member]) -> Template:
        return render(request, "accounts/invitations.html", await self._context(me))

    @post("/invitations")
    async def invite(
        self,
        request: Request,
        data: URLEncodedBody[InvitationForm],
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
    ) -> Template:
        try:
            issued = await service.invite(me, data, settings)
        except FormInvalid as exc:
            context = await self._context(me, form=shown_again(data), errors=exc.errors)
            status_code = exc.status_code
        except service.AccountError as exc:  # the quota is used up
            context = await self._context(me, form=shown_again(data), errors={"email": exc.message})
            status_code = exc.status_code
        else:
            context = await self._context(me, sent_to=issued.invitation.email)
            status_code = 200
        return render(
            request,
            "accounts/invitations.html",
            context,
            fragment="accounts/_invitations.html",
            status_code=status_code,
        )

    @post("/invitations/{invitation_id:int}/revoke")
    async def revoke(
        self, request: Request, invitation_id: FromPath[int], me: NamedDependency[Member]
    ) -> Template:
        await service.revoke_invitation(me, invitation_id)
        return render(
            request,
            "accounts/invitations.html",
            await self._context(me),
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
    async def show_dev_mail(
        self, request: Request, me: NamedDependency[Member], settings: NamedDependency[Settings]
    ) -> Template:
        """Outgoing mail kept by the development sink (administrators only)."""
        if not me.is_admin:
            raise service.NotAdmin()
        mails = read_sink(settings.mail_sink_dir) if settings.dev_mail_sink else []
        return render(
            request, "admin/mail.html", {"mails": mails, "enabled": settings.dev_mail_sink}
        )

    @get("/approvals", name="approvals")
    async def show_approvals(self, request: Request, me: NamedDependency[Member]) -> Template:
        waiting = await service.awaiting_approval(me)
        return render(request, "admin/approvals.html", {"waiting": waiting})

    @post("/approvals/{member_id:int}")
    async def approve(
        self,
        member_id: FromPath[int],
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        await service.approve(me, member_id, settings)
        return see_other("/admin/approvals")
