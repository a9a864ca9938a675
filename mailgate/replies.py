"""Every SMTP reply the gateway gives, with its enhanced status code (RFC 3463).

5xx: the mail will never be accepted as it is (the sender's MTA bounces it at once).
4xx: a failure of ours or a limit of the moment (the carrier keeps the mail and retries).
250 is said only after the verification or the post has been committed.
"""

from __future__ import annotations

from ashiato.diaries.service import BODY_MAX, COMMENT_MAX, MAX_PHOTOS, TITLE_MAX

OK = "250 2.0.0 OK"
OK_DUPLICATE = "250 2.0.0 OK (already received)"
SENDER_OK = "250 2.1.0 Sender OK"
RECIPIENT_OK = "250 2.1.5 Recipient OK"

UNKNOWN_RECIPIENT = "550 5.1.1 No such recipient here"
RELAY_DENIED = "550 5.7.1 Relaying denied"
NOT_A_CARRIER = "550 5.7.1 Mobile addresses are registered only from a mobile carrier's domain"
SENDER_MISMATCH = "550 5.7.1 Sender is not an address this member has confirmed"
MEMBER_NOT_ACTIVE = "550 5.7.1 This member's account is not active"
ADDRESS_TAKEN = "550 5.7.1 This mobile address belongs to another member"
ADDRESS_USED = "550 5.7.1 This registration address has already been used"
ADDRESS_EXPIRED = "550 5.7.1 This registration address has expired"
AUTO_GENERATED = "550 5.7.1 Automatically generated mail is not accepted here"
MALFORMED = "554 5.6.0 The message structure is damaged: no text part could be read"
MESSAGE_TOO_LARGE = "552 5.3.4 Message too large"
# What a diary or comment may hold (the same rules as the web forms).
EMPTY_POST = "550 5.6.0 Nothing to post: the mail has neither text nor a photo"
TITLE_TOO_LONG = f"550 5.6.0 The subject is longer than a title may be ({TITLE_MAX} characters)"
TEXT_TOO_LONG = f"552 5.3.4 The text is longer than a diary may be ({BODY_MAX} characters)"
TOO_MANY_PHOTOS = f"550 5.6.0 Too many pictures: a diary takes at most {MAX_PHOTOS}"
BAD_PHOTO = "554 5.6.1 A picture is damaged or not a JPEG, PNG or GIF photo"
PHOTO_TOO_LARGE = "552 5.3.4 A picture is larger than a photo may be"
TOO_MANY_LINKS = "550 5.7.1 Too many links for a new member"
EMPTY_REPLY = "550 5.6.0 Nothing to post: the reply has no text besides the quoted mail"
COMMENT_TOO_LONG = f"552 5.3.4 The reply is longer than a comment may be ({COMMENT_MAX} characters)"
DIARY_UNAVAILABLE = "550 5.7.1 The diary is gone or no longer shown to this member"
NOT_ACCEPTED = "550 5.7.1 Message refused"

TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients: send one message per address"
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
RATE_LIMITED = "451 4.7.1 Too many comments just now, please try again later"
SESSION_TOO_LONG = "421 4.4.2 Connection time limit exceeded, closing"

# The reply for each refusal reason a service gives (GatewayRefusal.code).
FOR_REASON: dict[str, str] = {
    "unknown-recipient": UNKNOWN_RECIPIENT,
    "relay-denied": RELAY_DENIED,
    "non-carrier-sender": NOT_A_CARRIER,
    "sender-mismatch": SENDER_MISMATCH,
    "member-not-active": MEMBER_NOT_ACTIVE,
    "address-taken": ADDRESS_TAKEN,
    "address-used": ADDRESS_USED,
    "address-expired": ADDRESS_EXPIRED,
    "auto-generated": AUTO_GENERATED,
    "malformed-mime": MALFORMED,
    "message-too-large": MESSAGE_TOO_LARGE,
    "too-many-recipients": TOO_MANY_RECIPIENTS,
    "empty-post": EMPTY_POST,
    "title-too-long": TITLE_TOO_LONG,
    "text-too-long": TEXT_TOO_LONG,
    "too-many-photos": TOO_MANY_PHOTOS,
    "bad-photo": BAD_PHOTO,
    "photo-too-large": PHOTO_TOO_LARGE,
    "too-many-links": TOO_MANY_LINKS,
    "empty-reply": EMPTY_REPLY,
    "comment-too-long": COMMENT_TOO_LONG,
    "diary-unavailable": DIARY_UNAVAILABLE,
}

# The reply for each reason to defer (TryLater.code); anything else is our failure.
FOR_DEFERRAL: dict[str, str] = {
    "rate-limited": RATE_LIMITED,
}


def for_reason(code: str) -> str:
    """The reply for a refusal; a reason this table does not know is still a refusal."""
    return FOR_REASON.get(code, NOT_ACCEPTED)


def for_deferral(code: str) -> str:
    """The reply for a deferral: try again later, the mail is not lost."""
    return FOR_DEFERRAL.get(code, TEMPORARY_FAILURE)
