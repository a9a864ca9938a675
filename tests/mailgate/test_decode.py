from __future__ import annotations

import base64
import importlib.util
import io
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mailgate.decode import DecodedMail, MalformedMail, decode_message
from mailgate.emoji import au_jis_to_kddi_sjis, jis_to_sjis
from tests.helpers import require_mail_samples, sample_params, sample_path

GPS_IFD = 0x8825

SAMPLES = sample_params()
DECODABLE_SAMPLES = sample_params(lambda sample: sample["expected"]["body"] is not None)
SAMPLES_WITH_PHOTOS = sample_params(lambda sample: sample["expected"]["image_attachments"] > 0)


def _raw(sample: dict[str, Any]) -> bytes:
    return sample_path(sample["file"]).read_bytes()


def _mail(headers: str, body: bytes = b"") -> bytes:
    """A raw mail as it arrives: CRLF line ends, body bytes as given."""
    head = "\r\n".join(textwrap.dedent(headers).strip("\n").splitlines())
    return head.encode("utf-8") + b"\r\n\r\n" + body


def _b_word(charset: str, data: bytes) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="


# --- every sample of the public corpus ---------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_decodes_to_the_expected_text(sample: dict[str, Any]) -> None:
    expected = sample["expected"]
    if expected["body"] is None:
        assert expected["reason"] == "malformed-mime"
        with pytest.raises(MalformedMail) as raised:
            decode_message(_raw(sample))
        assert raised.value.reason == "malformed-mime"
        return
    mail = decode_message(_raw(sample))
    assert mail.subject == expected["subject"]
    assert mail.body == expected["body"]
    if "body_without_signature" in expected:
        assert mail.body_without_signature == expected["body_without_signature"]
    assert len(mail.images) == expected["image_attachments"]
    assert mail.message_id == sample["message_id"]
    assert mail.header_from == sample["header_from"]
    for emoji in expected["emoji"]:
        assert emoji["char"] in mail.subject + mail.body, emoji["source"]
    assert not mail.is_auto_generated
    assert not mail.charset_fallback_used


@pytest.mark.parametrize("sample", DECODABLE_SAMPLES)
def test_sample_sender_address_survives_byte_for_byte(sample: dict[str, Any]) -> None:
    expected = sample["expected"]
    mail = decode_message(_raw(sample))
    assert mail.from_address == expected.get("verified_address", mail.from_address)
    if sample["carrier"] != "none":
        assert mail.carrier == sample["carrier"]


@pytest.mark.parametrize("sample", SAMPLES_WITH_PHOTOS)
def test_sample_photos_arrive_with_their_exif_so_gps_can_be_shown_stripped_later(
    sample: dict[str, Any],
) -> None:
    expected = sample["expected"]
    mail = decode_message(_raw(sample))
    gps = []
    for image in mail.images:
        assert image.content_type == "image/jpeg"
        with Image.open(io.BytesIO(image.data)) as photo:
            gps.append(bool(photo.getexif().get_ifd(GPS_IFD)))
    assert any(gps) is expected["gps_exif"]


def test_spoofed_envelope_sample_still_decodes_because_rejection_is_by_envelope() -> None:
    mail = decode_message(sample_path("au-post-spoofed-envelope.eml").read_bytes())
    assert mail.from_address == "kenji-0412@ezweb.ne.jp"
    assert mail.carrier == "au"
    assert mail.body == "お得な情報はこちら\nhttp://bulk.example.net/"


def test_decomail_decoration_is_not_a_photo_but_the_iphone_inline_photo_is() -> None:
    decomail = decode_message(sample_path("docomo-post-decomail.eml").read_bytes())
    iphone = decode_message(sample_path("iphone-post-utf8-qp.eml").read_bytes())
    assert decomail.images == []
    assert [image.filename for image in iphone.images] == ["IMG_4417.jpeg"]


def test_resent_duplicate_keeps_the_message_id_the_gateway_deduplicates_on() -> None:
    original = decode_message(sample_path("docomo-post-original.eml").read_bytes())
    resent = decode_message(sample_path("docomo-post-resend-duplicate.eml").read_bytes())
    assert original.message_id == resent.message_id == "<IMTM0q9W8e7r6t5y4DUP@docomo.ne.jp>"


