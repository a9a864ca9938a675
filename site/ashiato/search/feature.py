"""The search feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.i18n import lazy_gettext
from ashiato.registry import Feature, NavEntry
from ashiato.search import demo, routes

FEATURE = Feature(
    name="search",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.search.piccolo_app",
    nav=(NavEntry("/search", lazy_gettext("Search"), 70),),
    fill_demo=demo.fill_demo,
)
