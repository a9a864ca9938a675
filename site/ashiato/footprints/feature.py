"""The footprints feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.footprints import demo, reports, routes, service
from ashiato.i18n import lazy_gettext
from ashiato.registry import Feature, NavEntry

FEATURE = Feature(
    name="footprints",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.footprints.piccolo_app",
    nav=(
        NavEntry(
            "/footprints",
            lazy_gettext("Footprints"),
            20,
            badges=("/footprints/badge", "/footprints/notebook-badge"),
        ),
    ),
    stylesheet="footprints",
    profile_section=routes.profile_section,
    report_targets=reports.REPORT_TARGETS,
    fill_demo=demo.fill_demo,
    on_profile_view=service.leave_footprint,
)
