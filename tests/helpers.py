"""What test modules share that is not a fixture: forms, ports, images, communities, the
carrier mail samples, a browser login.

Test modules import shared helpers from here (or members from tests.factories), never from
another test module or a conftest: a test module is not a library, and importing one runs
its imports and fixtures' module twice under some import modes.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import socket
import warnings
from collections.abc import AsyncIterator, Callable, Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from PIL import Image

from ashiato import db
from ashiato.communities.commands import CommunityForm, TopicForm
from ashiato.communities.service import communities, topics
from ashiato.settings import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))
REPOSITORY = Path(__file__).resolve().parents[1]

# -- forms ----------------------------------------------------------------------------------

PASSWORD = "correct horse battery"  # every member tests make has it (tests.factories)
EN = {"accept-language": "en"}
HTMX = {"hx-request": "true", "accept-language": "en"}

SIGNUP = {
    "nickname": "たろう",
    "full_name": "山田 太郎",
    "gender": "male",
    "birth_date": "1985-04-01",
    "region": "東京都",
    "introduction": "よろしくお願いします",
    "password": "a long enough password",
    "password_confirm": "a long enough password",
}


async def csrf_token(client: AsyncTestClient, path: str = "/login") -> str:
    """Load a page so the CSRF cookie is set, then return the token to send back."""
    if "csrftoken" not in client.cookies:
        await client.get(path)
    return client.cookies["csrftoken"]


async def post_form(client: AsyncTestClient, path: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    token = await csrf_token(client)
    return await client.post(path, data={**data, "_csrf_token": token}, **kwargs)


async def post_diary(client, fields: dict[str, str], photos=(), path: str = "/diaries/"):  # type: ignore[no-untyped-def]
    """The diary form, multipart like a browser sends it (photos: (name, bytes, type))."""
    token = await csrf_token(client)
    # Always multipart, as a browser sends the form: a file field left empty is a part
    # with no name and no bytes.
    files = [("photos", photo) for photo in photos] or [
        ("photos", ("", b"", "application/octet-stream"))
    ]
    return await client.post(path, data={**fields, "_csrf_token": token}, files=files, headers=EN)


# -- ports and a mail relay -------------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on right now. Only for a server that cannot be told port 0
    (a subprocess, or a relay meant to be down): another process may take it meanwhile."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (the test's relay)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.received = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, address: str, pattern: str) -> str:
        """The last link matching pattern in mail to address."""
        for message in reversed(self.to(address)):
            found = re.search(pattern, self.text(message))
            if found:
                return found.group(0)
        raise AssertionError(f"no link {pattern!r} in mail to {address}: {self.messages}")


class SinkController(Controller):
    """aiosmtpd's threaded controller on a port the OS picks (port=0): no race with other
    test processes for a "free" port. `.port` is the bound port once started."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def unreachable_database(settings: Settings, tmp_path: Path) -> str:
    """A database URL whose every query fails (the database is "down")."""
    if settings.is_postgres:
        return urlunparse(urlparse(settings.database_url)._replace(path="/ashiato_no_such_db"))
    return f"sqlite:///{tmp_path / 'down' / 'empty.sqlite3'}"  # no tables: every query fails


def take_database_down(settings: Settings, tmp_path: Path) -> None:
    """Point every table at the unreachable database (`db.configure(settings.database_url)`
    brings it back). Piccolo warns it cannot read that server's version: expected here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*Unable to fetch server version", Warning)
        db.configure(unreachable_database(settings, tmp_path))


# -- query counting -------------------------------------------------------------------------


class QueryCounter:
    """Counts the SQL statements Piccolo runs (both engines) while enabled."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    @count.setter
    def count(self, value: int) -> None:
        """`counter.count = 0` starts counting afresh, like reset()."""
        del self.statements[value:]

    def reset(self) -> None:
        self.statements.clear()


