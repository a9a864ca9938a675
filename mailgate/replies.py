"""Every SMTP reply the gateway gives, with its enhanced status code (RFC 3463).

The replies that refuse or defer a mail are the table in ashiato.refusals (one entry per
Refusal, with the member's text beside it); this module names the few that are not a
refusal and derives the rest from that table, so a reason and its reply cannot drift apart.

5xx: the mail will never be accepted as it is (the sender's MTA bounces it at once).
4xx: a failure of ours or a limit of the moment (the carrier keeps the mail and retries).
250 is said only after the verification or the post has been committed.
"""

from __future__ import annotations

from collections.abc import Mapping

from ashiato.refusals import Refusal, smtp_reply

OK = "250 2.0.0 OK"
OK_DUPLICATE = smtp_reply(Refusal.DUPLICATE)
SENDER_OK = "250 2.1.0 Sender OK"
RECIPIENT_OK = "250 2.1.5 Recipient OK"
SESSION_TOO_LONG = "421 4.4.2 Connection time limit exceeded, closing"

# The refusals the gateway itself gives, by name (the others come from the services).
UNKNOWN_RECIPIENT = smtp_reply(Refusal.UNKNOWN_RECIPIENT)
RELAY_DENIED = smtp_reply(Refusal.RELAY_DENIED)
TOO_MANY_RECIPIENTS = smtp_reply(Refusal.TOO_MANY_RECIPIENTS)
AUTO_GENERATED = smtp_reply(Refusal.AUTO_GENERATED)
MALFORMED = smtp_reply(Refusal.MALFORMED_MIME)
MESSAGE_TOO_LARGE = smtp_reply(Refusal.MESSAGE_TOO_LARGE)
TEMPORARY_FAILURE = smtp_reply(Refusal.TEMPORARY_FAILURE)


def for_refusal(refusal: Refusal, params: Mapping[str, int] | None = None) -> str:
    """The reply for a refusal or deferral, with the numbers it names (a length limit)."""
    return smtp_reply(refusal, params)
