"""Every SMTP reply the gateway gives, with its enhanced status code (RFC 3463).

5xx: the mail will never be accepted as it is (the sender's MTA bounces it at once).
4xx: a failure of ours or a limit of the moment (the carrier keeps the mail and retries).
250 is said only after the verification or the post has been committed.
"""

from __future__ import annotations

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

TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients: send one message per address"
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
POSTING_NOT_OPEN = "451 4.3.2 Posting by mail is not open yet, please try again later"
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
}


def for_reason(code: str) -> str:
    """The reply for a refusal; a reason this table does not know is still a refusal."""
    return FOR_REASON.get(code, "550 5.7.1 Message refused")
