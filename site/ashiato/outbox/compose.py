"""Turn an outbox row into a wire-ready message, encoded the way carriers expect.

Japanese feature phones read ISO-2022-JP (7-bit JIS) reliably and often garble UTF-8, so
text that fits JIS X 0208 goes out as ISO-2022-JP; anything else (emoji, ①, other
scripts) falls back to UTF-8, and plain ASCII stays US-ASCII.
"""

from __future__ import annotations

from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid


def charset_for(*texts: str) -> str:
    joined = "".join(texts)
    if joined.isascii():
        return "us-ascii"
    try:
        joined.encode("iso-2022-jp")
    except UnicodeEncodeError:
        return "utf-8"
    return "iso-2022-jp"


def compose(
    *, sender: str, recipient: str, subject: str, body: str, reply_to: str = ""
) -> MIMEText:
    charset = charset_for(subject, body)
    message = MIMEText(body, "plain", charset)
    message["Subject"] = Header(subject, charset) if charset != "us-ascii" else subject
    message["From"] = sender
    message["To"] = recipient
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # Our mail is machine-made: carriers' and members' auto-replies must not answer it.
    message["Auto-Submitted"] = "auto-generated"
    return message
