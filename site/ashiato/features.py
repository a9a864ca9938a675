"""The features the app is assembled from, in one list.

Each feature package has routes.py (CONTROLLERS, SECTIONS), demo.py (fill_demo) and a
Piccolo app; adding a feature means adding it here and to piccolo_conf.APP_REGISTRY.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from ashiato import (
    communities,
    diaries,
    footprints,
    friends,
    messages,
    mobile,
    moderation,
    profiles,
    search,
)

if TYPE_CHECKING:
    from ashiato.members.tables import Member

FEATURE_PACKAGES: list[ModuleType] = [
    profiles,
    footprints,
    friends,
    diaries,
    messages,
    communities,
    search,
    mobile,
    moderation,
]

# The navigation sections (paths under /) in menu order.
NAVIGATION = ["profile", "friends", "diaries", "communities", "messages", "search"]


def _module(package: ModuleType, name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"{package.__name__}.{name}")


def controllers() -> list[type]:
    found: list[type] = []
    for package in FEATURE_PACKAGES:
        found.extend(_module(package, "routes").CONTROLLERS)
    return found


def served_sections() -> set[str]:
    sections: set[str] = set()
    for package in FEATURE_PACKAGES:
        sections |= _module(package, "routes").SECTIONS
    return sections


@dataclass(frozen=True)
class ProfileSection:
    """A block another feature adds to a member's profile page (faces, communities, diaries).

    A feature's routes module may define
    `async def profile_section(viewer: Member, owner: Member) -> ProfileSection | None`;
    the profile page includes `template` with `section` bound to `context`, in `order`.
    """

    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


async def profile_sections(viewer: Member, owner: Member) -> list[ProfileSection]:
    sections = []
    for package in FEATURE_PACKAGES:
        provider = getattr(_module(package, "routes"), "profile_section", None)
        if provider is not None:
            section = await provider(viewer, owner)
            if section is not None:
                sections.append(section)
    return sorted(sections, key=lambda section: section.order)


def demo_fillers() -> list:
    return [_module(package, "demo").fill_demo for package in FEATURE_PACKAGES]
