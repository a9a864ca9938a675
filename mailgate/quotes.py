"""The text a member wrote in a reply, without the mail they replied to.

Phones and mail programs quote the original in one of three ways: lines starting with
`>` (often under a "… wrote:" line), the original pasted below a "-----Original
Message-----" line, or both. A reply by mail becomes a comment, and a comment should hold
only what the member wrote, so all of that goes, and so does the signature.
"""

from __future__ import annotations

import re

from mailgate.decode import strip_signature

# "> text", "＞ text" (full-width, typed on Japanese phones), also indented.
_QUOTED = re.compile(r"^[ \t\u3000]*[>＞]")
# The line above the pasted original: "-----Original Message-----", "----- 元のメッセージ -----".
_ORIGINAL = re.compile(
    r"^[ \t\u3000]*[-_=]{2,}[ \t\u3000]*"
    r"(original message|forwarded message|original|元のメッセージ|元メッセージ|元のメール"
    r"|オリジナルメッセージ|転送メッセージ|返信元)"
    r"[ \t\u3000]*[-_=]*[ \t\u3000]*$",
    re.IGNORECASE,
)
# The header line of a quote: "On 22 Nov 2026, Ashiato <…> wrote:", "…のメッセージ:",
# "…さんは書きました:", "2026年11月22日 10:00 Ashiato <no-reply@…>:".
_WROTE = re.compile(
    r"(\bwrote|\bwrites|書きました|書いています|のメッセージ|のメール|>)"
    r"[ \t\u3000]*[:：][ \t\u3000]*$",
    re.IGNORECASE,
)
_ON = re.compile(r"^[ \t\u3000]*on\s", re.IGNORECASE)


def reply_text(body: str) -> str:
    """The member's own words of a reply: quoted lines, the "… wrote:" line above them, a
    pasted original and the signature removed; blank lines at either end dropped."""
    lines = body.split("\n")
    for number, line in enumerate(lines):
        if _ORIGINAL.match(line):
            lines = lines[:number]
            break
    kept: list[str] = []
    for number, line in enumerate(lines):
        if _QUOTED.match(line):
            continue
        if _WROTE.search(line) and _starts_quote(lines, number + 1):
            # A header that wrapped ("On Sun, … Ashiato" / "<no-reply@…> wrote:").
            if kept and _ON.match(kept[-1]) and not _ON.match(line):
                kept.pop()
            continue
        kept.append(line)
    return strip_signature("\n".join(kept).strip("\n")).strip()


def _starts_quote(lines: list[str], start: int) -> bool:
    """Is the next non-blank line quoted (or is there nothing after the header)?"""
    for line in lines[start:]:
        if line.strip():
            return bool(_QUOTED.match(line))
    return True
