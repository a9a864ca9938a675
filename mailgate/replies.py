"""Every SMTP reply the gateway gives, with its enhanced status code (RFC 3463)."""

from __future__ import annotations

OK = "250 2.0.0 OK"
OK_DUPLICATE = "250 2.0.0 OK (already received)"
UNKNOWN_RECIPIENT = "550 5.1.1 No such recipient here"
RELAY_DENIED = "550 5.7.1 Relaying denied"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"
MESSAGE_TOO_LARGE = "552 5.3.4 Message too large"
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
