"""The messages feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.i18n import lazy_gettext
from ashiato.messages import demo, reports, routes, service
from ashiato.registry import Badge, Feature, NavEntry

FEATURE = Feature(
    name="messages",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.messages.piccolo_app",
    nav=(
        NavEntry(
            "/messages",
            lazy_gettext("Messages"),
            60,
            badges=(Badge("messages", service.unread_count, "messages/_badge.html"),),
        ),
    ),
    stylesheet="messages",
    report_targets=reports.REPORT_TARGETS,
    fill_demo=demo.fill_demo,
)
