"""The shared photo pipeline: every uploaded picture goes through here before it is stored.

Profiles, diaries, communities and the mail gateway all accept photos; the rules are the same
for each, so they live once in this plain library (no tables: each feature keeps the key of
the photos it owns in its own table and decides who may see them).

Use::

    from ashiato.photos import PhotoError, process_upload, photo_response

    photo = await asyncio.to_thread(process_upload, data, settings)  # CPU work off the loop
    ...store photo.key in your table...
    return photo_response(settings, key, thumbnail=True)  # after YOUR permission check

`process_upload(data, settings) -> ProcessedPhoto`:

- decides the format by content, never by name: JPEG, PNG or GIF (animated GIFs keep
  their frames); anything else, a disguised or a broken file raises PhotoError;
- refuses more than `settings.upload_max_bytes` bytes and more than
  `settings.upload_max_pixels` pixels (all frames together), before decoding the pixels,
  so a decompression bomb costs nothing;
- turns the picture upright from its EXIF orientation, then re-encodes it, which drops ALL
  metadata (EXIF including GPS, XMP, comments, ICC profiles);
- makes a JPEG thumbnail of at most THUMBNAIL_SIZE pixels a side;
- stores both under `settings.media_dir` by the SHA-256 of the re-encoded file, so the same
  photo uploaded twice is one file. Files are never deleted here (another row may share one).

PhotoError is a DomainError (400) whose message is already translated.
"""

from __future__ import annotations

from ashiato.photos.pipeline import (
    THUMBNAIL_SIZE,
    PhotoError,
    PhotoTooLarge,
    ProcessedPhoto,
    photo_response,
    process_upload,
    stored_file,
    thumbnail_key,
)

__all__ = [
    "THUMBNAIL_SIZE",
    "PhotoError",
    "PhotoTooLarge",
    "ProcessedPhoto",
    "photo_response",
    "process_upload",
    "stored_file",
    "thumbnail_key",
]
