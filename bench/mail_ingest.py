"""Diary-by-mail ingest over SMTP, beside a bare aiosmtpd sink on the same machine and run.

Each message is what a phone sends to its posting address: a short Japanese text and one
camera photo (a JPEG with EXIF and GPS). The gateway (mailgate.server, in this process's
event loop as `ashiato serve` runs it) decodes it, checks the sender, strips the photo's
metadata, writes the diary, its photo, the Message-ID, the confirmation mail and its own
record in one transaction, and only then answers 250. The sink answers 250 to the same
messages without doing anything: the difference is the price of the work.

Clients are smtplib in threads, one SMTP connection per message (as carriers deliver),
`--concurrency` at a time. SQLite (a temp file) always runs; PostgreSQL runs when
--postgres (default postgres://postgres@127.0.0.1:5432/postgres) answers: a scratch
database is created beside it and dropped afterwards.

    python bench/mail_ingest.py [--messages 200] [--concurrency 4] [--postgres URL|none]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import logging
import smtplib
import socket
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

from aiosmtpd.smtp import SMTP  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from ashiato import db  # noqa: E402
from ashiato.accounts import queries as account_queries  # noqa: E402
from ashiato.accounts.service import hash_password  # noqa: E402
from ashiato.diaries.tables import Diary, DiaryPhoto  # noqa: E402
from ashiato.mobile import service as mobile  # noqa: E402
from ashiato.photos import process_upload  # noqa: E402
from ashiato.settings import Settings  # noqa: E402
from mailgate.server import start_gateway  # noqa: E402

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
PHONE = "hanako.sato@docomo.ne.jp"
GPS_IFD = 0x8825


def camera_photo(width: int, height: int) -> bytes:
    """A feature-phone camera JPEG: soft image noise (so it compresses like a photo, about
    60 kB at 640x480), the maker's EXIF and a GPS position, which the gateway must strip."""
    image = Image.merge(
        "RGB",
        [
            Image.effect_noise((width, height), sigma).filter(ImageFilter.GaussianBlur(1.5))
            for sigma in (60, 72, 84)
        ],
    )
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 44.0, 28.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def photo_processing_ms(photo: bytes, settings: Settings, times: int = 5) -> float:
    """The median time of the photo pipeline alone (check, re-encode, thumbnail, store):
    create_diary does this inside the gateway's transaction."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        process_upload(photo, settings)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000


def message(rcpt: str, number: int, photo: bytes) -> bytes:
    mail = EmailMessage()
    mail["From"] = PHONE
    mail["To"] = rcpt
    mail["Subject"] = f"今日の一枚 {number}"
    mail["Message-ID"] = f"<bench-{number}-{uuid.uuid4().hex}@docomo.ne.jp>"
    mail["Date"] = "Sat, 15 May 2010 09:12:44 +0900"
    mail.set_content("駅前の新しいカフェに行ってきたよ☕\nパスタがおいしかった❤\n", charset="utf-8")
    mail.add_attachment(photo, maintype="image", subtype="jpeg", filename="photo.jpg")
    return mail.as_bytes(policy=policy.SMTP)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deliver(port: int, rcpt: str, raw: bytes) -> tuple[int, float]:
    """One carrier delivery: connect, EHLO, MAIL, RCPT, DATA, QUIT. (code, seconds)."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.ehlo("mx.docomo.example")
        client.mail(PHONE)
        code, _text = client.rcpt(rcpt)
        if code == 250:
            code, _text = client.data(raw)
    return code, time.perf_counter() - started


@dataclass
class Run:
    name: str
    messages: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


async def blast(name: str, port: int, rcpt: str, raws: list[bytes], concurrency: int) -> Run:
    """Deliver every message, `concurrency` connections at a time, from threads (the
    server keeps this event loop)."""

    def run_all() -> tuple[float, list[tuple[int, float]]]:
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda raw: deliver(port, rcpt, raw), raws))
        return time.perf_counter() - started, results

    seconds, results = await asyncio.to_thread(run_all)
    failures = sum(1 for code, _ in results if code != 250)
    return Run(name, len(raws), seconds, [latency for _, latency in results], failures)


