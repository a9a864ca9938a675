"""Web pages of mobile: the registration address (空メール) with its QR code and a status
that updates by itself, the posting address in settings, and the gateway's log for
administrators."""

from __future__ import annotations

import segno
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from markupsafe import Markup

from ashiato.accounts.service import mobile_required
from ashiato.diaries.service import MAX_PHOTOS
from ashiato.members.tables import Member, MemberStatus
from ashiato.mobile import service
from ashiato.registry import Section
from ashiato.settings import Settings
from ashiato.web import (
    current_member,
    is_fragment_request,
    render,
    requires_active_member,
    requires_member,
    see_other,
    settings_of,
)


def qr_svg(address: str) -> Markup:
    """A QR code that opens a new mail to `address` on a phone: inline SVG made by segno
    from our own address (no script, no style attribute, so the CSP allows it)."""
    code = segno.make(f"mailto:{address}", error="m")
    svg = code.svg_inline(scale=4, svgclass="qr-code", lineclass="qr-line", title=address)
    return Markup(svg)  # noqa: S704 - segno's markup of our own address, its title escaped


async def verification_context(
    member: Member, settings: Settings, shown: int | None = None
) -> dict[str, object]:
    state = await service.verification_state(member, settings, shown)
    return {
        "verification": state,
        "verification_qr": qr_svg(state.address) if state.address else None,
        "continue_url": "/" if member.status == MemberStatus.ACTIVE else "/welcome",
    }


async def welcome_section(member: Member, settings: Settings) -> Section | None:
    """The mobile step of the welcome page, when the policy asks this member for it."""
    if member.mobile_verified_at is not None or not mobile_required(member, settings):
        return None
    return Section(
        template="mobile/_welcome_section.html",
        context=await verification_context(member, settings),
        stylesheet="mobile",
    )


def _posting(address: str) -> dict[str, object]:
    return {"posting_address": address, "posting_qr": qr_svg(address), "max_photos": MAX_PHOTOS}


async def posting_context(member: Member, settings: Settings) -> dict[str, object]:
    return _posting(await service.posting_address(member, settings))


class MobileController(Controller):
    path = "/"

    @get("/mobile/verification", guards=[requires_member], name="mobile_verification")
    async def show_verification(self, request: Request, shown: int | None = None) -> Template:
        """The registration address and its status; htmx polls the fragment until the
        phone's mail has arrived (`shown` is the address the page showed)."""
        member = current_member(request)
        assert member is not None
        context = await verification_context(member, settings_of(request), shown)
        return render(
            request, "mobile/verification.html", context, fragment="mobile/_verification.html"
        )

    @get("/settings/mobile", guards=[requires_active_member], name="mobile_settings")
    async def show_settings(self, request: Request) -> Template:
        member = current_member(request)
        assert member is not None
        settings = settings_of(request)
        context = {
            "member": member,
            **await verification_context(member, settings),
            **await posting_context(member, settings),
        }
        return render(request, "mobile/settings.html", context)

    @post("/settings/mobile/posting-address", guards=[requires_active_member])
    async def regenerate_posting_address(self, request: Request) -> Template | Redirect:
        member = current_member(request)
        assert member is not None
        address = await service.regenerate_posting_address(member, settings_of(request))
        if not is_fragment_request(request):
            return see_other("/settings/mobile")
        return render(
            request, "mobile/_posting_address.html", {**_posting(address), "regenerated": True}
        )

    @get("/admin/gateway", guards=[requires_active_member], name="gateway_events")
    async def show_gateway_events(self, request: Request) -> Template:
        member = current_member(request)
        assert member is not None
        events = await service.gateway_events(member)
        return render(request, "mobile/gateway_events.html", {"events": events})


CONTROLLERS: list[type] = [MobileController]
