"""RFC 2047 header decoding that tolerates carrier mail.

email.header.decode_header is close, but it decodes through Python's codecs (which reject
carrier emoji and NEC specials) and turns raw 8-bit header text, which some handsets send,
into ``\\udcXX`` escapes. This module works on the raw bytes instead and hands every piece
to `charsets.decode_text`, so headers and bodies decode by the same rules.
"""

from __future__ import annotations

import binascii
import re

from mailgate.charsets import decode_text

_ENCODED_WORD = re.compile(rb"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")


def header_bytes(value: str) -> bytes:
    """A header value as the bytes that arrived.

    The compat32 parser keeps non-ASCII header bytes as surrogate escapes; anything else
    non-ASCII can only come from a caller's str, which we take as UTF-8.
    """
    return value.encode("utf-8", "surrogateescape")


def decode_header_value(
    value: str | bytes | None, emoji_set: str | None = None
) -> tuple[str, bool]:
    """Decode an unfolded header value; return the text and whether a charset was guessed.

    Adjacent encoded words in one charset are joined before decoding, because handsets
    split multi-byte characters and JIS escape runs across words; the whitespace between
    encoded words is dropped as RFC 2047 says.
    """
    if value is None:
        return "", False
    raw = value if isinstance(value, bytes) else header_bytes(value)
    raw = _FOLD.sub(b"", raw).replace(b"\r", b"").replace(b"\n", b"")
    pieces: list[tuple[bytes, str | None]] = []  # (bytes, charset); charset None = raw text
    position = 0
    for match in _ENCODED_WORD.finditer(raw):
        between = raw[position : match.start()]
        after_word = bool(pieces) and pieces[-1][1] is not None
        if between and not (after_word and between.isspace()):
            pieces.append((between, None))
        position = match.end()
        charset = match.group(1).decode("ascii", "replace").lower()
        data = _decode_word(match.group(2), match.group(3))
        if data is None:  # undecodable payload: keep the word as it stands
            pieces.append((match.group(), None))
        elif pieces and pieces[-1][1] == charset:
            pieces[-1] = (pieces[-1][0] + data, charset)
        else:
            pieces.append((data, charset))
    if position < len(raw):
        pieces.append((raw[position:], None))
    texts: list[str] = []
    guessed = False
    for data, charset in pieces:
        # Raw text is decoded like an unlabelled body: ASCII, else UTF-8, else CP932 ...
        text, fallback = decode_text(data, charset, emoji_set)
        texts.append(text)
        guessed = guessed or fallback
    return "".join(texts).strip(), guessed


def _decode_word(encoding: bytes, payload: bytes) -> bytes | None:
    try:
        if encoding in (b"b", b"B"):
            return binascii.a2b_base64(payload + b"=" * (-len(payload) % 4))
        return binascii.a2b_qp(payload, header=True)
    except (binascii.Error, ValueError):
        return None
