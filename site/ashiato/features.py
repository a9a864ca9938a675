"""The features the site is assembled from, in one list (each package's `feature.FEATURE`).

Adding a feature means writing its `feature.py` and adding it here: the app's controllers,
Piccolo's app registry, the navigation, profile/home/welcome sections, report targets,
withdrawal hooks and the demo all come from this list. Code inside a feature never imports
this module (it would import every feature); it gets the list from `app.state.features`.
"""

from __future__ import annotations

from ashiato.accounts.feature import FEATURE as ACCOUNTS
from ashiato.communities.feature import FEATURE as COMMUNITIES
from ashiato.diaries.feature import FEATURE as DIARIES
from ashiato.footprints.feature import FEATURE as FOOTPRINTS
from ashiato.friends.feature import FEATURE as FRIENDS
from ashiato.home.feature import FEATURE as HOME
from ashiato.mailpost.feature import FEATURE as MAILPOST
from ashiato.messages.feature import FEATURE as MESSAGES
from ashiato.mobile.feature import FEATURE as MOBILE
from ashiato.moderation.feature import FEATURE as MODERATION
from ashiato.outbox.feature import FEATURE as OUTBOX
from ashiato.profiles.feature import FEATURE as PROFILES
from ashiato.registry import Feature
from ashiato.search.feature import FEATURE as SEARCH

# Order matters where it shows: Piccolo migrates apps in this order (accounts first: every
# table points at Member), and demo fillers run in it (later ones use earlier content).
FEATURES: list[Feature] = [
    ACCOUNTS,
    OUTBOX,
    HOME,
    PROFILES,
    FOOTPRINTS,
    FRIENDS,
    DIARIES,
    MESSAGES,
    COMMUNITIES,
    SEARCH,
    MOBILE,
    MAILPOST,
    MODERATION,
]


def piccolo_apps() -> list[str]:
    return [feature.piccolo_app for feature in FEATURES if feature.piccolo_app]
