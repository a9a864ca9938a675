"""The shared photo pipeline: content checks, upright re-encoding without metadata, storage."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from ashiato.errors import NotFound
from ashiato.i18n import _, using
from ashiato.photos import (
    THUMBNAIL_SIZE,
    PhotoError,
    photo_response,
    process_upload,
    stored_file,
)
from ashiato.settings import Settings
from tests.helpers import camera_photo_with_gps

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var")


def image_bytes(fmt: str, size=(40, 20), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "orange" if mode != "L" else 128).save(buffer, fmt, **save)
    return buffer.getvalue()


def test_the_sample_photo_really_carries_gps():
    exif = Image.open(io.BytesIO(camera_photo_with_gps())).getexif()
    assert exif.get_ifd(GPS_IFD)  # the test below would prove nothing otherwise


def test_stored_photo_and_thumbnail_have_no_exif_and_no_gps(settings):
    photo = process_upload(camera_photo_with_gps(), settings)
    for key in (photo.key, photo.thumbnail_key):
        stored = stored_file(settings, key)
        assert stored.is_relative_to(settings.media_dir)
        raw = stored.read_bytes()
        with Image.open(stored) as reopened:
            assert reopened.format == "JPEG"
            assert dict(reopened.getexif()) == {}
            assert not reopened.getexif().get_ifd(GPS_IFD)
            assert "exif" not in reopened.info
        assert b"Exif" not in raw and b"SHARP" not in raw and b"943SH" not in raw
    assert photo.key.endswith(".jpg") and photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (240, 320)


def test_photo_is_turned_upright_from_its_exif_orientation(settings):
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was held sideways: rotate 90° clockwise to view
    photo = process_upload(image_bytes("JPEG", size=(40, 20), exif=exif.tobytes()), settings)
    with Image.open(stored_file(settings, photo.key)) as stored:
        assert stored.size == (20, 40)
        assert ORIENTATION not in stored.getexif()


def test_thumbnail_fits_the_thumbnail_size(settings):
    photo = process_upload(image_bytes("PNG", size=(1200, 600)), settings)
    with Image.open(stored_file(settings, photo.thumbnail_key)) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (THUMBNAIL_SIZE, THUMBNAIL_SIZE // 2)


def test_png_keeps_transparency_and_loses_text_and_exif(settings):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    photo = process_upload(
        image_bytes("PNG", mode="RGBA", pnginfo=info, exif=exif.tobytes()), settings
    )
    raw = stored_file(settings, photo.key).read_bytes()
    stored = Image.open(io.BytesIO(raw))
    assert stored.format == "PNG" and stored.mode == "RGBA"
    assert b"secret location" not in raw and b"SecretCam" not in raw
    assert b"eXIf" not in raw and b"tEXt" not in raw


def test_animated_gif_keeps_its_frames_and_loses_its_comment(settings):
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=120,
        loop=0,
        comment=b"taken at home",
    )
    photo = process_upload(buffer.getvalue(), settings)
    raw = stored_file(settings, photo.key).read_bytes()
    stored = Image.open(io.BytesIO(raw))
    assert Image.open(buffer).n_frames == 3
    assert stored.format == "GIF" and stored.n_frames == 3
    assert b"taken at home" not in raw


def test_same_photo_twice_is_one_file(settings):
    first = process_upload(image_bytes("PNG"), settings)
    second = process_upload(image_bytes("PNG"), settings)
    assert first.key == second.key
    assert len([p for p in settings.media_dir.rglob("*") if p.is_file()]) == 2  # photo + thumb


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",  # a page named photo.jpg
        b"GIF89a" + b"<script>alert(1)</script>",  # a GIF header and nothing behind it
        image_bytes("BMP"),  # a real image, but not a kind we accept
        image_bytes("WEBP"),
    ],
)
def test_files_that_are_not_jpeg_png_or_gif_are_refused(settings, data):
    with pytest.raises(PhotoError) as refused:
        process_upload(data, settings)
    assert refused.value.code in {"not_a_photo", "damaged"}
    assert not settings.media_dir.exists()


def test_a_damaged_photo_is_refused(settings):
    whole = image_bytes("JPEG", size=(400, 400), quality=95)
    with pytest.raises(PhotoError) as refused:
        process_upload(whole[: len(whole) // 2], settings)
    assert refused.value.code == "damaged"


def test_too_many_bytes_are_refused_with_a_translated_message(settings):
    small = replace(settings, upload_max_bytes=1024 * 1024)
    data = image_bytes("JPEG") + b"\0" * (1024 * 1024)
    with using("en"), pytest.raises(PhotoError) as refused:
        process_upload(data, small)
    assert refused.value.code == "too_large"
    with using("en"):
        assert refused.value.message == _(
            "The photo is too large: at most %(megabytes)s MB.", megabytes="1"
        )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in a few bytes: a decompression bomb's envelope."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(5000, 5000), (100_000, 100_000)])
def test_decompression_bombs_are_refused_by_pixel_count(settings, size):
    with pytest.raises(PhotoError) as refused:
        process_upload(png_header_only(*size), settings)
    assert refused.value.code == "too_many_pixels"


def test_pixel_limit_is_a_setting(settings):
    data = image_bytes("PNG", size=(2000, 1000))
    with pytest.raises(PhotoError):
        process_upload(data, replace(settings, upload_max_pixels=1_000_000))
    assert process_upload(data, settings).width == 2000


def test_empty_upload_is_refused(settings):
    with pytest.raises(PhotoError) as refused:
        process_upload(b"", settings)
    assert refused.value.code == "empty"


@pytest.mark.parametrize("key", ["../secret_key", "a" * 64 + ".exe", "", "..%2f" + "a" * 64])
def test_only_well_formed_keys_reach_the_disk(settings, key):
    with pytest.raises(NotFound):
        stored_file(settings, key)
    with pytest.raises(NotFound):
        photo_response(settings, key)


def test_photo_response_is_private_and_typed(settings):
    photo = process_upload(image_bytes("PNG"), settings)
    response = photo_response(settings, photo.key, thumbnail=True)
    assert response.media_type == "image/jpeg"
    assert response.headers["cache-control"].startswith("private")
