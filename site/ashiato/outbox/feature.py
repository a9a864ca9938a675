"""The outbox feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.registry import Feature

FEATURE = Feature(
    name="outbox",
    controllers=(),
    piccolo_app="ashiato.outbox.piccolo_app",
)
