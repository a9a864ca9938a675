"""Check, straighten, re-encode, thumbnail and store an uploaded photo (see the package doc)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from litestar.response import File
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from ashiato.errors import DomainError, NotFound
from ashiato.i18n import _
from ashiato.refusals import Refusal
from ashiato.settings import Settings

THUMBNAIL_SIZE = 240  # pixels, longest side: faces and photo strips
JPEG_QUALITY = 85
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "GIF": ("gif", "image/gif")}
KEY_RE = re.compile(r"^[0-9a-f]{64}(\.thumb)?\.(jpg|png|gif)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}
# What a re-encoded frame may keep from the original: how to draw it, nothing about it.
_KEEP_INFO = {"transparency", "duration", "loop", "background", "disposal"}


class PhotoError(DomainError):
    """The upload is not a photo we can store (wrong kind, damaged, too big)."""

    refusal = Refusal.BAD_PHOTO


class PhotoTooLarge(PhotoError):
    """Too many bytes or pixels: a smaller photo would do."""

    refusal = Refusal.PHOTO_TOO_LARGE


@dataclass(frozen=True)
class ProcessedPhoto:
    """A stored photo. Keep `key` in your table; everything else can be derived from it."""

    key: str  # "<sha256>.jpg|png|gif": the file name under media_dir
    thumbnail_key: str  # "<sha256>.thumb.jpg"
    content_type: str
    width: int
    height: int
    size: int  # bytes of the stored (re-encoded) file


def thumbnail_key(key: str) -> str:
    """The thumbnail that belongs to a stored photo's key."""
    return f"{key.split('.', 1)[0]}.thumb.jpg"


def _path(settings: Settings, key: str) -> Path:
    return settings.media_dir / key[:2] / key


def stored_file(settings: Settings, key: str) -> Path:
    """The file of a key (photo or thumbnail); NotFound for a malformed or missing key."""
    if not KEY_RE.match(key or ""):
        raise NotFound(_("This photo does not exist."), code="unknown_photo")
    path = _path(settings, key)
    if not path.is_file():
        raise NotFound(_("This photo does not exist."), code="unknown_photo")
    return path


def photo_response(
    settings: Settings, key: str, *, thumbnail: bool = False, cache_seconds: int = 3600
) -> File:
    """Serve a stored photo; call it only after the owning feature has checked permission."""
    key = thumbnail_key(key) if thumbnail else key
    path = stored_file(settings, key)
    return File(
        path=path,
        media_type=CONTENT_TYPES[key.rsplit(".", 1)[1]],
        content_disposition_type="inline",
        headers={
            # Private: the URL is permission-checked, so no shared cache may keep it.
            "cache-control": f"private, max-age={cache_seconds}",
            "x-content-type-options": "nosniff",
        },
    )


def _too_many_pixels(settings: Settings) -> PhotoError:
    return PhotoTooLarge(
        _(
            "The photo has too many pixels: at most %(megapixels)s megapixels.",
            megapixels=max(settings.upload_max_pixels // 1_000_000, 1),
        ),
        code="too_many_pixels",
    )


def _open(data: bytes, settings: Settings) -> Image.Image:
    if not data:
        raise PhotoError(_("Choose a photo to upload."), code="empty")
    if len(data) > settings.upload_max_bytes:
        raise PhotoTooLarge(
            _(
                "The photo is too large: at most %(megabytes)s MB.",
                megabytes=f"{settings.upload_max_bytes / (1024 * 1024):.1f}".rstrip("0").rstrip(
                    "."
                ),
            ),
            code="too_large",
        )
    try:
        # Reads only the header: the pixel count is known before anything is decoded.
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise _too_many_pixels(settings) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise PhotoError(
            _("This file is not a JPEG, PNG or GIF photo."), code="not_a_photo"
        ) from None
    frames = getattr(image, "n_frames", 1) if image.format == "GIF" else 1
    if image.width * image.height * frames > settings.upload_max_pixels:
        raise _too_many_pixels(settings)
    try:
        Image.open(io.BytesIO(data), formats=list(FORMATS)).verify()
        image.load()
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError):
        raise PhotoError(_("This photo is damaged and cannot be read."), code="damaged") from None
    return image


def _clean(frame: Image.Image) -> Image.Image:
    """A copy of the pixels with none of the original's metadata attached."""
    copy = frame.copy()
    copy.info = {k: v for k, v in frame.info.items() if k in _KEEP_INFO}
    return copy


def _encode(image: Image.Image) -> tuple[bytes, str, Image.Image]:
    """Re-encode in the original format; returns the bytes, the extension, the first frame."""
    buffer = io.BytesIO()
    if image.format == "GIF" and getattr(image, "n_frames", 1) > 1:
        frames = [_clean(frame) for frame in ImageSequence.Iterator(image)]
        frames[0].save(
            buffer,
            "GIF",
            save_all=True,
            append_images=frames[1:],
            loop=image.info.get("loop", 0),
            duration=[frame.info.get("duration", 100) for frame in frames],
        )
        return buffer.getvalue(), "gif", frames[0]
    upright = ImageOps.exif_transpose(image) or image
    clean = _clean(upright)
    clean.info.pop("duration", None)
    if image.format == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return buffer.getvalue(), "jpg", clean
    if image.format == "PNG":
        clean.save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), "png", clean
    clean.save(buffer, "GIF")
    return buffer.getvalue(), "gif", clean


def _thumbnail(frame: Image.Image) -> bytes:
    picture = frame.convert("RGBA")
    flat = Image.new("RGB", picture.size, (255, 255, 255))
    flat.paste(picture, mask=picture.getchannel("A"))
    flat.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    """Write atomically (rename), so a reader never sees half a file; same name, same bytes."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def process_upload(data: bytes, settings: Settings) -> ProcessedPhoto:
    """Check, straighten, re-encode (no metadata), thumbnail and store one uploaded photo.

    Synchronous and CPU-bound: from async code call it with `asyncio.to_thread`.
    Raises PhotoError with a translated message when the upload is refused.
    """
    image = _open(data, settings)
    try:
        encoded, extension, first = _encode(image)
    except (OSError, ValueError, EOFError) as exc:
        raise PhotoError(_("This photo is damaged and cannot be read."), code="damaged") from exc
    digest = hashlib.sha256(encoded).hexdigest()
    key = f"{digest}.{extension}"
    _write(_path(settings, key), encoded)
    _write(_path(settings, thumbnail_key(key)), _thumbnail(first))
    return ProcessedPhoto(
        key=key,
        thumbnail_key=thumbnail_key(key),
        content_type=CONTENT_TYPES[extension],
        width=first.width,
        height=first.height,
        size=len(encoded),
    )
