"""The home feature, as the site assembles it (see ashiato.registry)."""

from __future__ import annotations

from ashiato.home.routes import HomeController
from ashiato.i18n import lazy_gettext
from ashiato.registry import Feature, NavEntry

FEATURE = Feature(
    name="home",
    controllers=[HomeController],
    nav=(NavEntry("/", lazy_gettext("Home"), 0),),
)