# --- charsets ---------------------------------------------------------------------------


def test_nec_specials_in_iso_2022_jp_decode_like_cp50220() -> None:
    jis = b"\x1b$B-!-j-6\x1b(B"  # JIS row 13 (NEC specials): ① ㈱ Ⅱ
    with pytest.raises(UnicodeDecodeError):
        jis.decode("iso2022_jp")  # why the gateway has its own JIS decoder
    raw = _mail(
        f"""
        From: kenji-0412@ezweb.ne.jp
        Subject: {_b_word("ISO-2022-JP", jis)}
        Content-Type: text/plain; charset="iso-2022-jp"
        Content-Transfer-Encoding: 7bit
        """,
        jis + b"\r\n",
    )
    mail = decode_message(raw)
    assert mail.subject == "①㈱Ⅱ"
    assert mail.body == "①㈱Ⅱ"
    assert not mail.charset_fallback_used


@pytest.mark.parametrize(
    ("charset", "body"),
    [("Shift_JIS", b"\x81\x60"), ("ISO-2022-JP", b"\x1b$B!A\x1b(B")],
)
def test_wave_dash_decodes_as_fullwidth_tilde_like_cp932(charset: str, body: bytes) -> None:
    raw = _mail(f"From: a@docomo.ne.jp\nContent-Type: text/plain; charset={charset}", body)
    assert decode_message(raw).body == "\uff5e"


def test_half_width_katakana_stay_half_width() -> None:
    raw = _mail(
        "From: yoshida.k@docomo.ne.jp\nContent-Type: text/plain; charset=Shift_JIS",
        "ｶｻ忘れたｰ".encode("cp932"),
    )
    assert decode_message(raw).body == "ｶｻ忘れたｰ"


def test_half_width_katakana_in_jis_x_0201_escape_and_shift_out() -> None:
    raw = _mail(
        "From: a@ezweb.ne.jp\nContent-Type: text/plain; charset=ISO-2022-JP",
        b"\x1b(I6;\x1b(B \x0e6;\x0f",
    )
    assert decode_message(raw).body == "ｶｻ ｶｻ"


def test_utf8_passes_through_with_variation_selectors() -> None:
    raw = _mail(
        "From: miki.o@i.softbank.jp\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64",
        base64.b64encode("夜桜❤️🌸".encode()),
    )
    assert decode_message(raw).body == "夜桜\u2764\ufe0f\U0001f338"


def test_same_code_means_different_emoji_for_different_carriers() -> None:
    body = b"\xf9\x91"
    docomo = _mail("From: a@docomo.ne.jp\nContent-Type: text/plain; charset=Shift_JIS", body)
    softbank = _mail("From: a@softbank.ne.jp\nContent-Type: text/plain; charset=Shift_JIS", body)
    assert decode_message(docomo).body == "\u2764"  # docomo F991 heart
    assert decode_message(softbank).body == "\U0001f42f"  # SoftBank F991 tiger face


def test_softbank_emoji_are_replaced_before_cp932_would_read_them_as_ibm_kanji() -> None:
    body = b"\xfb\x41"  # SoftBank: emoji; CP932: an IBM extension kanji
    softbank = _mail("From: a@softbank.ne.jp\nContent-Type: text/plain; charset=Shift_JIS", body)
    pc = _mail("From: a@example.com\nContent-Type: text/plain; charset=Shift_JIS", body)
    assert decode_message(softbank).body == "\U0001f625"
    assert decode_message(pc).body == body.decode("cp932")


def test_carrier_from_the_envelope_overrides_the_from_header() -> None:
    raw = _mail("From: a@example.com\nContent-Type: text/plain; charset=Shift_JIS", b"\xf8\x9f")
    assert decode_message(raw, carrier="docomo").body == "\u2600"


def test_unmapped_emoji_code_becomes_geta_mark_not_a_private_use_character() -> None:
    # docomo F9B1, "i-appli (framed)", has no Unicode equivalent in EmojiSources.txt.
    raw = _mail("From: a@docomo.ne.jp\nContent-Type: text/plain; charset=Shift_JIS", b"\xf9\xb1")
    assert decode_message(raw).body == "\u3013"


