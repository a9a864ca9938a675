"""The moderation feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.moderation import demo, routes
from ashiato.registry import Feature

FEATURE = Feature(
    name="moderation",
    controllers=routes.CONTROLLERS,
    piccolo_app="ashiato.moderation.piccolo_app",
    fill_demo=demo.fill_demo,
)
