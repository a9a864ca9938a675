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
from tests.helpers import free_port

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

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e is a `browser` test, so `-m "not browser"` leaves them out.
    (A `pytestmark` in a conftest marks nothing: it only applies in its own module.)"""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def _start_server(settings: Settings, var_dir: Path) -> tuple[subprocess.Popen, str]:
    """`ashiato serve` on two free ports; (process, base URL) once it answers, or
    (exited process, "") when it could not start (a port taken meanwhile by another test
    process: the ports are picked before the child binds them)."""
    http_port, smtp_port = free_port(), free_port()
    host, relay_port = settings.smtp_relay
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "ASHIATO_VAR_DIR": str(var_dir),
        "ASHIATO_BASE_URL": f"http://127.0.0.1:{http_port}",
        "ASHIATO_SMTP_RELAY": f"{host}:{relay_port}",
        "ASHIATO_SECRET_KEY": "e2e-secret-" + "y" * 32,
        "ASHIATO_PASSWORD_HASH_PROFILE": settings.password_hash_profile,
    }
    # The server's log goes to a file: a pipe nobody reads would fill and stall the server.
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / "serve.log"
    with log.open("w") as log_file:
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
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            return process, base
        except OSError:
            if process.poll() is not None:
                return process, ""
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(log.read_text()) from None
            time.sleep(0.2)


@pytest.fixture
def live_server(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`ashiato serve` on free ports, on this test's database and mail sink."""
    for attempt in range(3):
        process, base = _start_server(settings, tmp_path / f"live-var-{attempt}")
        if base:
            break
    else:
        raise AssertionError((tmp_path / "live-var-2" / "serve.log").read_text())
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
