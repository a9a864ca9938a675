"""Decoding of Japanese mail text as carriers and handsets really send it.

The charset labels lie in known ways: "Shift_JIS" means Microsoft's CP932 (NEC specials such
as ①㈱, IBM kanji, 0x8160 as U+FF5E) plus the carrier's emoji codes, and "ISO-2022-JP"
means the CP50220 flavour of JIS (NEC row 13) plus au's emoji rows. Emoji are replaced
before charset decoding because some carrier codes are also valid CP932 characters
(SoftBank's FBxx are IBM kanji there). Text is never normalised (half-width katakana stay).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from mailgate.emoji import au_jis_emoji, jis_to_sjis, sjis_emoji

_SJIS_FAMILY = {"shift_jis", "cp932", "shift_jisx0213", "shift_jis_2004"}
_SJIS_ALIASES = {"x-sjis", "windows-31j", "x-ms-cp932", "ms_kanji", "csshiftjis", "sjis-win"}
_JIS_FAMILY = {
    "iso2022_jp",
    "iso2022_jp_1",
    "iso2022_jp_2",
    "iso2022_jp_3",
    "iso2022_jp_ext",
    "iso2022_jp_2004",
}
_JIS_ALIASES = {"cp50220", "cp50221", "cp50222", "iso-2022-jp-ms"}
# Codecs that are not charsets, or that turn arbitrary bytes into text without ever failing
# in ways that would be misleading for mail: never trust a label that names one of these.
_NOT_MAIL_CHARSETS = {"idna", "punycode", "raw_unicode_escape", "unicode_escape", "mbcs"}

# Python's own ISO-2022-JP codecs, tried after ours: they know JIS X 0212 and 0213.
_PYTHON_JIS_CODECS = ("iso2022_jp_2004", "iso2022_jp_2", "iso2022_jp_ext")

_SJIS_CHAR = re.compile(rb"[\x81-\x9f\xe0-\xfc][\x40-\x7e\x80-\xfc]|[\x00-\xff]")
_JIS_SHIFT = re.compile(rb"\x1b|\x0e|\x0f")
_JIS_ESCAPES = {
    b"\x1b(B": "ascii",
    b"\x1b(J": "ascii",  # JIS X 0201 Roman: read as ASCII, as mail software does
    b"\x1b(H": "ascii",  # a historical mislabel of ESC ( J
    b"\x1b(I": "kana",
    b"\x1b$@": "jis0208",
    b"\x1b$B": "jis0208",
    b"\x1b&@\x1b$B": "jis0208",  # JIS X 0208-1990 announcer
    b"\x1b$(B": "jis0208",
    b"\x1b$(D": "jis0212",
    b"\x1b$(O": "jis0213-1",
    b"\x1b$(Q": "jis0213-1",
    b"\x1b$(P": "jis0213-2",
}
# JIS X 0213 is left to Python's codec, which only needs to be told the plane.
_JIS_X_0213_ESCAPES = {"jis0213-1": b"\x1b$(Q", "jis0213-2": b"\x1b$(P"}


def canonical_charset(label: str | None) -> str | None:
    """Python's codec name for a MIME charset label, "sjis"/"jis" for our decoders, or None."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    if label in _SJIS_ALIASES:
        return "sjis"
    if label in _JIS_ALIASES:
        return "jis"
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return None
    if name in _SJIS_FAMILY:
        return "sjis"
    if name in _JIS_FAMILY:
        return "jis"
    if name in _NOT_MAIL_CHARSETS:
        return None
    try:
        b"".decode(name)  # rejects codecs that are not text encodings (base64, rot13 ...)
    except LookupError:
        return None
    return name


def decode_text(data: bytes, label: str | None, emoji_set: str | None = None) -> tuple[str, bool]:
    """Decode mail text; return it and whether the label had to be second-guessed.

    A label that decodes the bytes without error wins, with one exception: 7-bit text with
    ``ESC $`` is ISO-2022-JP whatever the label says (an escape is never text). Otherwise
    the charsets Japanese mail really uses are tried: UTF-8 if it is plainly UTF-8, CP932,
    UTF-8, the ISO-2022-JP variants, and finally CP932 or JIS with replacement characters.
    It never raises.
    """
    charset = canonical_charset(label) or ("ascii" if label is None else None)
    for candidate in _candidates(data, charset):
        text = _try(data, candidate, emoji_set)
        if text is not None:
            return text, candidate != charset
    if _looks_like_jis(data):
        return decode_jis(data, emoji_set, errors="replace"), True
    if charset == "utf-8":
        return data.decode("utf-8", "replace"), True
    return decode_sjis(data, emoji_set, errors="replace"), True


def _candidates(data: bytes, charset: str | None) -> Iterator[str]:
    """The charsets to try strictly, best guess first (lazily: most mail stops at the label).

    A charset may come twice; retrying a failed one only costs time on broken mail.
    """
    if _looks_like_jis(data) and charset != "jis":
        yield from ("jis", *_PYTHON_JIS_CODECS)
    if charset:
        yield charset
    # CP932 decodes almost any bytes without error, UTF-8 included (as mojibake), so UTF-8
    # goes first when it is plainly UTF-8: valid, with a 3- or 4-byte sequence (all kana and
    # kanji are). Shift_JIS text rarely forms one, while its half-width katakana pairs can
    # look like 2-byte UTF-8 (ﾄｳ = C4 B3 = "ĳ"), hence the condition.
    if _is_plainly_utf8(data):
        yield "utf-8"
    yield from ("sjis", "utf-8", "jis", *_PYTHON_JIS_CODECS)


