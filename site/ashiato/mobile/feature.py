"""The mobile feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.mobile import demo, routes
from ashiato.registry import Feature

FEATURE = Feature(
    name="mobile",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.mobile.piccolo_app",
    stylesheet="mobile",
    welcome_section=routes.welcome_section,
    fill_demo=demo.fill_demo,
)
