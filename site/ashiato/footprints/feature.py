"""The footprints feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.footprints import demo, reports, routes, service
from ashiato.i18n import lazy_gettext
from ashiato.registry import Badge, Feature, NavEntry

CAP = {"cap": service.BADGE_CAP}

FEATURE = Feature(
    name="footprints",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.footprints.piccolo_app",
    nav=(
        NavEntry(
            "/footprints",
            lazy_gettext("Footprints"),
            20,
            badges=(
                Badge("footprints", service.new_footprint_count, "footprints/_badge.html", CAP),
                Badge("notebook", service.new_notebook_count, "footprints/_badge.html", CAP),
            ),
        ),
    ),
    stylesheet="footprints",
    profile_section=routes.profile_section,
    report_targets=reports.REPORT_TARGETS,
    fill_demo=demo.fill_demo,
    on_profile_view=service.leave_footprint,
)