def _try(data: bytes, charset: str, emoji_set: str | None) -> str | None:
    try:
        if charset == "sjis":
            return decode_sjis(data, emoji_set)
        if charset == "jis":
            return decode_jis(data, emoji_set)
        return data.decode(charset)
    except (UnicodeError, LookupError, ValueError):
        return None


def _is_plainly_utf8(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(char) >= 0x800 for char in text)


def _looks_like_jis(data: bytes) -> bool:
    return data.isascii() and b"\x1b$" in data


def decode_sjis(data: bytes, emoji_set: str | None = None, errors: str = "strict") -> str:
    """Decode Shift_JIS as CP932, replacing the emoji of `emoji_set` first."""
    if emoji_set is None or not re.search(rb"[\xf3-\xfb]", data):
        return data.decode("cp932", errors)
    pieces: list[str] = []
    pending = bytearray()
    for match in _SJIS_CHAR.finditer(data):
        token = match.group()
        emoji = sjis_emoji(emoji_set, int.from_bytes(token, "big")) if len(token) == 2 else None
        if emoji is None:
            pending += token
            continue
        pieces.append(pending.decode("cp932", errors))
        pending.clear()
        pieces.append(emoji)
    pieces.append(pending.decode("cp932", errors))
    return "".join(pieces)


def decode_jis(data: bytes, emoji_set: str | None = None, errors: str = "strict") -> str:
    """Decode ISO-2022-JP the way CP50220 does, plus au emoji.

    Python's iso2022_jp codec rejects NEC row 13 (①㈱Ⅱ) and au's emoji rows, and maps
    0x2141 to U+301C where CP932 gives U+FF5E. So each JIS X 0208 pair is converted to its
    Shift_JIS code and decoded as CP932, which gives exactly the CP50220 repertoire and keeps
    Shift_JIS and JIS mail consistent. au emoji rows (0x75-0x7C) are mapped when the sender
    uses KDDI's emoji set. Bytes >= 0x80 are invalid here (they make the fallback try CP932).
    """
    strict = errors == "strict"
    pieces: list[str] = []
    mode = "ascii"
    position = 0
    while position < len(data):
        match = _JIS_SHIFT.search(data, position)
        end = match.start() if match else len(data)
        pieces.append(_decode_jis_run(data, position, end, mode, emoji_set, strict))
        if match is None:
            break
        position = match.start()
        if data[position] == 0x0E:  # SO: half-width katakana until SI (CP50221)
            mode, position = "kana", position + 1
            continue
        if data[position] == 0x0F:
            mode, position = "ascii", position + 1
            continue
        for escape, escape_mode in _JIS_ESCAPES.items():
            if data.startswith(escape, position):
                mode, position = escape_mode, position + len(escape)
                break
        else:
            if strict:
                raise UnicodeDecodeError("iso-2022-jp", data, position, position + 1, "escape")
            pieces.append("\ufffd")
            position += 1
    return "".join(pieces)


def _decode_jis_run(
    data: bytes, start: int, end: int, mode: str, emoji_set: str | None, strict: bool
) -> str:
    """Decode data[start:end], which holds no shift or escape, in the given mode."""
    run = data[start:end]
    if strict and not run.isascii():
        raise UnicodeDecodeError("iso-2022-jp", data, start, end, "8-bit byte in JIS text")
    if mode == "ascii":
        return run.decode("ascii", "replace")
    if mode == "kana":
        return "".join(
            chr(0xFF61 + b - 0x21) if 0x21 <= b <= 0x5F else chr(b) if b < 0x80 else "\ufffd"
            for b in run
        )
    if mode in _JIS_X_0213_ESCAPES:
        escaped = _JIS_X_0213_ESCAPES[mode] + run
        return escaped.decode("iso2022_jp_2004", "strict" if strict else "replace")
    return _decode_double_bytes(data, start, run, mode, emoji_set, strict)


def _decode_double_bytes(
    data: bytes, start: int, run: bytes, mode: str, emoji_set: str | None, strict: bool
) -> str:
    """JIS X 0208 (or 0212) pairs: via Shift_JIS codes and CP932, au emoji on the way."""
    errors = "strict" if strict else "replace"
    pieces: list[str] = []
    sjis = bytearray()

    def emit(text: str) -> None:
        pieces.append(sjis.decode("cp932", errors))
        sjis.clear()
        pieces.append(text)

    index = 0
    while index < len(run):
        row = run[index]
        if row <= 0x20:  # CR, LF, space: kept, though RFC 1468 wants ESC ( B before them
            sjis.append(row)
            index += 1
            continue
        cell = run[index + 1] if index + 1 < len(run) else 0
        if not (0x21 <= row <= 0x7E and 0x21 <= cell <= 0x7E):
            if strict:
                position = start + index
                raise UnicodeDecodeError("iso-2022-jp", data, position, position + 1, "bad pair")
            emit("\ufffd")
            index += 1
            continue
        index += 2
        if mode == "jis0212":
            emit((b"\x1b$(D" + bytes((row, cell))).decode("iso2022_jp_2", errors))
            continue
        emoji = au_jis_emoji(row, cell) if emoji_set == "kddi" else None
        if emoji is not None:
            emit(emoji)
            continue
        sjis += jis_to_sjis(row, cell).to_bytes(2, "big")
    emit("")
    return "".join(pieces)
