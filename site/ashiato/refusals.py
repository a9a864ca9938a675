"""Every reason the mail gateway or a service refuses something, in one enum, with ONE table
from each reason to the SMTP reply that says it and the text a member reads.

Kernel: imports no feature. A service raises a DomainError subclass that carries its
Refusal (and the numbers its text needs, e.g. `num` for a length limit); the gateway
answers `smtp_reply(refusal)`, and the pages and error mails show `refusal_text(refusal)`.
A reason is stored as its value (`GatewayEvent.reason`), so the values never change.

5xx: the mail will never be accepted as it is (the sender's MTA bounces it at once).
4xx: a limit of the moment or a failure of ours (the carrier keeps the mail and retries).
2xx: only DUPLICATE, a resend of a mail already acted on (said only after the commit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ashiato.i18n import _, ngettext
from ashiato.settings import Settings


class Refusal(StrEnum):
    # Where the mail is going
    UNKNOWN_RECIPIENT = "unknown-recipient"
    RELAY_DENIED = "relay-denied"
    TOO_MANY_RECIPIENTS = "too-many-recipients"
    # Who sends it
    NON_CARRIER_SENDER = "non-carrier-sender"
    SENDER_MISMATCH = "sender-mismatch"  # a forged sender, or one the member never confirmed
    MEMBER_NOT_ACTIVE = "member-not-active"  # not verified or approved yet, or suspended
    AUTO_GENERATED = "auto-generated"
    # The registration address (空メール)
    ADDRESS_TAKEN = "address-taken"
    ADDRESS_USED = "address-used"
    ADDRESS_EXPIRED = "address-expired"
    # The mail itself
    MALFORMED_MIME = "malformed-mime"
    MESSAGE_TOO_LARGE = "message-too-large"
    # What a diary or a comment may hold (the web forms' rules)
    EMPTY_POST = "empty-post"
    TITLE_TOO_LONG = "title-too-long"
    TEXT_TOO_LONG = "text-too-long"
    TOO_MANY_PHOTOS = "too-many-photos"
    BAD_PHOTO = "bad-photo"
    PHOTO_TOO_LARGE = "photo-too-large"
    TOO_MANY_LINKS = "too-many-links"
    EMPTY_REPLY = "empty-reply"
    COMMENT_TOO_LONG = "comment-too-long"
    DIARY_UNAVAILABLE = "diary-unavailable"
    DUPLICATE = "duplicate"  # already acted on: nothing is written twice
    NOT_ACCEPTED = "not-accepted"  # a rule without a reason of its own here
    # Not now: the same mail may work later
    RATE_LIMITED = "rate-limited"
    TEMPORARY_FAILURE = "temporary-failure"

    @property
    def temporary(self) -> bool:
        """A 4xx: the sender keeps the mail and tries again; the member is not told."""
        return 400 <= REFUSALS[self].smtp.code < 500

    @property
    def permanent(self) -> bool:
        return REFUSALS[self].smtp.code >= 500


@dataclass(frozen=True)
class SmtpReply:
    """An SMTP reply with its enhanced status code (RFC 3463). `text` may name numbers
    (`{num}`) that the refusal carries."""

    code: int
    enhanced: str
    text: str

    def format(self, params: Mapping[str, object] | None = None) -> str:
        text = self.text.format_map(dict(params or {})) if params else self.text
        return f"{self.code} {self.enhanced} {text}"

    def __str__(self) -> str:
        return self.format()


Params = Mapping[str, int]
MemberText = Callable[[Settings, Params], str]


@dataclass(frozen=True)
class RefusalEntry:
    smtp: SmtpReply
    text: MemberText  # (settings, params) -> text in the current language


def _megabytes(settings: Settings) -> str:
    return f"{settings.mail_size_limit / (1024 * 1024):g}"


REFUSALS: dict[Refusal, RefusalEntry] = {
    Refusal.UNKNOWN_RECIPIENT: RefusalEntry(
        SmtpReply(550, "5.1.1", "No such recipient here"),
        lambda settings, p: _(
            "The address you wrote to does not exist (any more). Your posting address "
            "changes when you make a new one; the current one is on your mobile settings "
            "page: %(url)s",
            url=f"{settings.base_url}/settings/mobile",
        ),
    ),
    Refusal.RELAY_DENIED: RefusalEntry(
        SmtpReply(550, "5.7.1", "Relaying denied"),
        lambda settings, p: _("This server accepts mail only for its own addresses."),
    ),
    Refusal.TOO_MANY_RECIPIENTS: RefusalEntry(
        SmtpReply(452, "4.5.3", "Too many recipients: send one message per address"),
        lambda settings, p: _("Please send one mail to each address."),
    ),
    Refusal.NON_CARRIER_SENDER: RefusalEntry(
        SmtpReply(
            550, "5.7.1", "Mobile addresses are registered only from a mobile carrier's domain"
        ),
        lambda settings, p: _(
            "Only a mobile phone's address (docomo, au, SoftBank …) can be registered. "
            "Please send the mail from your phone."
        ),
    ),
    Refusal.SENDER_MISMATCH: RefusalEntry(
        SmtpReply(550, "5.7.1", "Sender is not an address this member has confirmed"),
        lambda settings, p: _("The mail did not come from an address you have confirmed."),
    ),
    Refusal.MEMBER_NOT_ACTIVE: RefusalEntry(
        SmtpReply(550, "5.7.1", "This member's account is not active"),
        lambda settings, p: _("Your account is not active yet."),
    ),
    Refusal.AUTO_GENERATED: RefusalEntry(
        SmtpReply(550, "5.7.1", "Automatically generated mail is not accepted here"),
        lambda settings, p: _("Automatic replies are not accepted."),
    ),
    Refusal.ADDRESS_TAKEN: RefusalEntry(
        SmtpReply(550, "5.7.1", "This mobile address belongs to another member"),
        lambda settings, p: _("This mobile address is already registered by another member."),
    ),
    Refusal.ADDRESS_USED: RefusalEntry(
        SmtpReply(550, "5.7.1", "This registration address has already been used"),
        lambda settings, p: _("This registration address has already been used."),
    ),
    Refusal.ADDRESS_EXPIRED: RefusalEntry(
        SmtpReply(550, "5.7.1", "This registration address has expired"),
        lambda settings, p: _("This registration address has expired."),
    ),
    Refusal.MALFORMED_MIME: RefusalEntry(
        SmtpReply(554, "5.6.0", "The message structure is damaged: no text part could be read"),
        lambda settings, p: _(
            "Your mail was damaged on its way and could not be read. Please send it again."
        ),
    ),
    Refusal.MESSAGE_TOO_LARGE: RefusalEntry(
        SmtpReply(552, "5.3.4", "Message too large"),
        lambda settings, p: _(
            "Your mail is larger than %(size)s MB. Please send a smaller photo.",
            size=_megabytes(settings),
        ),
    ),
    Refusal.EMPTY_POST: RefusalEntry(
        SmtpReply(550, "5.6.0", "Nothing to post: the mail has neither text nor a photo"),
        lambda settings, p: _(
            "Your mail had neither text nor a photo, so there was nothing to post. "
            "(A signature after a “--” line is not posted.)"
        ),
    ),
    Refusal.TITLE_TOO_LONG: RefusalEntry(
        SmtpReply(550, "5.6.0", "The subject is longer than a title may be ({num} characters)"),
        lambda settings, p: ngettext(
            "The subject is too long: a diary's title can have at most %(num)s character.",
            "The subject is too long: a diary's title can have at most %(num)s characters.",
            p["num"],
        ),
    ),
    Refusal.TEXT_TOO_LONG: RefusalEntry(
        SmtpReply(552, "5.3.4", "The text is longer than a diary may be ({num} characters)"),
        lambda settings, p: ngettext(
            "The text is too long: a diary can have at most %(num)s character.",
            "The text is too long: a diary can have at most %(num)s characters.",
            p["num"],
        ),
    ),
    Refusal.TOO_MANY_PHOTOS: RefusalEntry(
        SmtpReply(550, "5.6.0", "Too many pictures: a diary takes at most {num}"),
        lambda settings, p: ngettext(
            "A diary can have at most %(num)s photo. Please attach fewer pictures.",
            "A diary can have at most %(num)s photos. Please attach fewer pictures.",
            p["num"],
        ),
    ),
    Refusal.BAD_PHOTO: RefusalEntry(
        SmtpReply(554, "5.6.1", "A picture is damaged or not a JPEG, PNG or GIF photo"),
        lambda settings, p: _(
            "One of the attached pictures is damaged or is not a JPEG, PNG or GIF photo."
        ),
    ),
    Refusal.PHOTO_TOO_LARGE: RefusalEntry(
        SmtpReply(552, "5.3.4", "A picture is larger than a photo may be"),
        lambda settings, p: _(
            "One of the attached photos is too large. Please send a smaller photo."
        ),
    ),
    Refusal.TOO_MANY_LINKS: RefusalEntry(
        SmtpReply(550, "5.7.1", "Too many links for a new member"),
        lambda settings, p: _(
            "New members can include at most %(n)s link(s) for their first %(days)s days.",
            n=settings.new_member_max_links,
            days=settings.new_member_days,
        ),
    ),
    Refusal.EMPTY_REPLY: RefusalEntry(
        SmtpReply(550, "5.6.0", "Nothing to post: the reply has no text besides the quoted mail"),
        lambda settings, p: _(
            "Your reply had no text of its own (the quoted mail is left out), so there "
            "was no comment to post."
        ),
    ),
    Refusal.COMMENT_TOO_LONG: RefusalEntry(
        SmtpReply(552, "5.3.4", "The reply is longer than a comment may be ({num} characters)"),
        lambda settings, p: ngettext(
            "Your reply is too long: a comment can have at most %(num)s character.",
            "Your reply is too long: a comment can have at most %(num)s characters.",
            p["num"],
        ),
    ),
    Refusal.DIARY_UNAVAILABLE: RefusalEntry(
        SmtpReply(550, "5.7.1", "The diary is gone or no longer shown to this member"),
        lambda settings, p: _(
            "The diary you replied to has been deleted or is no longer shown to you."
        ),
    ),
    Refusal.DUPLICATE: RefusalEntry(
        SmtpReply(250, "2.0.0", "OK (already received)"),
        lambda settings, p: _("This mail has already been received; it is posted only once."),
    ),
    Refusal.NOT_ACCEPTED: RefusalEntry(
        SmtpReply(550, "5.7.1", "Message refused"),
        lambda settings, p: _("Your mail could not be accepted."),
    ),
    Refusal.RATE_LIMITED: RefusalEntry(
        SmtpReply(451, "4.7.1", "Too many comments just now, please try again later"),
        lambda settings, p: _("You are writing very fast. Please wait a while and try again."),
    ),
    Refusal.TEMPORARY_FAILURE: RefusalEntry(
        SmtpReply(451, "4.3.0", "Temporary failure, please try again later"),
        lambda settings, p: _(
            "Something went wrong on our side. Your mail is not lost: it is sent again later."
        ),
    ),
}


def smtp_reply(refusal: Refusal, params: Params | None = None) -> str:
    """The SMTP reply that says this refusal, e.g. `550 5.1.1 No such recipient here`."""
    return REFUSALS[refusal].smtp.format(params)


def refusal_text(refusal: Refusal, settings: Settings, params: Params | None = None) -> str:
    """Why, in the current language, for pages and error mails."""
    return REFUSALS[refusal].text(settings, dict(params or {}))


def stored_refusal(reason: str) -> Refusal:
    """The Refusal a stored reason names (NOT_ACCEPTED for one that is no longer a reason)."""
    try:
        return Refusal(reason)
    except ValueError:
        return Refusal.NOT_ACCEPTED
