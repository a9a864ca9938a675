"""Web pages of mailpost: the mobile settings page, where a member finds the phone they
confirmed, the registration address (from ashiato.mobile) and their posting address for
diaries by mail, which they can replace."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from ashiato.diaries.service import MAX_PHOTOS
from ashiato.members.tables import Member
from ashiato.mobile import service as mobile
from ashiato.mobile.qr import qr_svg
from ashiato.settings import Settings
from ashiato.web import is_fragment_request, render, requires_active_member, see_other


def _posting(address: str) -> dict[str, object]:
    return {"posting_address": address, "posting_qr": qr_svg(address), "max_photos": MAX_PHOTOS}


class MobileSettingsController(Controller):
    path = "/settings/mobile"
    guards = [requires_active_member]

    @get("/", name="mobile_settings")
    async def show_settings(
        self, request: Request, me: NamedDependency[Member], settings: NamedDependency[Settings]
    ) -> Template:
        state = await mobile.verification_state(me, settings)
        context = {
            "member": me,
            "verification": state,
            "verification_qr": state.qr,
            "continue_url": state.continue_url,
            **_posting(await mobile.posting_address(me, settings)),
        }
        return render(request, "mobile/settings.html", context)

    @post("/posting-address")
    async def regenerate_posting_address(
        self, request: Request, me: NamedDependency[Member], settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        address = await mobile.regenerate_posting_address(me, settings)
        if not is_fragment_request(request):
            return see_other("/settings/mobile")
        return render(
            request, "mobile/_posting_address.html", {**_posting(address), "regenerated": True}
        )


CONTROLLERS: list[type] = [MobileSettingsController]
