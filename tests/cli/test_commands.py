"""The `ashiato` command as an operator runs it: real processes, real HTTP and SMTP."""

from __future__ import annotations

import json
import os
import shutil
import smtplib
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ON_POSTGRES, free_port

ASHIATO = [sys.executable, "-m", "ashiato"]


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "ASHIATO_VAR_DIR": str(tmp_path / "var"),
        "ASHIATO_BASE_URL": "http://localhost:8000",
        "ASHIATO_SMTP_RELAY": f"127.0.0.1:{free_port()}",
    }


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ASHIATO, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_admin_create_invite_and_member_show(env):
    created = run(
        env,
        "admin",
        "create",
        "boss@example.jp",
        "--nickname",
        "ボス",
        "--password-stdin",
        stdin="a strong password\n",
    )
    assert created.returncode == 0, created.stderr
    invited = run(env, "invite", "new@example.jp", "--by", "boss@example.jp")
    assert invited.returncode == 0, invited.stderr
    assert invited.stdout.strip().startswith("http://localhost:8000/join/")

    shown = run(env, "member", "show", "boss@example.jp", "--json")
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["status"] == "active" and summary["nickname"] == "ボス"
    assert summary["pc_email"] == "boss@example.jp" and summary["pc_verified"] is True
    assert summary["mobile_email"] is None and summary["mobile_verified"] is False

    unknown = run(env, "member", "show", "nobody@example.jp", "--json")
    assert unknown.returncode == 2 and "nobody@example.jp" in unknown.stderr
    short = run(env, "admin", "create", "x@example.jp", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr


def test_i18n_check_command_passes_on_the_committed_catalogs():
    result = subprocess.run([*ASHIATO, "i18n", "check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    assert "catalogs complete" in result.stdout


@pytest.mark.skipif(ON_POSTGRES, reason="serve --demo is the SQLite quick start; once is enough")
def test_serve_demo_answers_in_japanese_and_english_and_opens_the_mail_gateway(env, tmp_path):
    http_port, smtp_port = free_port(), free_port()
    env = {**env, "DATABASE_URL": ""}  # the README's default: a SQLite file under var/
    process = subprocess.Popen(
        [*ASHIATO, "serve", "--demo", "--port", str(http_port), "--smtp-port", str(smtp_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/", timeout=2) as page:
                    japanese = page.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(process.stdout.read() if process.stdout else "") from None
                time.sleep(0.3)
        assert '<html lang="ja">' in japanese
        request = urllib.request.Request(
            f"http://127.0.0.1:{http_port}/", headers={"Accept-Language": "en"}
        )
        with urllib.request.urlopen(request, timeout=5) as page:
            assert '<html lang="en">' in page.read().decode()
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=5) as smtp:
            code, _ = smtp.ehlo()
            assert code == 250
        assert (Path(env["ASHIATO_VAR_DIR"]) / "ashiato.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
    shutil.rmtree(tmp_path / "var", ignore_errors=True)


def test_jobs_prune_footprints_runs_once(env):
    result = run(env, "jobs", "prune-footprints")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pruned 0 footprint")
