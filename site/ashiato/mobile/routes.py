"""Web pages of mobile: the registration address (空メール) with its QR code and a status
that updates by itself, and the gateway's log for administrators. (The mobile settings
page, with the posting address, belongs to ashiato.mailpost, which builds on this.)"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from ashiato.accounts.service import mobile_required
from ashiato.members.tables import Member
from ashiato.mobile import service
from ashiato.registry import Section
from ashiato.settings import Settings
from ashiato.web import render, requires_active_member, requires_member


async def verification_context(
    member: Member, settings: Settings, shown: int | None = None
) -> dict[str, object]:
    state = await service.verification_state(member, settings, shown)
    return {
        "verification": state,
        "verification_qr": state.qr,
        "continue_url": state.continue_url,
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


class MobileController(Controller):
    path = "/"

    @get("/mobile/verification", guards=[requires_member], name="mobile_verification")
    async def show_verification(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        shown: FromQuery[int | None] = None,
    ) -> Template:
        """The registration address and its status; htmx polls the fragment until the
        phone's mail has arrived (`shown` is the address the page showed)."""
        context = await verification_context(me, settings, shown)
        return render(
            request, "mobile/verification.html", context, fragment="mobile/_verification.html"
        )

    @get("/admin/gateway", guards=[requires_active_member], name="gateway_events")
    async def show_gateway_events(self, request: Request, me: NamedDependency[Member]) -> Template:
        events = await service.gateway_events(me)
        return render(request, "mobile/gateway_events.html", {"events": events})


CONTROLLERS: list[type] = [MobileController]
