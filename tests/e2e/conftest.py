"""A live `ashiato serve` process and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ashiato.settings import Settings
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`ashiato serve` on free ports, on this test's database and mail sink."""
    http_port, smtp_port = free_port(), free_port()
    host, relay_port = settings.smtp_relay
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "ASHIATO_VAR_DIR": str(tmp_path / "live-var"),
        "ASHIATO_BASE_URL": f"http://127.0.0.1:{http_port}",
        "ASHIATO_SMTP_RELAY": f"{host}:{relay_port}",
        "ASHIATO_SECRET_KEY": "e2e-secret-" + "y" * 32,
        "ASHIATO_PASSWORD_HASH_PROFILE": settings.password_hash_profile,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ashiato",
            "serve",
            "--port",
            str(http_port),
            "--smtp-port",
            str(smtp_port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(
                    process.stdout.read() if process.stdout else "no output"
                ) from None
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def logged_in_page(browser, live_server: str, email: str, locale: str = "en-US"):  # type: ignore[no-untyped-def]
    """A browser context of its own (its own cookies), logged in as `email`."""
    from tests.factories import PASSWORD

    context = await browser.new_context(locale=locale)
    page = await context.new_page()
    await page.goto(f"{live_server}/login")
    await page.fill("#login-form input[name=email]", email)
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_url(f"{live_server}/")
    return page
