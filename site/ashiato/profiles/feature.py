"""The profiles feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.i18n import lazy_gettext
from ashiato.profiles import demo, reports, routes, service
from ashiato.registry import Feature, NavEntry

FEATURE = Feature(
    name="profiles",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.profiles.piccolo_app",
    nav=(NavEntry("/profile", lazy_gettext("Profile"), 10),),
    stylesheet="profiles",
    report_targets=reports.REPORT_TARGETS,
    fill_demo=demo.fill_demo,
    faces=service.face_urls,
)
