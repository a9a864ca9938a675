"""Members in every relation to an author, photos with GPS, and form helpers for diaries."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from PIL import Image

from ashiato.accounts import queries as account_queries
from ashiato.friends import service as friends
from ashiato.members.tables import Member
from tests.conftest import csrf_token
from tests.factories import login, make_member

EN = {"accept-language": "en"}
HTMX = {"hx-request": "true", "accept-language": "en"}
GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48), color=(200, 100, 50)) -> bytes:
    """A camera-like JPEG: maker, and the GPS position of Tokyo Tower."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 44.0, 28.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # or the test proves nothing
    return data


def png_bytes(size: tuple[int, int] = (30, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 128)).save(buffer, "PNG")
    return buffer.getvalue()


async def make_old(member: Member) -> None:
    """Older than the new-member window, so links are not limited."""
    await account_queries.update_member(
        member.id, created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    )


@dataclass
class Circle:
    """An author and a member in each relation to them."""

    author: Member
    friend: Member  # maimiku of the author
    friend_of_friend: Member  # maimiku of the friend only
    stranger: Member  # no relation
    blocked: Member  # a friend of the friend, but the author blocked them

    def by_role(self, role: str) -> Member | None:
        return None if role == "logged_out" else getattr(self, role)


@pytest.fixture
async def circle(settings) -> Circle:
    author = await make_member("author@example.jp", "書き手")
    friend = await make_member("friend@example.jp", "マイミク")
    fof = await make_member("fof@example.jp", "友達の友達")
    stranger = await make_member("stranger@example.jp", "他人")
    blocked = await make_member("blocked@example.jp", "ブロック")
    for member in (author, friend, fof, stranger, blocked):
        await make_old(member)
    await friends.make_friends(author, friend)
    await friends.make_friends(friend, fof)
    await friends.make_friends(friend, blocked)
    await friends.block(author, blocked.id)
    return Circle(author, friend, fof, stranger, blocked)


async def login_as(client, member: Member) -> None:
    await login(client, member.pc_email)


async def post_diary(client, fields: dict[str, str], photos=(), path: str = "/diaries/"):
    """The diary form, multipart like a browser sends it (photos: (name, bytes, type))."""
    token = await csrf_token(client)
    # Always multipart, as a browser sends the form: a file field left empty is a part
    # with no name and no bytes.
    files = [("photos", photo) for photo in photos] or [
        ("photos", ("", b"", "application/octet-stream"))
    ]
    return await client.post(path, data={**fields, "_csrf_token": token}, files=files, headers=EN)
