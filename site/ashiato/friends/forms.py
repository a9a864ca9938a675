"""The forms of the maimiku pages, as Litestar decodes them (URL-encoded bodies).

Every field defaults to "", so a field the browser left out reaches the service, which
answers in the member's language, instead of becoming a 400.
"""

from __future__ import annotations

import msgspec


class BackForm(msgspec.Struct):
    """A one-button form; `next` is the page to go back to (only our own paths are used)."""

    next: str = ""


class RequestForm(msgspec.Struct):
    """A maimiku request: an optional message to the member asked."""

    message: str = ""


class IntroductionForm(msgspec.Struct):
    """An introduction (紹介文) of a maimiku."""

    body: str = ""


class PrivacyForm(msgspec.Struct):
    """Whether the member hides their maimiku list (a checkbox: "1" when ticked)."""

    hide_friend_list: str = ""

    @property
    def hidden(self) -> bool:
        return self.hide_friend_list == "1"