@pytest.mark.parametrize(
    ("row_cell", "kddi_sjis"),
    [
        ((0x75, 0x41), 0xF660),
        ((0x76, 0x6E), 0xF6EC),
        ((0x76, 0x70), 0xF6EE),
        ((0x7B, 0x30), 0xF44F),
    ],
)
def test_au_email_jis_maps_to_kddi_shift_jis(row_cell: tuple[int, int], kddi_sjis: int) -> None:
    assert au_jis_to_kddi_sjis(*row_cell) == kddi_sjis


def test_jis_to_sjis_is_the_standard_arithmetic() -> None:
    assert jis_to_sjis(0x24, 0x22) == 0x82A0  # あ
    assert jis_to_sjis(0x2D, 0x21) == 0x8740  # ①
    assert jis_to_sjis(0x75, 0x41) == 0xEB60  # au "email" Shift_JIS of the sun


def test_emoji_table_is_what_the_generator_makes_from_emoji_sources() -> None:
    source = Path("/usr/share/unicode/EmojiSources.txt")
    if not source.exists():
        pytest.skip("EmojiSources.txt not installed (apt-get install unicode-data)")
    root = Path(__file__).parents[2]
    spec = importlib.util.spec_from_file_location(
        "gen_emoji_table", root / "tools/gen_emoji_table.py"
    )
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    version, tables = generator.parse(source.read_text(encoding="utf-8"))
    committed = (root / "mailgate" / "emoji_table.py").read_text(encoding="utf-8")
    assert generator.render(version, tables) == committed


@pytest.mark.parametrize(
    ("label", "body", "expected"),
    [
        ("ISO-2022-JP", "駅前のカフェ".encode("cp932") + b"\xf8\xd1", "駅前のカフェ☕"),  # 8-bit
        ("us-ascii", "桜が満開".encode(), "桜が満開"),
        ("x-unknown-8bit", "雨ですｶｻ".encode("cp932"), "雨ですｶｻ"),
        ("Shift_JIS", b"\x1b$B@2$l\x1b(B", "晴れ"),  # 7-bit JIS under a Shift_JIS label
        ("utf-8", "今日は".encode("cp932"), "今日は"),
        (None, "登録".encode(), "登録"),
    ],
)
def test_mislabelled_charsets_fall_back_sensibly(
    label: str | None, body: bytes, expected: str
) -> None:
    charset = f"; charset={label}" if label else ""
    raw = _mail(f"From: a@docomo.ne.jp\nContent-Type: text/plain{charset}", body)
    mail = decode_message(raw)
    assert mail.body.startswith(expected)
    assert mail.charset_fallback_used


def test_undecodable_bytes_become_replacement_characters() -> None:
    raw = _mail("From: a@example.com\nContent-Type: text/plain; charset=utf-8", b"ok \xff\xfd")
    mail = decode_message(raw)
    assert mail.body.startswith("ok ")
    assert mail.charset_fallback_used


# --- headers ----------------------------------------------------------------------------


def test_encoded_words_split_inside_a_character_are_joined_before_decoding() -> None:
    utf8 = "桜🌸".encode()
    tab = "\t"  # folding with a tab, as some handsets do
    jis = b"\x1b$B@2$l\x1b(B"
    raw = _mail(
        f"""
        From: a@ezweb.ne.jp
        Subject: {_b_word("UTF-8", utf8[:4])} {_b_word("UTF-8", utf8[4:])}
         {_b_word("ISO-2022-JP", jis[:5])}
        {tab}{_b_word("ISO-2022-JP", jis[5:])}
        """
    )
    assert decode_message(raw).subject == "桜🌸晴れ"


def test_raw_8bit_shift_jis_subject_without_encoded_words() -> None:
    raw = b"From: a@docomo.ne.jp\r\nSubject: " + "お弁当".encode("cp932") + b"\xf9\xef\r\n\r\n"
    assert decode_message(raw).subject == "お弁当\U0001f370"


def test_q_encoded_subject_and_from_display_name() -> None:
    raw = _mail(
        """
        From: =?UTF-8?Q?=E5=B1=B1=E7=94=B0?= <taro@example.com>
        Subject: =?Shift_JIS?Q?=83e=83X=83g?=
        """
    )
    mail = decode_message(raw)
    assert mail.subject == "テスト"
    assert mail.header_from == "山田 <taro@example.com>"
    assert mail.from_address == "taro@example.com"