# -- images ---------------------------------------------------------------------------------

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48), color=(200, 100, 50)) -> bytes:  # type: ignore[no-untyped-def]
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
    """A half-transparent PNG."""
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def png(colour: str = "orange", size: tuple[int, int] = (60, 40)) -> bytes:
    """An opaque PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


# -- communities ----------------------------------------------------------------------------


async def make_community(admin, name: str = "ラーメン二郎", **fields: str):  # type: ignore[no-untyped-def]
    form = {
        "name": name,
        "category": "food",
        "description": "二郎系ラーメンが好きな人のコミュニティ。Jiro-style ramen lovers.",
        "join_policy": "open",
        "topic_policy": "members",
        "topics_public": "1",
        **fields,
    }
    return await communities.create_community(admin, CommunityForm(**form))


async def make_topic(author, community, title: str = "おすすめの店", body: str = "教えてください"):  # type: ignore[no-untyped-def]
    return await topics.start_topic(author, community.id, TopicForm(title=title, body=body))


# -- carrier mail samples -------------------------------------------------------------------

MAIL_SAMPLES_ENV = "ASHIATO_MAIL_SAMPLES"


def find_mail_samples(start: Path = REPOSITORY, env: Mapping[str, str] = os.environ) -> Path | None:
    """The carrier mail corpus (a folder with manifest.json): $ASHIATO_MAIL_SAMPLES when set,
    else `shared/mail-samples` beside the checkout or any folder above it (the checkout's
    `../shared/mail-samples` in the usual layout), else None."""
    if env.get(MAIL_SAMPLES_ENV):
        named = Path(env[MAIL_SAMPLES_ENV]).expanduser()
        return named if (named / "manifest.json").is_file() else None
    for folder in (start, *start.parents):
        candidate = folder / "shared" / "mail-samples"
        if (candidate / "manifest.json").is_file():
            return candidate
    return None


MAIL_SAMPLES = find_mail_samples()
NO_SAMPLES = (
    f"the carrier mail samples are missing: set {MAIL_SAMPLES_ENV} to the folder of "
    f"manifest.json, or put them at ../shared/mail-samples beside the checkout ({REPOSITORY})"
)


def require_mail_samples() -> Path:
    """The corpus, or a failed test: without it the gateway and decoder are untested."""
    if MAIL_SAMPLES is None:
        pytest.fail(NO_SAMPLES, pytrace=False)
    return MAIL_SAMPLES


@cache
def mail_sample_manifest() -> list[dict[str, Any]]:
    """The manifest's entries; [] without the corpus (each user then fails, see above)."""
    if MAIL_SAMPLES is None:
        return []
    return json.loads((MAIL_SAMPLES / "manifest.json").read_text(encoding="utf-8"))["samples"]


def sample_params(wanted: Callable[[dict[str, Any]], bool] = lambda entry: True) -> list[Any]:
    """Manifest entries as pytest params. Without the corpus: one param marked
    `mail_samples`, whose test fails in setup (tests/conftest.py), so a missing corpus
    fails the run instead of skipping it."""
    if MAIL_SAMPLES is None:
        return [pytest.param(None, marks=pytest.mark.mail_samples, id="mail-samples-missing")]
    return [
        pytest.param(entry, id=entry["file"].removesuffix(".eml"))
        for entry in mail_sample_manifest()
        if wanted(entry)
    ]


def sample_path(name: str) -> Path:
    return require_mail_samples() / name


def camera_photo_with_gps() -> bytes:
    """The JPEG a SoftBank phone attached to a diary post, GPS position and all."""
    raw = sample_path("softbank-post-photo-gps.eml").read_bytes()
    for part in message_from_bytes(raw, policy=policy.default).walk():
        if part.get_content_type() == "image/jpeg":
            return part.get_payload(decode=True)
    raise AssertionError("the sample has no JPEG")


def sample_entry(name: str) -> dict[str, Any]:
    require_mail_samples()
    for entry in mail_sample_manifest():
        if entry["file"] == name:
            return entry
    pytest.fail(f"{name} is not in the carrier mail samples' manifest", pytrace=False)


# -- browsers (tests/e2e) -------------------------------------------------------------------


async def logged_in_page(browser, live_server: str, email: str, locale: str = "en-US"):  # type: ignore[no-untyped-def]
    """A browser context of its own (its own cookies), logged in as `email`."""
    context = await browser.new_context(locale=locale)
    page = await context.new_page()
    await page.goto(f"{live_server}/login")
    await page.fill("#login-form input[name=email]", email)
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_url(f"{live_server}/")
    return page


@contextlib.asynccontextmanager
async def browser_of(app) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    """A browser on `app`; a test that needs settings read when the app is assembled (the
    trusted proxies, say) builds its own app with create_app and opens one with this."""
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        test_client.follow_redirects = False  # tests assert the 303s themselves
        yield test_client
