"""The communities feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.communities import demo, home, reports, routes
from ashiato.i18n import lazy_gettext
from ashiato.registry import Feature, NavEntry

FEATURE = Feature(
    name="communities",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.communities.piccolo_app",
    nav=(NavEntry("/communities", lazy_gettext("Communities"), 50),),
    stylesheet="communities",
    profile_section=routes.profile_section,
    home_section=home.home_section,
    report_targets=reports.REPORT_TARGETS,
    fill_demo=demo.fill_demo,
)
