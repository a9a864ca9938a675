"""The diaries feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.diaries import demo, home, reports, routes, service
from ashiato.i18n import lazy_gettext
from ashiato.registry import Badge, Feature, NavEntry

FEATURE = Feature(
    name="diaries",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.diaries.piccolo_app",
    nav=(
        NavEntry(
            "/diaries",
            lazy_gettext("Diaries"),
            40,
            badges=(Badge("diaries", service.new_comment_count, "diaries/_badge.html"),),
        ),
    ),
    stylesheet="diaries",
    profile_section=routes.profile_section,
    home_section=home.home_section,
    report_targets=reports.REPORT_TARGETS,
    fill_demo=demo.fill_demo,
)
