"""bench/seed.py on a small SQLite database: rows the site's services read correctly."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from tests.helpers import REPOSITORY


def test_seed_loads_a_consistent_network_and_prints_its_figures_last(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "seed.sqlite3"
    done = subprocess.run(
        [sys.executable, "bench/seed.py", "--members", "120", "--long-threads", "1"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "seed"
    assert figures["member_rows"] == 120
    assert "ashiato-bench" in done.stdout

    db = sqlite3.connect(path)
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM member WHERE status = 'active'") == 120
    assert figures["friendship_rows"] > 0
    assert (  # every maimiku pair has both rows
        one(
            "SELECT count(*) FROM friendship f WHERE NOT EXISTS (SELECT 1 FROM friendship r "
            "WHERE r.member = f.friend AND r.friend = f.member)"
        )
        == 0
    )
    assert (  # the counters on the diary row match its comments
        one(
            "SELECT count(*) FROM diary d WHERE comment_count <> "
            "(SELECT count(*) FROM diary_comment c WHERE c.diary = d.id)"
        )
        == 0
    )
    assert one("SELECT max(reply_count) FROM topic") >= 1000
    assert (
        one(
            "SELECT count(*) FROM topic t WHERE reply_count <> "
            "(SELECT count(*) FROM topic_reply r WHERE r.topic = t.id)"
        )
        == 0
    )


def test_web_bench_explains_itself() -> None:
    done = subprocess.run(
        [sys.executable, "bench/web.py", "--help"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "ceiling" in done.stdout