# --- structure ------------------------------------------------------------------------


def _deco_html_only(with_photo: bool) -> bytes:
    html = (
        "<html><head><title>x</title></head><body><div>"
        'バレンタイン&amp;チョコ<img src="cid:deco1@docomo"><br>上手にできた<br>'
        "</div></body></html>"
    ).encode("cp932")
    photo = (
        b'--rel\r\nContent-Type: image/jpeg; name="photo.jpg"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n"
        if with_photo
        else b""
    )
    return _mail(
        """
        From: hanako.sato@docomo.ne.jp
        Subject: =?Shift_JIS?B?g2aDUoOB?=
        MIME-Version: 1.0
        Content-Type: multipart/related; boundary="rel"
        """,
        b"--rel\r\nContent-Type: text/html; charset=Shift_JIS\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + html
        + b"\r\n--rel\r\nContent-Type: image/gif\r\nContent-ID: <deco1@docomo>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nR0lGODlhAQABAAAAACw=\r\n"
        + photo
        + b"--rel--\r\n",
    )


def test_html_only_decomail_body_is_the_html_as_text() -> None:
    mail = decode_message(_deco_html_only(with_photo=False))
    assert mail.subject == "デコメ"
    assert mail.body == "バレンタイン&チョコ\n上手にできた"
    assert mail.images == []


def test_decomail_decoration_is_skipped_but_an_unreferenced_photo_is_kept() -> None:
    mail = decode_message(_deco_html_only(with_photo=True))
    assert [(image.filename, image.content_type) for image in mail.images] == [
        ("photo.jpg", "image/jpeg")
    ]


def test_text_split_around_an_inline_photo_is_joined() -> None:
    raw = _mail(
        """
        From: miki.o@i.softbank.jp
        Content-Type: multipart/mixed; boundary="m"
        """,
        b"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbefore\r\n\r\n"
        b'--m\r\nContent-Type: image/jpeg\r\nContent-Disposition: inline; filename="a.jpg"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n"
        b"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nafter\r\n--m--\r\n",
    )
    mail = decode_message(raw)
    assert mail.body == "before\nafter"
    assert len(mail.images) == 1


def test_photo_labelled_octet_stream_with_an_rfc2047_name_is_a_photo() -> None:
    name = _b_word("Shift_JIS", "写真.jpg".encode("cp932"))
    raw = _mail(
        """
        From: a@softbank.ne.jp
        Content-Type: multipart/mixed; boundary="m"
        """,
        b"--m\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\n\r\n"
        b'--m\r\nContent-Type: application/octet-stream; name="' + name.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--m--\r\n",
    )
    assert [image.filename for image in decode_message(raw).images] == ["写真.jpg"]


@pytest.mark.parametrize(
    "content_type",
    [
        'multipart/mixed; boundary="never-used"',
        "multipart/mixed",  # no boundary at all
    ],
)
def test_multipart_without_findable_parts_is_malformed(content_type: str) -> None:
    raw = _mail(
        f"From: a@docomo.ne.jp\nContent-Type: {content_type}",
        b"--other\r\nContent-Type: text/plain\r\n\r\nhello\r\n--other--\r\n",
    )
    with pytest.raises(MalformedMail) as raised:
        decode_message(raw)
    assert raised.value.reason == "malformed-mime"


def test_photo_only_mail_is_not_malformed() -> None:
    raw = _mail(
        'From: a@docomo.ne.jp\nContent-Type: multipart/mixed; boundary="m"',
        b"--m\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"/9j/4AAQ\r\n--m--\r\n",
    )
    mail = decode_message(raw)
    assert mail.body == ""
    assert len(mail.images) == 1


@pytest.mark.parametrize(
    ("body", "without"),
    [
        ("日記です\n\n-- \nﾖｼﾀﾞ", "日記です"),
        ("日記です\n--\nｻﾄｳ", "日記です"),
        ("前半\n--\n後半\n-- \n署名", "前半\n--\n後半"),
        ("署名なし\n---\nまだ日記", "署名なし\n---\nまだ日記"),
    ],
)
def test_signature_is_dropped_after_the_last_separator(body: str, without: str) -> None:
    raw = _mail(
        "From: a@docomo.ne.jp\nContent-Type: text/plain; charset=Shift_JIS",
        body.replace("\n", "\r\n").encode("cp932"),
    )
    mail = decode_message(raw)
    assert mail.body == body
    assert mail.body_without_signature == without


