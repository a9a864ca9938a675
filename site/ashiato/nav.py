"""The navigation's badges in one request: `/nav/badges`.

The menu used to load each badge by its own request (five on every page, and five again
every minute). Now the menu asks once: this route asks every feature's registered count
(`registry.Badge`), renders each with the feature's badge template and answers them as
out-of-band swaps into their places in the menu (`#nav-badge-<name>`). Kernel: it knows the
features only through the registry (`app.state.features`).
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from markupsafe import Markup

from ashiato import registry
from ashiato.members.tables import Member
from ashiato.web import requires_active_member

BADGES_PATH = "/nav/badges"


@get(BADGES_PATH, name="nav_badges", guards=[requires_active_member])
async def nav_badges(request: Request, me: NamedDependency[Member]) -> Template:
    """`<span id="nav-badge-…" hx-swap-oob="true">…</span>` for each badge of the menu."""
    engine = request.app.template_engine
    shown = []
    for badge in registry.badges(request.app.state.features):
        count = await badge.count(me)
        markup = engine.get_template(badge.template).render(count=count, **badge.context)  # type: ignore[union-attr]
        shown.append((badge.name, Markup(markup.strip())))
    return Template(
        template_name="partials/_nav_badges.html",
        context={"shown": shown},
        headers={"cache-control": "no-store"},
    )
