"""Carrier emoji codes to standard Unicode.

Japanese feature phones send emoji as vendor codes inside the legacy charsets, and the three
carriers reuse the same byte values for different pictures (docomo F991 is a heart, SoftBank
F991 is not), so a code can only be read once the sender's carrier is known. The mapping is
Unicode's round-trip table (EmojiSources.txt, see `emoji_table`); codes in a carrier's emoji
area that have no Unicode equivalent become GETA MARK, the carriers' own "cannot show" sign.

au sends mail in ISO-2022-JP and puts its emoji in JIS rows 0x75-0x7C, which standard JIS
leaves empty. Converted to Shift_JIS with the ordinary JIS -> Shift_JIS arithmetic those rows
land on EB40-EEFC, KDDI's "email" Shift_JIS form, and each of its four lead bytes is one page
of KDDI's ordinary codes: EB -> F6, EC -> F7, ED -> F3, EE -> F4 (same trail byte). So JIS 7541
-> EB60 -> F660 (sun) and JIS 766E -> EBEC -> F6EC (four leaf clover). This agrees with the
"email_jis"/"email_sjis"/"sjis" columns of KDDI's published table (Encode::JP::Mobile).
"""

from __future__ import annotations

from collections.abc import Mapping

from mailgate.emoji_table import DOCOMO_SJIS, KDDI_SJIS, SOFTBANK_SJIS

UNMAPPED_EMOJI = "\u3013"  # GETA MARK

# Shift_JIS lead byte -> allowed trail byte range, per emoji-sending carrier.
_EMOJI_AREAS: dict[str, dict[int, tuple[int, int]]] = {
    "docomo": {0xF8: (0x9F, 0xFC), 0xF9: (0x40, 0xFC)},
    "kddi": {0xF3: (0x40, 0xFC), 0xF4: (0x40, 0x93), 0xF6: (0x40, 0xFC), 0xF7: (0x40, 0xFC)},
    "softbank": {0xF7: (0x41, 0xFC), 0xF9: (0x41, 0xFC), 0xFB: (0x41, 0xDC)},
}
_TABLES: dict[str, Mapping[int, str]] = {
    "docomo": DOCOMO_SJIS,
    "kddi": KDDI_SJIS,
    "softbank": SOFTBANK_SJIS,
}
# Carrier keys (see `mailgate.carriers`) whose handsets use one of the three emoji sets.
# Tu-Ka was KDDI's and its handsets used KDDI's set; mopera/BlackBerry are docomo's.
_EMOJI_SET_OF_CARRIER = {"docomo": "docomo", "au": "kddi", "tuka": "kddi", "softbank": "softbank"}

# Email-form lead byte (EB..EE) -> KDDI's ordinary lead byte.
_KDDI_EMAIL_PAGE = {0xEB: 0xF6, 0xEC: 0xF7, 0xED: 0xF3, 0xEE: 0xF4}
AU_JIS_ROWS = range(0x75, 0x7D)


def emoji_set(carrier: str | None) -> str | None:
    """The emoji set ("docomo", "kddi", "softbank") a carrier's handsets send, if any."""
    return _EMOJI_SET_OF_CARRIER.get(carrier or "")


def sjis_emoji(emoji_set_name: str | None, code: int) -> str | None:
    """Unicode for a two-byte Shift_JIS code if it lies in the set's emoji area.

    Returns None for codes outside the area (ordinary text), so the caller decodes those
    with the charset; returns GETA MARK for area codes that have no Unicode equivalent,
    because decoding them as CP932 would give an unrelated kanji or a private-use char.
    """
    if emoji_set_name is None:
        return None
    trail_range = _EMOJI_AREAS[emoji_set_name].get(code >> 8)
    if trail_range is None or not trail_range[0] <= (code & 0xFF) <= trail_range[1]:
        return None
    return _TABLES[emoji_set_name].get(code, UNMAPPED_EMOJI)


def jis_to_sjis(row: int, cell: int) -> int:
    """Standard JIS X 0208 byte pair -> Shift_JIS code, extended to rows 0x75-0x7E."""
    lead = (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0)
    if row % 2 == 0:
        return lead << 8 | (cell + 0x7E)
    trail = cell + (0x1F if cell <= 0x5F else 0x20)  # skipping 0x7F, not a trail byte
    return lead << 8 | trail


def au_jis_to_kddi_sjis(row: int, cell: int) -> int | None:
    """KDDI Shift_JIS code for an au emoji sent in ISO-2022-JP (see module docstring)."""
    if row not in AU_JIS_ROWS:
        return None
    email_sjis = jis_to_sjis(row, cell)
    return _KDDI_EMAIL_PAGE[email_sjis >> 8] << 8 | (email_sjis & 0xFF)


def au_jis_emoji(row: int, cell: int) -> str | None:
    """Unicode for an au emoji JIS pair, or None when the pair is not in au's emoji rows."""
    kddi = au_jis_to_kddi_sjis(row, cell)
    if kddi is None:
        return None
    return sjis_emoji("kddi", kddi) or UNMAPPED_EMOJI
