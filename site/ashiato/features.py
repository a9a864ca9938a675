"""The features the app is assembled from, in one list.

Each feature package has routes.py (CONTROLLERS, SECTIONS), demo.py (fill_demo) and a
Piccolo app; adding a feature means adding it here and to piccolo_conf.APP_REGISTRY.
"""

from __future__ import annotations

from types import ModuleType

from ashiato import (
    communities,
    diaries,
    footprints,
    friends,
    messages,
    mobile,
    profiles,
    search,
)

FEATURE_PACKAGES: list[ModuleType] = [
    profiles,
    footprints,
    friends,
    diaries,
    messages,
    communities,
    search,
    mobile,
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


def demo_fillers() -> list:
    return [_module(package, "demo").fill_demo for package in FEATURE_PACKAGES]