# --- automatic mail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ("From: hanako.sato@docomo.ne.jp\nSubject: hello", False),
        ("From: MAILER-DAEMON@docomo.ne.jp\nSubject: Returned mail", True),
        ("From: Mail Delivery System <postmaster@ezweb.ne.jp>", True),
        ("From: a@docomo.ne.jp\nAuto-Submitted: auto-replied", True),
        ("From: a@docomo.ne.jp\nAuto-Submitted: no", False),
        ("From: a@docomo.ne.jp\nPrecedence: bulk", True),
        ("From: a@docomo.ne.jp\nPrecedence: list", True),
        ("From: a@docomo.ne.jp\nX-Autoreply: yes", True),
        ("From: a@docomo.ne.jp\nX-Autorespond: yes", True),
        ("From: a@example.com\nSubject: Out of Office: away until Monday", True),
        ("From: a@example.com\nSubject: Automatic reply: 日記", True),
        (f"From: a@example.com\nSubject: {_b_word('UTF-8', '【自動返信】'.encode())}", True),
        ("From: a@example.com\nSubject: office party", False),
    ],
)
def test_auto_generated_mail_is_flagged(headers: str, automatic: bool) -> None:
    assert decode_message(_mail(headers, b"x")).is_auto_generated is automatic


# --- garbage ------------------------------------------------------------------------------


def _decode_or_malformed(raw: bytes) -> DecodedMail | None:
    """The decoded mail, or None when it is refused as malformed; what it decodes to must
    be text the database and the templates take (no lone surrogates)."""
    try:
        mail = decode_message(raw)
    except MalformedMail as refused:
        assert refused.reason == "malformed-mime"
        return None
    for text in (mail.subject, mail.body, mail.header_from):
        assert isinstance(text, str)
        text.encode("utf-8")  # raises on a lone surrogate a bad decoder would leave
    for image in mail.images:
        assert isinstance(image.data, bytes)
    return mail


def test_garbage_never_crashes_the_decoder() -> None:
    rng = random.Random(20100516)
    inputs = [b"", b"\r\n", b"\x00" * 64, b"\x1b$B" * 50, bytes(range(256)) * 4]
    inputs += [bytes(rng.randrange(256) for _ in range(rng.randrange(600))) for _ in range(50)]
    outcomes = [_decode_or_malformed(raw) for raw in inputs]
    assert len(outcomes) == len(inputs)
    # Garbage without a MIME structure is read as a plain text mail, never refused: the
    # gateway refuses it later for its missing From: header.
    assert all(mail is not None for mail in outcomes)
    assert all(not mail.header_from.strip() for mail in outcomes if mail is not None)


def test_truncated_and_mangled_samples_never_crash_the_decoder() -> None:
    rng = random.Random(20100522)
    inserts = [b"\x1b$B", b"\x1b(I", b"\x1b", b"\r\n--", b"=?Shift_JIS?B?", b"?=", b'"', b"\xf8"]
    inserts += [b'boundary="x"', b"cid:", b"Content-Transfer-Encoding: base64\r\n", b"\xff\xfe"]
    samples = [path.read_bytes() for path in sorted(require_mail_samples().glob("*.eml"))]
    decoded = refused = 0
    for raw in (sample for sample in samples if len(sample) < 100_000):
        for cut in sorted(rng.sample(range(len(raw)), 10)):
            if _decode_or_malformed(raw[:cut]) is None:
                refused += 1
            else:
                decoded += 1
        for _ in range(40):
            mangled = bytearray(raw)
            for _ in range(rng.randint(1, 6)):
                at = rng.randrange(len(mangled))
                action = rng.randrange(3)
                if action == 0:
                    del mangled[at : at + rng.randint(1, 40)]
                elif action == 1:
                    mangled[at:at] = rng.choice(inserts)
                else:
                    mangled[at] = rng.randrange(256)
            if _decode_or_malformed(bytes(mangled)) is None:
                refused += 1
            else:
                decoded += 1
    assert samples
    assert decoded > 0  # most damage still leaves a readable mail
    assert decoded + refused == sum(50 for sample in samples if len(sample) < 100_000)
