"""What a feature contributes to the site, as one typed object per feature.

Each feature package has a `feature.py` that exports `FEATURE = Feature(...)`;
`ashiato.features` lists them, and the app, Piccolo's app registry, the navigation, the
home page, the profile page, reports, withdrawal and the demo are all built from that list.
This module is kernel: it imports no feature, so features can import it freely, and code
that needs the list gets it from the running app (`request.app.state.features`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ashiato.members import Relation

if TYPE_CHECKING:
    from litestar import Controller
    from litestar.types import ControllerRouterHandler

    from ashiato.members.tables import Member
    from ashiato.settings import Settings


@dataclass(frozen=True)
class Section:
    """A block one feature adds to a page another feature owns (profile, home, welcome).

    The page includes `template` with `section` bound to `context`, in `order`;
    `stylesheet` names the contributing feature's stylesheet so the page can load it.
    `faces` are the members whose faces the section shows: the page looks their photos up
    once for all its sections and gives the template `face_urls` (member id → photo URL),
    so a feature can show faces without asking the feature that owns them.
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    stylesheet: str | None = None
    faces: Sequence[int] = ()


# Kept for the name the profile page and its providers use.
ProfileSection = Section


# (member) → how many new things a badge shows (0: none), for the navigation.
BadgeCount = Callable[["Member"], Awaitable[int]]


@dataclass(frozen=True)
class Badge:
    """A count beside a menu item. The whole menu's badges come in one request (/nav/badges,
    which asks every `count` and renders each count with the feature's `template`, given
    `count` and `context`); `name` keeps each badge's place in the menu."""

    name: str
    count: BadgeCount
    template: str  # e.g. "friends/_badge.html": the badge markup for `count` (or nothing)
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Viewing:
    """One profile page's who-sees-whom, worked out once per request (the owner fetched and
    the relation decided by friends.audience) and handed to every profile section, so no
    section fetches the owner or checks blocks and friendship again."""

    viewer: Member
    owner: Member
    relation: Relation

    @property
    def is_self(self) -> bool:
        return self.relation == Relation.SELF


@dataclass(frozen=True)
class NavEntry:
    """An item of the main menu: its path, its label and the badges that count what is new."""

    path: str
    label: str  # a lazy_gettext string, translated when the menu renders
    order: int
    badges: Sequence[Badge] = ()
    badge_trigger: str = ""  # extra hx-trigger events, e.g. "friendRequestsChanged from:body"


@dataclass(frozen=True)
class ReportTarget:
    """A kind of content members may report: `resolve(reporter, item_id)` answers the
    item's link and a short excerpt if the reporter may see it, and raises NotFound if not."""

    kind: str
    label: str  # lazy_gettext
    resolve: Callable[[Member, int], Awaitable[ReportedItem]]


@dataclass(frozen=True)
class ReportedItem:
    url: str
    excerpt: str
    author_id: int | None = None


# member ids → thumbnail URL of each one's face, for lists of faces (one query for all);
# members without a face anyone may see are left out, and show their initial.
FaceLookup = Callable[[Sequence[int]], Awaitable[dict[int, str]]]
# (viewer, owner id), run after a profile page has been sent: must not raise.
ProfileViewHook = Callable[["Member", int], Awaitable[None]]
# (viewing): the viewer, the owner and their relation, decided once by the profile page.
SectionProvider = Callable[[Viewing], Awaitable[Section | None]]
# (member, settings): the member whose home or welcome page it is; settings for policies.
MemberSectionProvider = Callable[["Member", "Settings"], Awaitable[Section | None]]
WithdrawalHook = Callable[[int], Awaitable[None]]  # runs inside the withdrawal's transaction
DemoFiller = Callable[["Settings"], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    """Everything one feature adds to the site; see the module docstring."""

    name: str
    controllers: Sequence[type[Controller] | ControllerRouterHandler] = ()
    piccolo_app: str | None = None  # dotted module path of its Piccolo AppConfig
    nav: Sequence[NavEntry] = ()
    stylesheet: str | None = None  # /static/<name>.css
    profile_section: SectionProvider | None = None  # (viewing) on a profile page
    home_section: MemberSectionProvider | None = None  # (member, settings) on the home page
    welcome_section: MemberSectionProvider | None = None  # (member, settings) on /welcome
    report_targets: Sequence[ReportTarget] = ()
    on_withdrawal: WithdrawalHook | None = None
    fill_demo: DemoFiller | None = None
    faces: FaceLookup | None = None  # the feature that owns members' photos (profiles)
    on_profile_view: ProfileViewHook | None = None  # e.g. footprints leaves a footprint


async def _sections(
    providers: Sequence[tuple[Feature, Callable[..., Awaitable[Section | None]]]], *args: Any
) -> list[Section]:
    """The sections the providers give, in order; one that names no stylesheet gets its
    feature's, so the page loads what the section's markup needs."""
    found = []
    for feature, provider in providers:
        section = await provider(*args)
        if section is None:
            continue
        if section.stylesheet is None and feature.stylesheet:
            section = replace(section, stylesheet=feature.stylesheet)
        found.append(section)
    return sorted(found, key=lambda section: section.order)


async def profile_sections(features: Sequence[Feature], viewing: Viewing) -> list[Section]:
    providers = [(f, f.profile_section) for f in features if f.profile_section]
    return await _sections(providers, viewing)


async def home_sections(
    features: Sequence[Feature], member: Member, settings: Settings
) -> list[Section]:
    providers = [(f, f.home_section) for f in features if f.home_section]
    return await _sections(providers, member, settings)


async def welcome_sections(
    features: Sequence[Feature], member: Member, settings: Settings
) -> list[Section]:
    providers = [(f, f.welcome_section) for f in features if f.welcome_section]
    return await _sections(providers, member, settings)


def withdrawal_hooks(features: Sequence[Feature]) -> list[WithdrawalHook]:
    """What each feature does when a member withdraws, to run in the withdrawal's transaction."""
    return [f.on_withdrawal for f in features if f.on_withdrawal]


async def no_faces(member_ids: Sequence[int]) -> dict[int, str]:
    """Every face is an initial: for a site without a feature that owns photos."""
    return {}


def face_lookup(features: Sequence[Feature]) -> FaceLookup:
    """The faces of members, from whichever feature provides them."""
    return next((f.faces for f in features if f.faces), no_faces)


async def profile_viewed(features: Sequence[Feature], viewer: Member, owner_id: int) -> None:
    """A member opened another member's profile: run each feature's hook (after sending)."""
    for hook in [f.on_profile_view for f in features if f.on_profile_view]:
        await hook(viewer, owner_id)


def navigation(features: Sequence[Feature]) -> list[NavEntry]:
    return sorted((entry for f in features for entry in f.nav), key=lambda entry: entry.order)


def badges(features: Sequence[Feature]) -> list[Badge]:
    return [badge for entry in navigation(features) for badge in entry.badges]


def badge_triggers(features: Sequence[Feature]) -> list[str]:
    """The events besides the timer on which the menu asks for its badges again."""
    return list(dict.fromkeys(e.badge_trigger for e in navigation(features) if e.badge_trigger))


def report_targets(features: Sequence[Feature]) -> dict[str, ReportTarget]:
    return {target.kind: target for f in features for target in f.report_targets}