class SinkHandler:
    """The bare sink: takes every message and answers 250, nothing else."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802, ANN001
        return "250 OK"


async def sink_run(raws: list[bytes], warmup: list[bytes], concurrency: int) -> Run:
    port = free_port()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(SinkHandler(), data_size_limit=None), host="127.0.0.1", port=port
    )
    try:
        rcpt = "post+sink@mail.example.jp"
        await blast("warmup", port, rcpt, warmup, concurrency)
        return await blast("aiosmtpd sink", port, rcpt, raws, concurrency)
    finally:
        server.close()
        await server.wait_closed()


async def gateway_run(
    name: str, settings: Settings, count: int, photo: bytes, concurrency: int, warmup: int
) -> tuple[Run, dict[str, int]]:
    engine = db.configure(settings.database_url)
    await db.start(engine, settings.db_pool_size)
    try:
        await db.migrate(engine)
        member = await account_queries.insert_member(
            pc_email="hanako@example.jp",
            pc_verified_at=dt.datetime.now(dt.UTC),
            mobile_email=PHONE,
            mobile_verified_at=dt.datetime.now(dt.UTC),
            password_hash=hash_password("bench password", settings),
            nickname="はなこ",
            status="active",
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
        )
        rcpt = await mobile.posting_address(member, settings)
        warm = [message(rcpt, -n - 1, photo) for n in range(warmup)]
        raws = [message(rcpt, n, photo) for n in range(count)]
        port = free_port()
        server = await start_gateway(settings, "127.0.0.1", port)
        try:
            await blast("warmup", port, rcpt, warm, concurrency)
            run = await blast(name, port, rcpt, raws, concurrency)
        finally:
            server.close()
            await server.wait_closed()
        stored = {"diaries": await Diary.count(), "photos": await DiaryPhoto.count()}
        return run, stored
    finally:
        await db.stop(engine)


async def postgres_database(url: str) -> str | None:
    """A scratch database beside `url`, or None when PostgreSQL does not answer."""
    import asyncpg

    try:
        connection = await asyncio.wait_for(asyncpg.connect(url), timeout=5)
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL
        print(f"PostgreSQL at {url} does not answer ({error!r}); skipped", file=sys.stderr)
        return None
    name = f"bench_mail_{uuid.uuid4().hex[:8]}"
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def drop_database(maintenance: str, scratch: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(maintenance)
    try:
        name = urlparse(scratch).path.lstrip("/")
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> dict[str, object]:
    logging.getLogger("mailgate").setLevel(logging.WARNING)
    photo = camera_photo(args.photo_width, args.photo_height)
    figures: dict[str, object] = {
        "bench": "mail_ingest",
        "messages": args.messages,
        "concurrency": args.concurrency,
        "photo_bytes": len(photo),
    }
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="ashiato-bench-") as scratch:
        base = replace(
            Settings.from_env({}),
            var_dir=Path(scratch) / "var",
            secret_key="bench-secret-" + "x" * 32,
            mail_domain="mail.example.jp",
            smtp_max_recipients=50,
        )
        figures["photo_processing_ms"] = round(photo_processing_ms(photo, base), 1)
        sample = message("post+sink@mail.example.jp", 0, photo)
        sink = await sink_run([sample] * args.messages, [sample] * args.warmup, args.concurrency)
        runs.append(sink)
        figures["message_bytes"] = len(sample)
        figures["sink_msgs_per_s"] = round(sink.rate, 1)

        sqlite = replace(base, database_url=f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
        run, stored = await gateway_run(
            "gateway, SQLite", sqlite, args.messages, photo, args.concurrency, args.warmup
        )
        runs.append(run)
        figures.update(
            sqlite_msgs_per_s=round(run.rate, 1),
            sqlite_p50_ms=round(run.percentile(0.5), 1),
            sqlite_p95_ms=round(run.percentile(0.95), 1),
            sqlite_failures=run.failures,
            sqlite_diaries_stored=stored["diaries"] - args.warmup,
            sqlite_vs_sink=round(run.rate / sink.rate, 4),
        )

        if args.postgres != "none":
            url = await postgres_database(args.postgres)
            if url is not None:
                try:
                    pg = replace(base, database_url=url, db_pool_size=args.pool)
                    run, stored = await gateway_run(
                        "gateway, PostgreSQL", pg, args.messages, photo, args.concurrency,
                        args.warmup,
                    )  # fmt: skip
                    runs.append(run)
                    figures.update(
                        postgres_msgs_per_s=round(run.rate, 1),
                        postgres_p50_ms=round(run.percentile(0.5), 1),
                        postgres_p95_ms=round(run.percentile(0.95), 1),
                        postgres_failures=run.failures,
                        postgres_diaries_stored=stored["diaries"] - args.warmup,
                        postgres_vs_sink=round(run.rate / sink.rate, 4),
                    )
                finally:
                    await drop_database(args.postgres, url)

    print(f"{len(photo):,} byte photo, {figures['message_bytes']:,} byte message, "
          f"{args.messages} messages, {args.concurrency} connections at a time")  # fmt: skip
    print(f"{'server':<22}{'msgs/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'failed':>8}")
    for run in runs:
        print(
            f"{run.name:<22}{run.rate:>10.1f}{run.percentile(0.5):>10.1f}"
            f"{run.percentile(0.95):>10.1f}{run.failures:>8}"
        )
    share = runs[1].rate / runs[0].rate
    pipeline = figures["photo_processing_ms"]
    print(f"gateway on SQLite: {share:.1%} of the sink's rate; the photo pipeline alone "
          f"takes {pipeline} ms a photo")  # fmt: skip
    return figures


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Diaries by mail over SMTP (one photo each) beside a bare aiosmtpd sink."
    )
    parser.add_argument("--messages", type=int, default=200, help="messages per server")
    parser.add_argument("--concurrency", type=int, default=4, help="connections at a time")
    parser.add_argument("--warmup", type=int, default=5, help="untimed messages first")
    parser.add_argument("--photo-width", type=int, default=640)
    parser.add_argument("--photo-height", type=int, default=480)
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="maintenance URL, or 'none' to skip"
    )
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL connection pool size")
    return parser.parse_args()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse_args()))))
