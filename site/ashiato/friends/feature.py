"""The friends feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.friends import demo, routes, service
from ashiato.i18n import lazy_gettext
from ashiato.registry import Badge, Feature, NavEntry

FEATURE = Feature(
    name="friends",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.friends.piccolo_app",
    nav=(
        NavEntry(
            "/friends",
            lazy_gettext("Friends"),
            30,
            badges=(
                Badge("friend-requests", service.pending_request_count, "friends/_badge.html"),
            ),
            badge_trigger="friendRequestsChanged from:body",
        ),
    ),
    stylesheet="friends",
    profile_section=routes.profile_section,
    on_withdrawal=service.forget_member,
    fill_demo=demo.fill_demo,
)
