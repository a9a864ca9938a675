"""The accounts feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.accounts.routes import AccountController, AdminController, SettingsController
from ashiato.i18n import lazy_gettext
from ashiato.registry import Feature, NavEntry

FEATURE = Feature(
    name="accounts",
    controllers=[AccountController, SettingsController, AdminController],
    piccolo_app="ashiato.accounts.piccolo_app",
    nav=(NavEntry("/settings", lazy_gettext("Settings"), 90),),
)
