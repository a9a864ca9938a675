"""The mailpost feature (diaries and comments by mail), as the site assembles it."""

from __future__ import annotations

from ashiato.mailpost import demo, routes
from ashiato.registry import Feature

FEATURE = Feature(
    name="mailpost",
    controllers=routes.CONTROLLERS,
    fill_demo=demo.fill_demo,
)
